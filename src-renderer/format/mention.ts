/**
 * Appends `{name}` to a draft the way the Qt client did: `{N}, ` into an empty
 * draft (addressing someone), `{N} ` after a trailing space, ` {N} ` otherwise.
 */
export function insertMention(draft: string, userName: string): string {
  const mention = `{${userName}}`;
  if (draft.trim() === '') return `${mention}, `;
  if (/\s$/.test(draft)) return `${draft}${mention} `;
  return `${draft} ${mention} `;
}
