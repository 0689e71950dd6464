import type { Member } from '../member';

/*
 * Who a request is, and what it may fetch: the narrow view of the room the files
 * endpoints get (room.ts implements it). A file is its owner's until it is sent; then
 * it belongs to the room or dialog it was sent to, and whoever can see that may fetch it.
 */

export interface FileAudience {
  /** The live session (online, or in its presence grace) with this token, or null. */
  sessionMember(token: string): Member | null;
  /** The member with this user id now, or null. */
  memberById(userId: number): Member | null;
  /** True when the member can see the room or dialog a file was sent to (see FileRecord.scope). */
  canSee(member: Member, scope: string): boolean;
}

/** Whose a member's uploads are: its lasting identity's (across sessions), else its session's. */
export function ownerKey(member: Member): string {
  return member.lasting === null ? `s:${member.sessionToken}` : `i:${member.lasting.userId}`;
}

/** The scope of a private line between two sessions that are not a dialog's. */
export function sessionPairScope(a: Member, b: Member): string {
  const [x, y] = a.sessionToken <= b.sessionToken ? [a.sessionToken, b.sessionToken] : [b.sessionToken, a.sessionToken];
  return `@@${x} ${y}`;
}

/** The two session tokens of a session-pair scope, or null for any other scope. */
export function sessionPairOf(scope: string): [string, string] | null {
  if (!scope.startsWith('@@')) return null;
  const [a, b] = scope.slice(2).split(' ');
  return a === undefined || b === undefined ? null : [a, b];
}

/** A `Bearer` token from the Authorization header, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^Bearer ([A-Za-z0-9_-]{1,128})$/.exec(header.trim());
  return match === null ? null : match[1]!;
}
