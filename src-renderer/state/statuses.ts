import type { ServerMessage, UserPresence, UserStatus } from '../../src-shared/protocol';

/** A user's status as the UI shows it; `text` as the server sent it (escaped, no markup). */
export interface Presence {
  readonly status: UserStatus;
  readonly text: string;
}

/** Statuses by userId; a user not in it is online with no text. */
export type Statuses = ReadonlyMap<number, Presence>;

export const NO_STATUSES: Statuses = new Map();

export const ONLINE: Presence = { status: 'online', text: '' };

export function presenceOf(statuses: Statuses, userId: number): Presence {
  return statuses.get(userId) ?? ONLINE;
}

function listed(user: UserPresence): Presence | null {
  const status = user.status ?? 'online';
  const text = user.statusText ?? '';
  return status === 'online' && text === '' ? null : { status, text };
}

function withOne(statuses: Statuses, userId: number, presence: Presence | null): Statuses {
  const known = statuses.get(userId);
  if (presence === null ? known === undefined : known?.status === presence.status && known.text === presence.text) return statuses;
  const next = new Map(statuses);
  if (presence === null) next.delete(userId);
  else next.set(userId, presence);
  return next;
}

/** The statuses after a server message: user lists and Connected bring them, StatusChanged changes one, a leave drops it. */
export function statusesAfter(statuses: Statuses, message: ServerMessage): Statuses {
  switch (message.action) {
    case 'Authorized': {
      const next = new Map<number, Presence>();
      for (const user of message.users) {
        const presence = listed(user);
        if (presence !== null) next.set(user.userId, presence);
      }
      return next.size === 0 && statuses.size === 0 ? statuses : next;
    }
    case 'Connected':
      return withOne(statuses, message.userId, listed(message));
    case 'StatusChanged':
      return withOne(statuses, message.userId, message.status === 'online' && message.text === '' ? null : { status: message.status, text: message.text });
    case 'Disconnected':
    case 'ConnectionLost':
      return withOne(statuses, message.userId, null);
    default:
      return statuses;
  }
}
