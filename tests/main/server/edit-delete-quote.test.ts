import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatChatText } from '../../../src-shared/protocol';
import type { ErrorMessage, HistoryMessage, PrivateMessage, PublicMessage, ServerMessage } from '../../../src-shared/protocol';
import { parseCliArgs } from '../../../src-main/server/cli-args';
import { excerptOf } from '../../../src-main/server/quote';
import { MAX_EXCERPT_LENGTH } from '../../../src-shared/protocol';
import type { ChatClient } from '../../support/chat-client';
import { RawWebSocket, handshakeWithTarget, qtClientHandshake } from '../../support/raw-websocket';
import { startTestServer } from './helpers';
import type { TestServer } from './helpers';

/*
 * Issue 12, §4–§6 over real sockets: edit and delete by the author, quotes made by the
 * server, every refusal an Error to the sender only, and the original Qt client's
 * own copy of a reply.
 */

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const isLine = (text: string) => (m: ServerMessage): m is PublicMessage => m.action === 'PublicMessage' && m.text === text;
const isHistory = (m: ServerMessage): m is HistoryMessage => m.action === 'History';

/** Says a public line and resolves with it as the server sent it back. */
async function say(client: ChatClient, text: string, extra: object = {}): Promise<PublicMessage> {
  const after = client.mark();
  client.send({ action: 'Message', text, toUserId: 0, ...extra });
  return client.waitFor(isLine(formatChatText(text.trim())), undefined, `the line "${text}"`, after);
}

/** Sends a frame and resolves with the Error it earns. */
async function refusal(client: ChatClient, message: object): Promise<ErrorMessage> {
  const after = client.mark();
  client.send(message);
  return client.waitFor((m): m is ErrorMessage => m.action === 'Error', undefined, 'an Error', after);
}

/**
 * `others` got nothing of `kinds` since `from` (their marks): a line said after the
 * refusal arrives first, and everything the refusal could have queued would be before it.
 */
async function expectNothingBroadcast(t: TestServer, others: ChatClient[], from: number[]): Promise<void> {
  const canary = await t.join('canary');
  const text = `after ${Math.random()}`;
  canary.say(text);
  for (const [i, other] of others.entries()) {
    await other.waitFor(isLine(text), undefined, 'the canary', from[i]);
    const since = other.messages.slice(from[i]);
    expect(since.filter((m) => ['MessageEdited', 'MessageDeleted', 'PublicMessage'].includes(m.action) && !isLine(text)(m))).toEqual([]);
  }
  await canary.close();
}

async function historyOf(client: ChatClient, before: number): Promise<HistoryMessage> {
  const after = client.mark();
  client.send({ action: 'History', before, limit: 50 });
  return client.waitFor(isHistory, undefined, 'a History', after);
}

