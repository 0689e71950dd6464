import { describe, expect, it } from 'vitest';
import { AwaitedAnswers } from '../../../src-shared/session/awaited-answers';

describe('AwaitedAnswers', () => {
  const chat = (id: string) => ({ kind: 'chat', id }) as const;
  const history = { kind: 'history', frame: '{"action":"History"}' } as const;
  const change = (messageId: number) => ({ kind: 'change', messageId, frame: '{}' }) as const;

  it('gives an Error to the oldest frame that can get its code, and nothing to an Error about none', () => {
    const awaited = new AwaitedAnswers();
    awaited.written(change(3));
    awaited.written(chat('m1'));
    awaited.written(history);
    expect(awaited.takeError('invalid-recipient')).toEqual(chat('m1'));
    expect(awaited.takeError('invalid-history-request')).toEqual(history);
    expect(awaited.takeError('invalid-parameter')).toBeUndefined();
    expect(awaited.takeError('rate-limited')).toEqual(change(3));
    expect(awaited.takeError('rate-limited')).toBeUndefined();
  });

  it('an answer settles its frame and every one written before it', () => {
    const awaited = new AwaitedAnswers();
    for (const a of [chat('m1'), change(3), chat('m2'), history, chat('m3')]) awaited.written(a);
    awaited.settleLast((a) => a.kind === 'chat' && a.id !== 'm3');
    expect(awaited.size).toBe(2);
    awaited.settleFirst((a) => a.kind === 'change');
    expect(awaited.size).toBe(2);
    awaited.settleFirst((a) => a.kind === 'history');
    expect(awaited.takeError('rate-limited')).toEqual(chat('m3'));
    awaited.written(chat('m4'));
    awaited.clear();
    expect(awaited.size).toBe(0);
  });
});
