import type { Language } from '../../src-shared/bridge';

/**
 * The spellchecker's languages for the UI language: the chosen one, or (auto) the
 * system's preferred ones that Chromium has dictionaries for. Always at least one when
 * any is available; macOS ignores this and uses its own spellchecker.
 */
export function spellcheckLanguages(language: Language, preferred: readonly string[], available: readonly string[]): string[] {
  const byLower = new Map(available.map((code) => [code.toLowerCase(), code]));
  const match = (wanted: string): string | undefined => {
    const lower = wanted.toLowerCase();
    const exact = byLower.get(lower);
    if (exact !== undefined) return exact;
    const base = lower.split('-')[0]!;
    return byLower.get(base) ?? available.find((code) => code.toLowerCase().startsWith(`${base}-`));
  };
  const wanted = language === 'auto' ? preferred : language === 'en' ? ['en-US', ...preferred] : [language, ...preferred];
  const chosen: string[] = [];
  for (const code of wanted) {
    const found = match(code);
    if (found !== undefined && !chosen.includes(found)) chosen.push(found);
    // Chromium checks every listed language; three is plenty and keeps it fast.
    if (chosen.length === 3) break;
  }
  if (language !== 'auto') {
    const first = match(language === 'en' ? 'en-US' : language);
    return first === undefined ? chosen.slice(0, 1) : [first];
  }
  if (chosen.length === 0) {
    const fallback = match('en-US');
    return fallback === undefined ? [] : [fallback];
  }
  return chosen;
}