describe('Edit (issue 12, §4)', () => {
  it('by the author: everyone gets MessageEdited with the text formatted as chat, and every later History has it', async () => {
    const t = await startTestServer();
    const anna = await t.join('Аня');
    const bob = await t.join('Bob');
    const line = await say(anna, 'hello wrold');
    await bob.waitFor(isLine('hello wrold'));
    anna.send({ action: 'Edit', messageId: line.messageId, text: '  hello <world> {Bob}  ' });
    const seen = await Promise.all([anna, bob].map((c) => c.waitFor((m) => m.action === 'MessageEdited')));
    for (const edited of seen) {
      expect(edited).toEqual({ action: 'MessageEdited', messageId: line.messageId, text: 'hello &lt;world&gt; <b>Bob</b>', editedAt: expect.any(Number) });
    }
    const editedAt = (seen[0] as { editedAt: number }).editedAt;
    expect(editedAt).toBeGreaterThanOrEqual(line.sentAt!);
    const page = await historyOf(bob, line.messageId! + 1);
    expect(page.messages.at(-1)).toEqual({ ...line, text: 'hello &lt;world&gt; <b>Bob</b>', editedAt });
    // A newcomer's history on join has it too.
    const carol = await t.join('Carol');
    const onJoin = await carol.waitFor(isHistory);
    expect(onJoin.messages.find((m) => m.messageId === line.messageId)).toMatchObject({ text: 'hello &lt;world&gt; <b>Bob</b>', editedAt });
  });

  it('by the same session on a new connection (a resume) is allowed', async () => {
    const t = await startTestServer();
    const anna = await t.join('Аня');
    const line = await say(anna, 'typo');
    anna.terminate();
    const back = await t.join({ userName: 'Аня', sessionToken: anna.authorized.sessionToken! }, { awaitOwnConnected: false });
    back.send({ action: 'Edit', messageId: line.messageId, text: 'fixed' });
    expect(await back.waitFor((m) => m.action === 'MessageEdited')).toMatchObject({ messageId: line.messageId, text: 'fixed' });
  });

  it('of someone else’s line is refused with not-author, to the sender only; also for the same name in a new session', async () => {
    const t = await startTestServer();
    const anna = await t.join('Аня');
    const bob = await t.join('Bob');
    const line = await say(anna, 'mine');
    await bob.waitFor(isLine('mine'));
    const marks = [anna.mark(), bob.mark()];
    expect(await refusal(bob, { action: 'Edit', messageId: line.messageId, text: 'yours now' })).toMatchObject({ code: 'not-author' });
    expect(await refusal(bob, { action: 'Delete', messageId: line.messageId })).toMatchObject({ code: 'not-author' });
    expect(anna.messages.slice(marks[0]).some((m) => m.action === 'Error')).toBe(false);
    await anna.close();
    const impostor = await t.join('Аня');
    expect(impostor.userName).toBe('Аня');
    expect(await refusal(impostor, { action: 'Edit', messageId: line.messageId, text: 'still mine' })).toMatchObject({ code: 'not-author' });
    await expectNothingBroadcast(t, [bob], [marks[1]!]);
    expect((await historyOf(bob, line.messageId! + 1)).messages.at(-1)).toEqual(line);
  });

  it('after the edit window is refused with edit-window-closed; deleting still works', async () => {
    const t = await startTestServer({ editWindowSeconds: 0 });
    const anna = await t.join('Аня');
    const bob = await t.join('Bob');
    const line = await say(anna, 'set in stone');
    await bob.waitFor(isLine('set in stone'));
    const mark = bob.mark();
    expect(await refusal(anna, { action: 'Edit', messageId: line.messageId, text: 'no' })).toMatchObject({ code: 'edit-window-closed' });
    await expectNothingBroadcast(t, [bob], [mark]);
    anna.send({ action: 'Delete', messageId: line.messageId });
    await bob.waitFor((m) => m.action === 'MessageDeleted');
  });

  it('refuses unknown ids, private lines, deleted lines, bad ids and bad text, each with its code, and nothing is sent', async () => {
    const t = await startTestServer();
    const anna = await t.join('Аня');
    const bob = await t.join('Bob');
    const line = await say(anna, 'public');
    anna.say('secret', bob.userId);
    const secret = (await bob.waitFor((m) => m.action === 'PrivateMessage' && m.text === 'secret')) as PrivateMessage;
    const gone = await say(anna, 'soon gone');
    anna.send({ action: 'Delete', messageId: gone.messageId });
    await bob.waitFor((m) => m.action === 'MessageDeleted');
    const mark = bob.mark();
    const cases: Array<[object, string]> = [
      [{ action: 'Edit', messageId: line.messageId! + 1_000, text: 'x' }, 'unknown-message'],
      [{ action: 'Delete', messageId: 1 }, 'unknown-message'],
      [{ action: 'Edit', messageId: secret.messageId, text: 'x' }, 'unknown-message'],
      [{ action: 'Delete', messageId: secret.messageId }, 'unknown-message'],
      [{ action: 'Edit', messageId: gone.messageId, text: 'back' }, 'unknown-message'],
      [{ action: 'Delete', messageId: gone.messageId }, 'unknown-message'],
      [{ action: 'Edit', messageId: String(line.messageId), text: 'x' }, 'invalid-message-id'],
      [{ action: 'Edit', messageId: -line.messageId!, text: 'x' }, 'invalid-message-id'],
      [{ action: 'Delete', messageId: line.messageId! + 0.5 }, 'invalid-message-id'],
      [{ action: 'Delete', messageId: 1e300 }, 'invalid-message-id'],
      [{ action: 'Delete' }, 'invalid-message-id'],
      [{ action: 'Edit', messageId: line.messageId, text: '   ' }, 'invalid-text'],
      [{ action: 'Edit', messageId: line.messageId, text: ['x'] }, 'invalid-text'],
      [{ action: 'Edit', messageId: line.messageId, text: 'x'.repeat(4097) }, 'text-too-long'],
    ];
    for (const [message, code] of cases) expect(await refusal(anna, message), JSON.stringify(message).slice(0, 80)).toMatchObject({ code });
    await expectNothingBroadcast(t, [bob], [mark]);
    // The connection stays, and the line is as it was.
    expect((await historyOf(anna, line.messageId! + 1)).messages.at(-1)).toEqual(line);
  });

  it('is rate-limited like chat', async () => {
    const t = await startTestServer({ rateBurst: 3, ratePerSecond: 0.001 });
    const anna = await t.join('Аня');
    const bob = await t.join('Bob');
    const line = await say(anna, 'v0');
    for (let i = 1; i <= 4; i++) anna.send({ action: 'Edit', messageId: line.messageId, text: `v${i}` });
    expect(await anna.waitFor((m) => m.action === 'Error')).toMatchObject({ code: 'rate-limited' });
    await bob.waitFor((m) => m.action === 'MessageEdited' && m.text === 'v2');
    await expectNothingBroadcast(t, [bob], [bob.mark()]);
    expect(bob.all('MessageEdited').map((m) => m.text)).toEqual(['v1', 'v2']);
  });
});

