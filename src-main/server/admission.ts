import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { CloseCode } from '../../src-shared/protocol';
import { isLoopback } from './addresses';
import type { ServerConfig } from './config';

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

export interface Refusal {
  code: number;
  reason: string;
}

export interface RoomState {
  readonly size: number;
  readonly isClosing: boolean;
  readonly idsExhausted: boolean;
  connectionsFrom(ip: string): number;
}

/**
 * Why a WebSocket that passed the Origin check may not join, or null. Sent as its close.
 * The code tells a client whether to come back: 1001 and 4008 (the server is going away,
 * the room is full for now) are worth retrying later; 4003 (the key) and 1008 are not.
 */
export function refusalFor(room: RoomState, config: ServerConfig, ip: string, roomKey: string | null): Refusal | null {
  if (room.isClosing) return { code: CloseCode.goingAway, reason: 'The server is shutting down' };
  if (config.roomKey !== null && !roomKeyMatches(config.roomKey, roomKey)) {
    return { code: CloseCode.forbidden, reason: roomKey === null ? 'This room needs a key' : 'Wrong room key' };
  }
  if (room.size >= config.maxConnections) return { code: CloseCode.tryLater, reason: 'The room is full' };
  if (room.idsExhausted) return { code: CloseCode.policyViolation, reason: 'The server has run out of user ids' };
  if (!(config.exemptLoopbackFromIpLimit && isLoopback(ip)) && room.connectionsFrom(ip) >= config.maxConnectionsPerIp) {
    return { code: CloseCode.tryLater, reason: 'Too many connections from your address' };
  }
  return null;
}
