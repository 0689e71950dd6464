import type { ChatClient } from '../../../support/chat-client';
import type { ErrorMessage, HistoryMessage, PublicMessage, RoomJoinedMessage, ServerMessage } from '../../../../src-shared/protocol';

/** Sends a JoinRoom and resolves with its answer: RoomJoined (and the History after it), or the Error. */
export async function joinRoom(
  client: ChatClient,
  room: unknown,
  key?: unknown,
): Promise<{ joined: RoomJoinedMessage; history: HistoryMessage } | { error: ErrorMessage }> {
  const after = client.mark();
  client.send(key === undefined ? { action: 'JoinRoom', room } : { action: 'JoinRoom', room, key });
  const answer = await client.waitFor((m) => m.action === 'RoomJoined' || m.action === 'Error', undefined, `the answer to JoinRoom ${String(room)}`, after);
  if (answer.action === 'Error') return { error: answer };
  const history = await client.waitFor((m): m is HistoryMessage => m.action === 'History', undefined, 'the room’s History', after);
  return { joined: answer as RoomJoinedMessage, history };
}

/** Joins, and fails the test unless the room let the client in. */
export async function mustJoin(client: ChatClient, room: string, key?: string): Promise<{ joined: RoomJoinedMessage; history: HistoryMessage }> {
  const answer = await joinRoom(client, room, key);
  if ('error' in answer) throw new Error(`JoinRoom ${room} refused: ${answer.error.code} ${answer.error.message}`);
  return answer;
}

/** The next Error after `after`. */
export function nextError(client: ChatClient, after: number): Promise<ErrorMessage> {
  return client.waitFor((m): m is ErrorMessage => m.action === 'Error', undefined, 'an Error', after);
}

/** Says a line in a room. */
export function sayIn(client: ChatClient, room: string, text: string, extra: object = {}): void {
  client.send({ action: 'Message', text, toUserId: 0, room, ...extra });
}

export function lineWith(text: string): (m: ServerMessage) => m is PublicMessage {
  return (m): m is PublicMessage => m.action === 'PublicMessage' && m.text === text;
}
