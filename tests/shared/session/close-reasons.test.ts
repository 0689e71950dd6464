import { describe, expect, it } from 'vitest';
import { describeClose } from '../../../src-shared/session/close-reasons';

describe('describeClose', () => {
  it('gives up for good on a wrong key, a policy refusal and a takeover', () => {
    for (const code of [4003, 1008, 4000]) expect(describeClose(code, '').final).toBe(true);
  });

  it('gives up on 4029 (too many wrong keys) and says when to try again, taking only the number from the peer', () => {
    expect(describeClose(4029, 'Too many wrong room keys from your address: try again in 12 s')).toEqual({
      reason: 'Too many wrong room keys from your address: try again in 12 s.',
      final: true,
      about: 'key',
    });
    expect(describeClose(4029, 'Too many wrong room keys: try again in 3 s').reason).toBe('Too many wrong room keys: try again in 3 s.');
    expect(describeClose(4029, '')).toEqual({ reason: 'Too many wrong room keys from your address: try again later.', final: true, about: 'key' });
    expect(describeClose(4029, 'slow\ndown').reason).toBe('Too many wrong room keys from your address: try again later (the server says: slow down).');
  });

  it('keeps trying after 4008 (room full, try later), a lost connection and a server going away', () => {
    expect(describeClose(4008, 'Room full')).toEqual({ reason: 'The server is busy: Room full. Trying again later.', final: false });
    expect(describeClose(1006, '').final).toBe(false);
    expect(describeClose(1001, 'restart')).toEqual({ reason: 'The server is going away: restart', final: false });
  });

  it('shows a peer reason only as cleaned text', () => {
    expect(describeClose(4999, 'a\u0000\nb').reason).toBe('The server closed the connection: a b (code 4999).');
  });
});

describe('describeClose: a room for the local network only', () => {
  it('says why, instead of blaming the room key', () => {
    const verdict = describeClose(4003, 'This room accepts only the local network');
    expect(verdict.final).toBe(true);
    expect(verdict.reason).toMatch(/only computers on its local network/);
    expect(verdict.reason).not.toMatch(/key/);
  });
});
