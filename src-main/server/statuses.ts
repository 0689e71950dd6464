import { escapeHtml } from '../../src-shared/protocol';
import type { UserStatus } from '../../src-shared/protocol';
import { frameText } from './broadcast';
import type { Member } from './member';

/*
 * Statuses (issue 13 §3): what a user says about being available, kept on its member,
 * told to everyone who shares a room with it, and carried by user lists and its
 * Connected. Never part of `identityJson`, so no chat line grows by it.
 */

/**
 * `,"status":…` and, when there is one, `,"statusText":…`, as user lists carry them.
 * Nothing for online with no text: what a missing status means, so user lists and
 * Connected frames stay byte for byte as before for everyone who never set one.
 */
export function statusJson(status: UserStatus, escapedText: string): string {
  if (status === 'online' && escapedText === '') return '';
  return escapedText === '' ? `,"status":"${status}"` : `,"status":"${status}","statusText":${JSON.stringify(escapedText)}`;
}

/** A member as an item of a user list: its identity and its status. */
export function listedJson(member: Member): string {
  return `{${member.identityJson}${member.statusJson}}`;
}

/**
 * Sets a member's status (`text` as parsed: one line, trimmed, not yet escaped) and
 * returns the StatusChanged frame to tell its peers, or null when nothing changed.
 */
export function setStatus(member: Member, status: UserStatus, text: string): Buffer | null {
  const escaped = escapeHtml(text);
  if (member.status === status && member.statusText === escaped) return null;
  member.status = status;
  member.statusText = escaped;
  member.statusJson = statusJson(status, escaped);
  return frameText(`{"action":"StatusChanged","userId":${member.userId},"status":"${status}","text":${JSON.stringify(escaped)}}`);
}