describe('Delete (issue 12, §4)', () => {
  it('by the author: everyone gets MessageDeleted; History keeps a tombstone without the old text', async () => {
    const t = await startTestServer();
    const anna = await t.join('Аня');
    const bob = await t.join('Bob');
    const line = await say(anna, 'regrettable');
    const after = await say(anna, 'fine');
    anna.send({ action: 'Edit', messageId: line.messageId, text: 'more regrettable' });
    await bob.waitFor((m) => m.action === 'MessageEdited');
    anna.send({ action: 'Delete', messageId: line.messageId });
    for (const c of [anna, bob]) expect(await c.waitFor((m) => m.action === 'MessageDeleted')).toEqual({ action: 'MessageDeleted', messageId: line.messageId });
    const mark = bob.frames.length;
    const page = await historyOf(bob, after.messageId! + 1);
    expect(page.messages).toEqual([
      { action: 'PublicMessage', userId: anna.userId, userName: 'Аня', gender: 0, userColor: line.userColor, text: '', messageId: line.messageId, sentAt: line.sentAt, deleted: true },
      after,
    ]);
    expect(bob.frames.slice(mark).join('')).not.toContain('regrettable');
    const carol = await t.join('Carol');
    const onJoin = carol.frames.find((f) => f.includes('"action":"History"'))!;
    expect(onJoin).toContain('"deleted":true');
    expect(onJoin).not.toContain('regrettable');
  });

  it('with a state file: the edit and the tombstone are what a restarted server remembers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simplechat-edits-'));
    dirs.push(dir);
    const path = join(dir, 'state.jsonl');
    const first = await startTestServer({ stateFile: path });
    const anna = await first.join('Аня');
    const edited = await say(anna, 'first draft');
    const deleted = await say(anna, 'oops');
    anna.send({ action: 'Edit', messageId: edited.messageId, text: 'final' });
    anna.send({ action: 'Delete', messageId: deleted.messageId });
    await anna.waitFor((m) => m.action === 'MessageDeleted');
    await first.server.close();
    const second = await startTestServer({ stateFile: path });
    const bob = await second.join('Bob');
    const history = await bob.waitFor(isHistory);
    expect(history.messages.map((m) => [m.messageId, m.text, m.deleted ?? false, typeof m.editedAt])).toEqual([
      [edited.messageId, 'final', false, 'number'],
      [deleted.messageId, '', true, 'undefined'],
    ]);
    expect(bob.frames.join('')).not.toMatch(/first draft|oops/);
    // A line from before the restart has no author the server knows: no one may change it.
    const resumed = await second.join({ userName: 'Аня', sessionToken: anna.authorized.sessionToken! });
    expect(await refusal(resumed, { action: 'Edit', messageId: edited.messageId, text: 'again' })).toMatchObject({ code: 'not-author' });
  });
});

