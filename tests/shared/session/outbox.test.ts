import { describe, expect, it } from 'vitest';
import type { PrivateMessage, PublicMessage } from '../../../src-shared/protocol';
import { formatChatText } from '../../../src-shared/protocol';
import { Outbox } from '../../../src-shared/session';

const ME = 5;
const who = { userId: ME, userName: 'Аня', gender: 2 as const, userColor: '#16a085' };
const publicEcho = (text: string, userId = ME): PublicMessage => ({ action: 'PublicMessage', ...who, userId, text: formatChatText(text) });
const privateEcho = (text: string, toUserId: number, error?: 'recipient-offline'): PrivateMessage => {
  const message: PrivateMessage = { action: 'PrivateMessage', ...who, text: error ? 'Не удалось отправить сообщение' : formatChatText(text), toUserId };
  if (error) message.error = error;
  return message;
};

/** Adds the texts (public unless `to` given) and writes them all, in order. */
function sentBox(...items: (string | [string, number])[]): { box: Outbox; ids: string[] } {
  const box = new Outbox();
  const ids = items.map((item) => {
    const [text, to] = typeof item === 'string' ? [item, 0] : item;
    return box.add(text, to, 1_000)!.id;
  });
  for (const id of ids) box.markSent(id, true);
  return { box, ids };
}

const texts = (box: Outbox): string[] => box.snapshot().map((p) => p.text);

