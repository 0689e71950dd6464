import { describe, expect, it } from 'vitest';
import { GENERATED_ROOM_KEY_LENGTH, ROOM_KEY_ALPHABET, generateRoomKey } from '../../../src-main/app/room-key';
import { roomServerConfig } from '../../../src-main/app/room-server';

describe('the room key the app makes', () => {
  it('is 10 characters from an alphabet without look-alikes, different each time', () => {
    const keys = new Set(Array.from({ length: 200 }, () => generateRoomKey()));
    expect(keys.size).toBe(200);
    for (const key of keys) {
      expect(key).toHaveLength(GENERATED_ROOM_KEY_LENGTH);
      expect(key).toMatch(/^[a-km-np-z2-9]+$/);
    }
    expect(ROOM_KEY_ALPHABET).not.toMatch(/[0o1lI]/);
    // Enough that guessing is hopeless: 32^10 ≈ 10^15.
    expect(ROOM_KEY_ALPHABET.length ** GENERATED_ROOM_KEY_LENGTH).toBeGreaterThan(1e15);
  });

  it('uses every letter of its alphabet', () => {
    let i = 0;
    const key = generateRoomKey(() => i++ % ROOM_KEY_ALPHABET.length);
    expect(key).toBe(ROOM_KEY_ALPHABET.slice(0, GENERATED_ROOM_KEY_LENGTH));
  });
});

describe('the hosted room’s server config', () => {
  it('takes the local network only, unless the user allowed the internet', () => {
    const base = { host: '::', port: 27800, webRoot: '/web' };
    expect(roomServerConfig(base)).toMatchObject({ peerScope: 'local-network', roomKey: null });
    expect(roomServerConfig({ ...base, roomKey: 'k', allowInternet: true })).toMatchObject({ peerScope: 'any', roomKey: 'k' });
    expect(roomServerConfig(base, { peerScope: 'any' }).peerScope).toBe('local-network');
  });
});