describe('a resumed session (issue 12, §3: nothing lost after a reconnect)', () => {
  it('is told of the edits and deletions it missed on lines it had, in their state now; newer lines come as they are', async () => {
    const t = await startTestServer({ pingIntervalMs: 30 });
    const anna = await t.join('Аня');
    const bob = await t.join('Bob');
    const token = bob.authorized.sessionToken!;
    const edited = await say(anna, 'draft');
    const deleted = await say(anna, 'mistake');
    const untouched = await say(anna, 'fine');
    await bob.waitFor(isLine('fine'));
    // Three answered pings after the lines: the server knows Bob has them.
    const pings = bob.all('Ping').length;
    await bob.waitFor(() => bob.all('Ping').length >= pings + 3, 2000, 'three more pings');
    bob.ws.pause(); // the network froze: nothing read, nothing answered
    anna.send({ action: 'Edit', messageId: edited.messageId, text: 'draft 2' });
    anna.send({ action: 'Edit', messageId: edited.messageId, text: 'final' });
    anna.send({ action: 'Delete', messageId: deleted.messageId });
    const later = await say(anna, 'later');
    anna.send({ action: 'Edit', messageId: later.messageId, text: 'later, edited' });
    await anna.waitFor((m) => m.action === 'MessageEdited' && m.text === 'later, edited');
    const again = await t.join({ userName: 'Bob', sessionToken: token }, { awaitOwnConnected: false });
    const history = await again.waitFor(isHistory);
    expect(history.messages.map((m) => [m.messageId, m.text])).toEqual([[later.messageId, 'later, edited']]);
    await again.waitFor((m) => m.action === 'MessageDeleted');
    await again.waitFor((m) => m.action === 'MessageEdited');
    const changes = again.messages.filter((m) => m.action === 'MessageEdited' || m.action === 'MessageDeleted');
    expect(changes).toHaveLength(2);
    expect(changes).toContainEqual({ action: 'MessageDeleted', messageId: deleted.messageId });
    expect(changes).toContainEqual({ action: 'MessageEdited', messageId: edited.messageId, text: 'final', editedAt: expect.any(Number) });
    expect(changes.some((m) => m.messageId === untouched.messageId)).toBe(false);
  });
});

