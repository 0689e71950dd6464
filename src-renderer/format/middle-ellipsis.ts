/*
 * Long names that differ only at the end ("Александр Петров-Водкин 1" and "… 2") must
 * stay distinguishable in a narrow list, so a name is cut in the middle: the head
 * shrinks with an ellipsis, the last few characters always show. Cut between
 * graphemes, so an emoji or an accented letter is never split.
 */

/** Characters (graphemes) always shown at the end of a cut name. */
export const NAME_TAIL = 6;

const segmenter = typeof Intl !== 'undefined' && 'Segmenter' in Intl ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : null;

function graphemes(text: string): string[] {
  return segmenter === null ? Array.from(text) : Array.from(segmenter.segment(text), (s) => s.segment);
}

/** `name` as a head that may be cut and a tail that is not; a short name is all head. */
export function splitForMiddleEllipsis(name: string, tail = NAME_TAIL): { head: string; tail: string } {
  const parts = graphemes(name);
  if (parts.length <= tail * 2) return { head: name, tail: '' };
  return { head: parts.slice(0, -tail).join(''), tail: parts.slice(-tail).join('') };
}
