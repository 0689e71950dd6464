import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { CloseCode } from '../../src-shared/protocol';
import { isLoopback } from './addresses';
import type { ServerConfig } from './config';
import { JoinRate } from './join-rate';
import { KeyGuard } from './key-guard';
import type { KeyLockout } from './key-guard';
import type { Refusal } from './refusal';

/*
 * Who may come in. Browsers are kept to the server's own origin (the web UI it serves)
 * and any the host allowed, so a foreign web page on the LAN cannot join through a
 * visitor's browser; native clients send no Origin (ours) or `SimpleChatClient` (the
 * Qt client). Then the room key, then the limits.
 */

/** The Qt client's Origin header. */
export const QT_CLIENT_ORIGIN = 'SimpleChatClient';

function hostnameOf(hostHeader: string): string {
  const host = hostHeader.trim().toLowerCase();
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']') === -1 ? undefined : host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

/**
 * A Host header a DNS-rebinding page cannot produce: an IP address, localhost, or this
 * machine's own name. A page on evil.example rebound to our address still says
 * `Host: evil.example`, so its same-looking origin is not taken as ours.
 */
export function isTrustworthyHost(hostHeader: string): boolean {
  const name = hostnameOf(hostHeader);
  if (isIP(name) !== 0) return true;
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  const own = hostname().toLowerCase();
  return name === own || name === `${own}.local`;
}

/**
 * May a WebSocket handshake with this Origin come in? Native clients (no Origin, or
 * the Qt client's) always; browsers from our own origin, or one in `allowedOrigins`
 * (`*` allows every origin).
 */
export function isAllowedOrigin(
  origin: string | undefined,
  hostHeader: string | undefined,
  secure: boolean,
  allowedOrigins: readonly string[],
): boolean {
  if (origin === undefined || origin === QT_CLIENT_ORIGIN) return true;
  const asked = origin.toLowerCase();
  if (allowedOrigins.some((allowed) => allowed === '*' || allowed.toLowerCase() === asked)) return true;
  if (hostHeader === undefined) return false;
  const own = `${secure ? 'https' : 'http'}://${hostHeader.trim().toLowerCase()}`;
  return asked === own && isTrustworthyHost(hostHeader);
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Compares keys in constant time (by their digests, so lengths do not leak either). */
export function roomKeyMatches(expected: string, given: string | null): boolean {
  return given !== null && timingSafeEqual(digest(expected), digest(given));
}

export interface RoomState {
  readonly size: number;
  readonly isClosing: boolean;
  /** A user id for this login: its session's own, or a free one (false only when every id is taken). */
  hasIdFor(sessionToken: string | null): boolean;
  /** A session online or held for a resume (its token was given to a client that had the key). */
  knowsSession(sessionToken: string | null): boolean;
  connectionsFrom(ip: string): number;
}

/** Who is knocking: the client's address and what it brought. */
export interface Applicant {
  /** The client's address (behind a trusted proxy, read from X-Forwarded-For). */
  ip: string;
  /** The TCP peer is a trusted proxy: then loopback is not exempt, since every client would be. */
  viaProxy: boolean;
  roomKey: string | null;
  sessionToken: string | null;
}

/** The per-address state admission keeps besides the room: wrong keys and join rates. */
export class AdmissionGuards {
  readonly keys: KeyGuard;
  readonly joins: JoinRate;

  constructor(config: ServerConfig) {
    this.keys = new KeyGuard(
      {
        triesPerAddress: config.keyTriesPerAddress,
        triesPerRoom: config.keyTriesPerRoom,
        windowMs: config.keyTryWindowMs,
        lockoutMaxMs: config.keyLockoutMaxMs,
      },
      config.log,
    );
    this.joins = new JoinRate({ burst: config.joinBurst, perSecond: config.joinsPerSecond });
  }

  /** Forgets what is past its window; the heartbeat calls it. */
  sweep(now: number = performance.now()): void {
    this.keys.sweep(now);
    this.joins.sweep(now);
  }
}

/** Is this applicant held to the per-address limits? */
export function isHeldToAddressLimits(config: ServerConfig, applicant: Applicant): boolean {
  return !(config.exemptLoopbackFromIpLimit && !applicant.viaProxy && isLoopback(applicant.ip));
}

function lockoutRefusal(lockout: KeyLockout): Refusal {
  const seconds = Math.max(1, Math.ceil(lockout.retryAfterMs / 1000));
  const whose = lockout.scope === 'address' ? ' from your address' : '';
  return { code: CloseCode.tooManyKeyTries, reason: `Too many wrong room keys${whose}: try again in ${seconds} s`, logged: true };
}

/**
 * Why a WebSocket that passed the Origin check may not join, or null. Sent as its close.
 * The code tells a client whether to come back: 1001 and 4008 (the server is going away,
 * the room is full for now) are worth retrying later; 4003 (the key), 4029 (too many
 * wrong keys: not before the time it names) and 1008 are not. A refusal for a wrong
 * key is counted; a join let in takes from the address's join allowance.
 */
export function refusalFor(
  room: RoomState,
  config: ServerConfig,
  applicant: Applicant,
  guards: AdmissionGuards,
  now: number = performance.now(),
): Refusal | null {
  if (room.isClosing) return { code: CloseCode.goingAway, reason: 'The server is shutting down' };
  const { ip, roomKey } = applicant;
  if (config.roomKey !== null) {
    if (roomKey === null) return { code: CloseCode.forbidden, reason: 'This room needs a key' };
    // A member coming back with its session token got in with the key before; a lockout
    // (perhaps the whole room's, under a guess from elsewhere) is not about it.
    const lockout = room.knowsSession(applicant.sessionToken) ? null : guards.keys.check(ip, now);
    if (lockout !== null) return lockoutRefusal(lockout);
    if (!roomKeyMatches(config.roomKey, roomKey)) {
      guards.keys.failed(ip, now);
      return { code: CloseCode.forbidden, reason: 'Wrong room key', logged: true };
    }
  }
  if (room.size >= config.maxConnections) return { code: CloseCode.tryLater, reason: 'The room is full' };
  if (!room.hasIdFor(applicant.sessionToken)) return { code: CloseCode.tryLater, reason: 'Every user id is in use' };
  const held = isHeldToAddressLimits(config, applicant);
  if (held && room.connectionsFrom(ip) >= config.maxConnectionsPerIp) {
    return { code: CloseCode.tryLater, reason: 'Too many connections from your address' };
  }
  if (held && !guards.joins.take(ip, now)) return { code: CloseCode.tryLater, reason: 'Too many logins from your address: slow down' };
  return null;
}