describe('Outbox', () => {
  it('keeps messages in order with unique ids and says which are on their way', () => {
    const box = new Outbox();
    const a = box.add('a', 0, 1)!;
    const b = box.add('b', 3, 2)!;
    expect(a.id).not.toBe(b.id);
    expect(box.snapshot()).toEqual([
      { id: a.id, text: 'a', toUserId: 0, queuedAt: 1, sending: false },
      { id: b.id, text: 'b', toUserId: 3, queuedAt: 2, sending: false },
    ]);
    expect(box.nextWaiting()?.id).toBe(a.id);
    box.markSent(a.id, true);
    expect(box.nextWaiting()?.id).toBe(b.id);
    expect(box.snapshot().map((p) => p.sending)).toEqual([true, false]);
  });

  it('refuses more than its capacity', () => {
    const box = new Outbox(2);
    expect(box.add('a', 0, 0)).toBeDefined();
    expect(box.add('b', 0, 0)).toBeDefined();
    expect(box.add('c', 0, 0)).toBeUndefined();
    expect(box.size).toBe(2);
  });

  it('cancels only what still waits', () => {
    const box = new Outbox();
    const a = box.add('a', 0, 0)!;
    const b = box.add('b', 0, 0)!;
    box.markSent(a.id, true);
    expect(box.cancel(a.id)).toBe(false);
    expect(box.cancel('m999')).toBe(false);
    expect(box.cancel(b.id)).toBe(true);
    expect(box.cancel(b.id)).toBe(false);
    expect(texts(box)).toEqual(['a']);
  });

  it('forgets at once what a server will not echo', () => {
    const box = new Outbox();
    const a = box.add('a', 7, 0)!;
    box.markSent(a.id, false);
    expect(box.size).toBe(0);
  });

  it('settles a public message on its echo, matched as the server formats it', () => {
    const { box } = sentBox('Hi {Bob} & <b>', 'second');
    expect(box.takeEcho(publicEcho('Hi {Bob} & <b>', 99), ME)).toBe(false);
    expect(box.takeEcho(publicEcho('Hi {Bob} & <b>'), 99)).toBe(false);
    expect(box.takeEcho(publicEcho('other'), ME)).toBe(false);
    expect(box.takeEcho(publicEcho('Hi {Bob} & <b>'), ME)).toBe(true);
    expect(texts(box)).toEqual(['second']);
  });

  it('settles the oldest of two equal texts first', () => {
    const { box, ids } = sentBox('same', 'same');
    box.takeEcho(publicEcho('same'), ME);
    expect(box.snapshot().map((p) => p.id)).toEqual([ids[1]]);
  });

  it('settles a private message on the sender\'s copy or on the recipient-offline copy', () => {
    const { box } = sentBox(['to three', 3], ['to four', 4], ['to three again', 3]);
    expect(box.takeEcho(privateEcho('to three', 4), ME)).toBe(false);
    expect(box.takeEcho(privateEcho('to three', 3), ME)).toBe(true);
    expect(box.takeEcho(privateEcho('', 4, 'recipient-offline'), ME)).toBe(true);
    expect(texts(box)).toEqual(['to three again']);
  });

  it('takes an answer to a later message as proof that earlier ones were answered', () => {
    const { box } = sentBox('unrecognised answer', 'b', 'c');
    const waiting = box.add('typed later', 0, 0)!;
    expect(box.takeEcho(publicEcho('b'), ME)).toBe(true);
    expect(texts(box)).toEqual(['c', 'typed later']);
    expect(box.nextWaiting()?.id).toBe(waiting.id);
  });

  it('settles the refusal of the message it names, and only while that one is in flight', () => {
    const { box, ids } = sentBox('a', 'b', 'c');
    const [a, b, c] = ids as [string, string, string];
    expect(box.requeueRefused(b)).toBe(true);
    expect(box.snapshot().map((p) => [p.text, p.sending])).toEqual([
      ['a', true],
      ['b', false],
      ['c', true],
    ]);
    expect(box.isAwaiting(b)).toBe(false);
    // Waiting, not in flight: nothing to refuse until it is written again.
    expect(box.takeRefused(b)).toBeUndefined();
    expect(box.requeueRefused(b)).toBe(false);
    box.markSent(box.nextWaiting()!.id, true);
    expect(box.isAwaiting(b)).toBe(true);
    expect(box.takeRefused(c)?.text).toBe('c');
    expect(box.takeRefused(c)).toBeUndefined();
    expect(texts(box)).toEqual(['a', 'b']);
    expect(box.takeRefused(a)?.text).toBe('a');
    expect(box.takeRefused('unknown')).toBeUndefined();
  });

  it('puts what was on its way back in line when the connection is lost', () => {
    const { box } = sentBox('a', 'b');
    box.add('c', 0, 0);
    expect(box.connectionLost()).toBe(true);
    expect(box.snapshot().map((p) => p.sending)).toEqual([false, false, false]);
    expect(box.nextWaiting()?.text).toBe('a');
    expect(box.connectionLost()).toBe(false);
  });

  it('finds in a resumed session\'s History what the server took before the loss', () => {
    const { box } = sentBox('a', 'b', ['private', 3]);
    box.add('typed while away', 0, 0);
    box.connectionLost();
    const history = [publicEcho('someone else', 8), publicEcho('b'), publicEcho('typed while away'), publicEcho('a', 8)];
    expect(box.takeHistory(history, ME)).toBe(true);
    // Only messages that were written can be in the History; another user's 'a' is not ours.
    expect(texts(box)).toEqual(['a', 'private', 'typed while away']);
    expect(box.takeHistory([], ME)).toBe(false);
  });

  it('tells a History line already echoed from a same-text one still waiting, by messageId (issue 12)', () => {
    const { box } = sentBox('same', 'same');
    // The first was echoed; the connection went before the second's echo.
    expect(box.takeEcho({ ...publicEcho('same'), messageId: 40 }, ME)).toBe(true);
    box.connectionLost();
    // The resumed History starts before the last acknowledged Ping: the first 'same' comes again, the second never arrived.
    expect(box.takeHistory([{ ...publicEcho('same'), messageId: 40 }], ME)).toBe(false);
    expect(texts(box)).toEqual(['same']);
    // When the second did arrive, it is found.
    expect(box.takeHistory([{ ...publicEcho('same'), messageId: 40 }, { ...publicEcho('same'), messageId: 41 }], ME)).toBe(true);
    expect(texts(box)).toEqual([]);
  });

  it('takes out private messages typed under an earlier login, keeping public ones and later ones', () => {
    const box = new Outbox();
    box.add('public, login 1', 0, 0, 1);
    box.add('private, login 1', 3, 0, 1);
    box.add('private, login 2', 3, 0, 2);
    expect(box.takePrivateBefore(2).map((p) => p.text)).toEqual(['private, login 1']);
    expect(texts(box)).toEqual(['public, login 1', 'private, login 2']);
    expect(box.takePrivateBefore(2)).toEqual([]);
  });
});
