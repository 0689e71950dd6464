import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HistoryMessage, PublicMessage, ServerMessage } from '../../../src-shared/protocol';
import { startChatServer } from '../../../src-main/server';
import { ChatClient, chatUrl } from '../../support/chat-client';
import { startTestServer } from './helpers';

const isHistory = (m: ServerMessage): m is HistoryMessage => m.action === 'History';
const isText = (text: string) => (m: ServerMessage) => m.action === 'PublicMessage' && m.text === text;
const texts = (history: HistoryMessage): string[] => history.messages.map((m) => m.text);

describe('message ids and times (issue 12, §1)', () => {
  it('every line has a messageId that rises in the order the server took the lines, and the server’s time', async () => {
    const t = await startTestServer();
    const a = await t.join('a');
    const b = await t.join('b');
    const before = Date.now();
    a.say('one');
    b.say('two');
    a.say('to b', b.userId);
    a.say('three');
    await a.waitFor(isText('three'));
    const after = Date.now();
    const lines = a.messages.filter((m): m is Extract<ServerMessage, { action: 'PublicMessage' | 'PrivateMessage' }> =>
      m.action === 'PublicMessage' || m.action === 'PrivateMessage',
    );
    // b's line may be taken anywhere among a's; each arrives in the order the server took it.
    expect(lines.map((m) => m.text).sort()).toEqual(['one', 'three', 'to b', 'two']);
    const ids = lines.map((m) => m.messageId!);
    for (const id of ids) expect(Number.isSafeInteger(id) && id > 0).toBe(true);
    expect([...ids].sort((x, y) => x - y)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of lines) expect(m.sentAt! >= before && m.sentAt! <= after).toBe(true);
  });

  it('ids go on rising after a restart, even without a state file', async () => {
    const first = await startChatServer({ host: '127.0.0.1', port: 0 });
    const a = await ChatClient.connect(chatUrl(first.port, { userName: 'a' }));
    a.say('before');
    const old = (await a.waitFor(isText('before'))) as PublicMessage;
    a.terminate();
    await first.close();
    const second = await startChatServer({ host: '127.0.0.1', port: 0 });
    try {
      const b = await ChatClient.connect(chatUrl(second.port, { userName: 'b' }));
      b.say('after');
      const fresh = (await b.waitFor(isText('after'))) as PublicMessage;
      expect(fresh.messageId!).toBeGreaterThan(old.messageId!);
      b.terminate();
    } finally {
      await second.close();
    }
  });
});

describe('history on join (issue 12, §3)', () => {
  it('a new login gets the room’s last lines right after Authorized, oldest first, with hasMore', async () => {
    const t = await startTestServer({ historyOnJoin: 3 });
    const a = await t.join('a');
    for (const text of ['l1', 'l2', 'l3', 'l4']) a.say(text);
    await a.waitFor(isText('l4'));
    const b = await t.join('b');
    const authorizedAt = b.messages.findIndex((m) => m.action === 'Authorized');
    const history = await b.waitFor(isHistory);
    expect(b.messages.indexOf(history)).toBe(authorizedAt + 1);
    expect(texts(history)).toEqual(['l2', 'l3', 'l4']);
    expect(history.hasMore).toBe(true);
    expect(history.messages[0]).toMatchObject({ action: 'PublicMessage', userName: 'a', messageId: expect.any(Number), sentAt: expect.any(Number) });
  });

  it('an empty room says there is nothing more; private lines are never in it', async () => {
    const t = await startTestServer();
    const a = await t.join('a');
    const first = a.messages.find(isHistory)!;
    expect(first).toEqual({ action: 'History', messages: [], hasMore: false });
    const b = await t.join('b');
    a.say('secret', b.userId);
    await b.waitFor((m) => m.action === 'PrivateMessage');
    const c = await t.join('c');
    expect(c.messages.find(isHistory)).toEqual({ action: 'History', messages: [], hasMore: false });
  });

  it('--history-on-join 0 sends none', async () => {
    const t = await startTestServer({ historyOnJoin: 0 });
    const a = await t.join('a');
    a.say('x');
    await a.waitFor(isText('x'));
    const b = await t.join('b');
    b.say('marker');
    await b.waitFor(isText('marker'));
    expect(b.messages.some(isHistory)).toBe(false);
  });
});

