import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/*
 * Short-lived download links for where a header cannot be sent (<img src>, a download
 * link): `?u=<userId>&exp=<ms>&sig=<HMAC>`. The HMAC covers the file, the user, the
 * expiry and that user's session token, so a link works only while that session is
 * live (and can see the file), and only until it expires. The key is made per run: a
 * restart ends every link (they are minutes long anyway).
 */

export interface LinkClaim {
  readonly userId: number;
  readonly expiresAt: number;
  readonly signature: string;
}

export class LinkSigner {
  private readonly key = randomBytes(32);

  sign(fileId: string, userId: number, sessionToken: string, expiresAt: number): string {
    return createHmac('sha256', this.key).update(`${fileId}\n${userId}\n${expiresAt}\n${sessionToken}`).digest('base64url');
  }

  /** The link's query string (no `?`). */
  query(fileId: string, userId: number, sessionToken: string, expiresAt: number): string {
    return `u=${userId}&exp=${expiresAt}&sig=${this.sign(fileId, userId, sessionToken, expiresAt)}`;
  }

  /** The claim a query string makes, or null when it makes none (or a malformed one). */
  static claimOf(query: URLSearchParams): LinkClaim | null {
    const u = query.get('u');
    const exp = query.get('exp');
    const sig = query.get('sig');
    if (u === null || exp === null || sig === null || !/^\d{1,10}$/.test(u) || !/^\d{1,15}$/.test(exp) || !/^[A-Za-z0-9_-]{43}$/.test(sig)) {
      return null;
    }
    return { userId: Number(u), expiresAt: Number(exp), signature: sig };
  }

  /** True when the claim was signed by this run for this file and session, and has not expired. */
  verify(fileId: string, claim: LinkClaim, sessionToken: string, now: number): boolean {
    if (claim.expiresAt <= now) return false;
    const expected = Buffer.from(this.sign(fileId, claim.userId, sessionToken, claim.expiresAt));
    const given = Buffer.from(claim.signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