describe('Quote (issue 12, §5)', () => {
  it('a reply carries the quoted line’s author and excerpt, from the server’s record; the text is unchanged', async () => {
    const t = await startTestServer();
    const anna = await t.join('Аня');
    const bob = await t.join('Bob');
    const quoted = await say(anna, 'is 2 < 3 & {Bob} "sure"?');
    const reply = await say(bob, 'yes {Аня}', { replyTo: quoted.messageId });
    const expected = { messageId: quoted.messageId, userName: 'Аня', excerpt: 'is 2 &lt; 3 &amp; Bob &quot;sure&quot;?' };
    expect(reply).toMatchObject({ text: 'yes <b>Аня</b>', replyTo: expected });
    expect(await anna.waitFor(isLine('yes <b>Аня</b>'))).toMatchObject({ replyTo: expected });
    expect((await historyOf(anna, reply.messageId! + 1)).messages.at(-1)).toEqual(reply);
    // A private reply to a public line.
    bob.send({ text: 'psst', toUserId: anna.userId, replyTo: quoted.messageId });
    expect(await anna.waitFor((m) => m.action === 'PrivateMessage' && m.text === 'psst')).toMatchObject({ replyTo: expected });
  });

  it('cuts a long excerpt at a word, at most 140 characters', async () => {
    const t = await startTestServer();
    const anna = await t.join('Аня');
    const words = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
    const quoted = await say(anna, words);
    const reply = await say(anna, 'tl;dr', { replyTo: quoted.messageId });
    const excerpt = reply.replyTo!.excerpt;
    expect(Array.from(excerpt).length).toBeLessThanOrEqual(MAX_EXCERPT_LENGTH);
    expect(excerpt.endsWith('…')).toBe(true);
    expect(words.startsWith(excerpt.slice(0, -1))).toBe(true);
    expect(words[excerpt.length - 1]).toBe(' ');
    // A text with no space is cut mid-word, still short.
    expect(Array.from(excerptOf('ж'.repeat(500))).length).toBe(MAX_EXCERPT_LENGTH);
    expect(excerptOf('&amp;'.repeat(200))).toBe(`${'&amp;'.repeat(139)}…`);
  });

  it('refuses a replyTo that is unknown, private, deleted or not a positive integer, and nothing is sent', async () => {
    const t = await startTestServer();
    const anna = await t.join('Аня');
    const bob = await t.join('Bob');
    const line = await say(anna, 'public');
    anna.say('secret', bob.userId);
    const secret = (await bob.waitFor((m) => m.action === 'PrivateMessage')) as PrivateMessage;
    const gone = await say(anna, 'gone');
    anna.send({ action: 'Delete', messageId: gone.messageId });
    await bob.waitFor((m) => m.action === 'MessageDeleted');
    const mark = bob.mark();
    const cases: Array<[unknown, string]> = [
      [line.messageId! + 1_000, 'unknown-reply'],
      [secret.messageId, 'unknown-reply'],
      [gone.messageId, 'unknown-reply'],
      [String(line.messageId), 'invalid-message-id'],
      [0, 'invalid-message-id'],
      [{ messageId: line.messageId, userName: 'Bob', excerpt: 'forged' }, 'invalid-message-id'],
    ];
    for (const [replyTo, code] of cases) {
      expect(await refusal(anna, { action: 'Message', text: 'reply', toUserId: 0, replyTo })).toMatchObject({ code });
      expect(await refusal(anna, { text: 'private reply', toUserId: bob.userId, replyTo })).toMatchObject({ code });
    }
    await expectNothingBroadcast(t, [bob], [mark]);
    expect(bob.messages.slice(mark).some((m) => m.action === 'PrivateMessage')).toBe(false);
  });

  it('deleting a quoted line empties its excerpt in the replies, so no History shows the deleted text', async () => {
    const t = await startTestServer();
    const anna = await t.join('Аня');
    const bob = await t.join('Bob');
    const quoted = await say(anna, 'my secret plan');
    const reply = await say(bob, 'great plan', { replyTo: quoted.messageId });
    const other = await say(bob, 'unrelated');
    anna.send({ action: 'Delete', messageId: quoted.messageId });
    await bob.waitFor((m) => m.action === 'MessageDeleted');
    const mark = bob.frames.length;
    const page = await historyOf(bob, other.messageId! + 1);
    expect(page.messages.slice(-2)).toEqual([{ ...reply, replyTo: { messageId: quoted.messageId, userName: 'Аня', excerpt: '' } }, other]);
    expect(bob.frames.slice(mark).join('')).not.toContain('secret');
  });
});

