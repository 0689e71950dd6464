import { randomInt } from 'node:crypto';

/*
 * The key the app makes for the room it hosts: 10 characters from an alphabet without
 * look-alikes (lower case, no o/0, no l/1), so it can be read aloud or typed on a phone.
 * 32^10 is about 10^15: at the server's few tries a minute per address, guessing is hopeless.
 */

export const ROOM_KEY_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
export const GENERATED_ROOM_KEY_LENGTH = 10;

export function generateRoomKey(pick: (max: number) => number = randomInt): string {
  let key = '';
  for (let i = 0; i < GENERATED_ROOM_KEY_LENGTH; i++) key += ROOM_KEY_ALPHABET[pick(ROOM_KEY_ALPHABET.length)]!;
  return key;
}
