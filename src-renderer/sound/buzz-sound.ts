/*
 * The buzz's own sound (issue 13 §4), made by WebAudio so it needs no file: a short
 * rattle of a low square wave, unlike the system beep of a mention.
 */

type AudioContextClass = typeof AudioContext;

let context: AudioContext | null = null;

/** How long the rattle lasts, in seconds. */
export const BUZZ_SOUND_SECONDS = 0.45;

/** Plays the buzz once. Never throws: a page without audio (or not allowed to play yet) stays silent. */
export function playBuzzSound(): void {
  try {
    const Context = (window.AudioContext ?? (window as Window & { webkitAudioContext?: AudioContextClass }).webkitAudioContext) as
      | AudioContextClass
      | undefined;
    if (Context === undefined) return;
    context ??= new Context();
    const audio = context;
    if (audio.state === 'suspended') void audio.resume().catch(() => undefined);
    const start = audio.currentTime;
    const tone = audio.createOscillator();
    tone.type = 'square';
    tone.frequency.setValueAtTime(180, start);
    tone.frequency.linearRampToValueAtTime(140, start + BUZZ_SOUND_SECONDS);
    // 25 pulses a second: the rattle.
    const gain = audio.createGain();
    gain.gain.setValueAtTime(0, start);
    for (let t = 0; t < BUZZ_SOUND_SECONDS; t += 0.04) {
      gain.gain.setValueAtTime(0.12, start + t);
      gain.gain.setValueAtTime(0, start + t + 0.025);
    }
    tone.connect(gain).connect(audio.destination);
    tone.start(start);
    tone.stop(start + BUZZ_SOUND_SECONDS);
  } catch {
    // No audio here: the shake and the notification still tell the user.
  }
}
