/*
 * A lasting identity: a random secret a client of ours keeps (the desktop app in its
 * settings, a browser in local storage) and sends at every login as `identity=…`. The
 * server remembers only a hash of it, with the name it last used, so the name stays
 * that client's and its private dialogs outlive the session. The Qt client sends none.
 */

/** 32 random bytes in base64url, no padding: 43 characters. */
export const IDENTITY_SECRET_LENGTH = 43;

const SECRET_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function isIdentitySecret(value: unknown): value is string {
  return typeof value === 'string' && SECRET_SHAPE.test(value);
}

interface RandomSource {
  getRandomValues(array: Uint8Array): Uint8Array;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A new secret from the platform's CSPRNG (Node, browsers and Electron all have `crypto.getRandomValues`). */
export function newIdentitySecret(): string {
  const bytes = new Uint8Array(32);
  (globalThis as unknown as { crypto: RandomSource }).crypto.getRandomValues(bytes);
  let out = '';
  // 6 bits per character; the last character carries the remaining 4 bits.
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += ALPHABET[(value >> bits) & 63];
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(value << (6 - bits)) & 63];
  return out;
}