describe('the original Qt client and replies (issue 12, §3, §5)', () => {
  /** Our test client's message as the raw Qt socket got it. */
  const qtLine = (qt: RawWebSocket, text: RegExp) =>
    qt.waitForMessage((m) => (m.action === 'PublicMessage' || m.action === 'PrivateMessage') && typeof m.text === 'string' && text.test(m.text));

  it('gets a reply as text that starts with a quote line, while ours get the structured quote; edits and deletes are frames it ignores', async () => {
    const t = await startTestServer();
    const qt = await RawWebSocket.open(t.port, qtClientHandshake());
    const authorized = await qt.waitForMessage((m) => m.action === 'Authorized');
    const ours = await t.join('Ours');
    const other = await t.join('Other');
    qt.sendText(JSON.stringify({ text: 'what do you think, {Ours}?', toUserId: 0 }));
    const quoted = await ours.waitFor((m): m is PublicMessage => m.action === 'PublicMessage' && m.userId === authorized.userId);
    const reply = await say(ours, 'I think <so>', { replyTo: quoted.messageId });
    expect(reply).toMatchObject({ text: 'I think &lt;so&gt;', replyTo: { messageId: quoted.messageId, userName: 'Инкогнито', excerpt: 'what do you think, Ours?' } });
    expect(await other.waitFor(isLine('I think &lt;so&gt;'))).toMatchObject({ replyTo: reply.replyTo });
    const forQt = await qtLine(qt, /I think/);
    expect(forQt).toEqual({
      action: 'PublicMessage',
      userId: ours.userId,
      userName: 'Ours',
      gender: 0,
      userColor: reply.userColor,
      text: '» <i>Инкогнито: what do you think, Ours?</i><br>I think &lt;so&gt;',
      messageId: reply.messageId,
      sentAt: reply.sentAt,
    });
    // A private reply to the Qt user, adapted the same way.
    ours.send({ text: 'just you', toUserId: authorized.userId, replyTo: quoted.messageId });
    expect(await qtLine(qt, /just you/)).toMatchObject({ action: 'PrivateMessage', text: '» <i>Инкогнито: what do you think, Ours?</i><br>just you' });
    expect(await ours.waitFor((m) => m.action === 'PrivateMessage' && m.text === 'just you')).toMatchObject({ replyTo: reply.replyTo });
    // The Qt client's own line stays its own: no one else may edit or delete it.
    expect(await refusal(ours, { action: 'Delete', messageId: quoted.messageId })).toMatchObject({ code: 'not-author' });
    ours.send({ action: 'Edit', messageId: reply.messageId, text: 'changed my mind' });
    ours.send({ action: 'Delete', messageId: reply.messageId });
    await qt.waitForMessage((m) => m.action === 'MessageEdited' && m.messageId === reply.messageId);
    await qt.waitForMessage((m) => m.action === 'MessageDeleted' && m.messageId === reply.messageId);
    // It still chats as before.
    qt.sendText(JSON.stringify({ text: 'still here', toUserId: 0 }));
    await other.waitFor(isLine('still here'));
    qt.destroy();
  });

  it('is known by its Origin alone, or by its request line alone', async () => {
    const t = await startTestServer();
    const ours = await t.join('Ours');
    const quoted = await say(ours, 'quote me');
    const byOrigin = await RawWebSocket.open(t.port, handshakeWithTarget('/?userName=ByOrigin', ['Origin: SimpleChatClient']));
    const byLine = await RawWebSocket.open(t.port, handshakeWithTarget('?userName=ByLine'));
    const notQt = await RawWebSocket.open(t.port, handshakeWithTarget('/?userName=Plain'));
    for (const raw of [byOrigin, byLine, notQt]) await raw.waitForMessage((m) => m.action === 'Authorized');
    await say(ours, 'reply', { replyTo: quoted.messageId });
    for (const raw of [byOrigin, byLine]) expect(await qtLine(raw, /reply$/)).toMatchObject({ text: '» <i>Ours: quote me</i><br>reply' });
    const plain = await qtLine(notQt, /reply$/);
    expect(plain).toMatchObject({ text: 'reply', replyTo: { messageId: quoted.messageId } });
    for (const raw of [byOrigin, byLine, notQt]) raw.destroy();
  });
});

describe('--edit-window-s', () => {
  it('sets editWindowSeconds; 0 turns edits off', () => {
    expect(parseCliArgs(['--edit-window-s', '600'])).toMatchObject({ kind: 'run', config: { editWindowSeconds: 600 } });
    expect(parseCliArgs(['--edit-window-s', '0'])).toMatchObject({ kind: 'run', config: { editWindowSeconds: 0 } });
    expect(parseCliArgs(['--edit-window-s', '-1']).kind).toBe('usage-error');
    expect(parseCliArgs(['--edit-window-s', '1.5']).kind).toBe('usage-error');
  });
});