describe('history on request (issue 12, §3)', () => {
  it('pages backwards from a messageId, oldest first, until hasMore is false', async () => {
    const t = await startTestServer({ historyOnJoin: 2, rateBurst: 100 });
    const a = await t.join('a');
    for (let i = 1; i <= 7; i++) a.say(`n${i}`);
    await a.waitFor(isText('n7'));
    const b = await t.join('b');
    const onJoin = await b.waitFor(isHistory);
    expect(texts(onJoin)).toEqual(['n6', 'n7']);
    const pages: string[][] = [];
    let before = onJoin.messages[0]!.messageId!;
    for (let round = 0; round < 5; round++) {
      const mark = b.mark();
      b.send({ action: 'History', before, limit: 2 });
      const page = await b.waitFor(isHistory, undefined, undefined, mark);
      pages.push(texts(page));
      if (!page.hasMore) break;
      before = page.messages[0]!.messageId!;
    }
    expect(pages).toEqual([['n4', 'n5'], ['n2', 'n3'], ['n1']]);
  });

  it.each([
    ['a before that is not an integer', { before: 1.5 }],
    ['a before that is a string', { before: '10' }],
    ['no before', {}],
    ['a negative limit', { before: 10, limit: -1 }],
    ['a limit of 0', { before: 10, limit: 0 }],
    ['an absurd limit', { before: 10, limit: 1e9 }],
    ['a limit that is an object', { before: 10, limit: { n: 5 } }],
  ])('%s gets an Error to the sender only, and the connection stays', async (_, fields) => {
    const t = await startTestServer();
    const observer = await t.join('observer');
    const sender = await t.join('sender');
    const mark = observer.mark();
    sender.send({ action: 'History', ...fields });
    expect(await sender.waitFor((m) => m.action === 'Error')).toMatchObject({ code: 'invalid-history-request' });
    sender.say('still here');
    await observer.waitFor(isText('still here'), undefined, undefined, mark);
    expect(observer.messages.slice(mark).filter((m) => m.action !== 'Ping' && m.action !== 'Connected').map((m) => m.action)).toEqual([
      'PublicMessage',
    ]);
  });
});

describe('history requests and the rate limit (issue 12, §6)', () => {
  it('a flood of History requests is refused like a flood of chat: rate-limited to the sender only, the others chat on', async () => {
    const t = await startTestServer({ rateBurst: 3, ratePerSecond: 0.5 });
    const observer = await t.join('observer');
    const flooder = await t.join('flooder');
    const mark = observer.mark();
    const flooderMark = flooder.mark();
    for (let i = 0; i < 5; i++) flooder.send({ action: 'History', before: Number.MAX_SAFE_INTEGER, limit: 1 });
    await flooder.waitFor((m) => m.action === 'Error' && m.code === 'rate-limited', undefined, undefined, flooderMark);
    const answers = flooder.messages.slice(flooderMark).filter((m) => m.action === 'History' || m.action === 'Error');
    // The burst of 3 answered, the excess refused: never more pages than the burst allows.
    expect(answers.filter(isHistory)).toHaveLength(3);
    observer.say('unbothered');
    await observer.waitFor(isText('unbothered'), undefined, undefined, mark);
    expect(observer.messages.slice(mark).some((m) => m.action === 'Error' || m.action === 'History')).toBe(false);
  });
});

describe('a state file keeps as many lines as memory does', () => {
  it('after a restart, paging back finds all the lines the server kept, not only the last 200', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simplechat-history-'));
    const stateFile = join(dir, 'state.jsonl');
    try {
      const first = await startChatServer({ host: '127.0.0.1', port: 0, stateFile, historyLines: 500, rateBurst: 1000, ratePerSecond: 1000 });
      const a = await ChatClient.connect(chatUrl(first.port, { userName: 'a' }));
      for (let i = 1; i <= 300; i++) a.say(`n${i}`);
      await a.waitFor(isText('n300'));
      a.terminate();
      await first.close();
      const second = await startChatServer({ host: '127.0.0.1', port: 0, stateFile, historyLines: 500 });
      try {
        const b = await ChatClient.connect(chatUrl(second.port, { userName: 'b' }));
        const seen: string[] = [];
        let before = Number.MAX_SAFE_INTEGER;
        for (let round = 0; round < 5; round++) {
          const mark = b.mark();
          b.send({ action: 'History', before, limit: 200 });
          const page = await b.waitFor(isHistory, undefined, undefined, mark);
          seen.unshift(...texts(page));
          if (!page.hasMore) break;
          before = page.messages[0]!.messageId!;
        }
        expect(seen).toHaveLength(300);
        expect(seen[0]).toBe('n1');
        b.terminate();
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
