import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/*
 * A room's key is kept only as a slow salted hash: a stolen database gives no key, and
 * each guess at one costs a guesser what it costs the server. The hash runs on libuv's
 * thread pool, so the event loop (everyone's chat) never waits for it.
 */

/** scrypt's cost: 16 MiB and some tens of ms per hash (Node's defaults). */
const COST = 16_384;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
const SCHEME = 'scrypt';

function derive(key: string, salt: Buffer, cost: number, blockSize: number, parallelism: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(key, salt, HASH_BYTES, { N: cost, r: blockSize, p: parallelism, maxmem: 256 * cost * blockSize }, (error, hash) => {
      if (error !== null) reject(error);
      else resolve(hash);
    });
  });
}

/** `scrypt$N$r$p$<salt>$<hash>` (base64url), for the store. */
export async function hashRoomKey(key: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(key, salt, COST, BLOCK_SIZE, PARALLELISM);
  return [SCHEME, COST, BLOCK_SIZE, PARALLELISM, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/** Whether `key` is the one `stored` was made from; compared in constant time. A record it cannot read matches nothing. */
export async function roomKeyMatchesHash(key: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== SCHEME) return false;
  const [cost, blockSize, parallelism] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64url');
  const expected = Buffer.from(parts[5]!, 'base64url');
  if (![cost, blockSize, parallelism].every((n) => Number.isSafeInteger(n) && n > 0) || expected.length !== HASH_BYTES) return false;
  if (cost > 1 << 20 || blockSize > 64 || parallelism > 16) return false;
  let hash: Buffer;
  try {
    hash = await derive(key, salt, cost, blockSize, parallelism);
  } catch {
    return false;
  }
  return timingSafeEqual(hash, expected);
}
