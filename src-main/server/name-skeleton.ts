import unhomoglyph from 'unhomoglyph';

/*
 * Look-alike names: `Аdmin` (Cyrillic А), `Admіn` (Ukrainian і) and `Admin` are one
 * name to a reader, so they must be one name to the room. The skeleton is that of
 * Unicode TR39 (confusables.txt, through unhomoglyph): NFD, every character to its
 * prototype, NFD again.
 */

const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

/** The TR39 skeleton of `text`, with default-ignorable code points (fillers, zero widths, …) dropped. */
export function skeleton(text: string): string {
  return unhomoglyph(text.replace(IGNORABLE, '').normalize('NFD')).normalize('NFD');
}

/** Case-folded skeleton; folding can make a character that has a prototype of its own (`M` → `m` → `rn`). */
function foldedSkeleton(text: string): string {
  return skeleton(skeleton(text.toLowerCase()).toLowerCase());
}

/**
 * The keys under which a name is unique; two names clash when they share one.
 * TR39 skeletons are case-sensitive and names here are not, and the two disagree:
 * `AIice` (capital i) looks like `Alice` only before folding, `Admіn` like `admin`
 * only after. So a name has a key of each kind.
 */
export function nameKeys(name: string): readonly string[] {
  const folded = foldedSkeleton(name);
  const asWritten = foldedSkeleton(skeleton(name));
  return folded === asWritten ? [folded] : [folded, asWritten];
}
