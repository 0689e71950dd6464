import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import { CloseCode, isValidCloseCode } from '../../src-shared/protocol';
import type { Gender, Identity, UserStatus } from '../../src-shared/protocol';
import type { Recipient } from './broadcast';
import type { KnownIdentity } from './identities';
import type { NameClaim } from './names';
import type { RateLimit, RateState } from './rate-limit';

/**
 * The WebSocket class the server creates, so each socket can point at its member and
 * the event handlers can be shared functions (`this` is the socket) instead of
 * closures made per connection.
 */
export class ChatSocket extends WebSocket {
  member: Member | null = null;

  /**
   * ws answers a client's close frame with the client's own code. 1012–1014 are valid
   * WebSocket codes the Qt client refuses, and the server only ever sends codes it
   * accepts, so any other code is answered with 1000.
   */
  override close(code?: number, reason?: string | Buffer): void {
    super.close(code === undefined || isValidCloseCode(code) ? code : CloseCode.normal, reason);
  }
}

/** Why a member left, as the others are told. */
export type LeaveAction = 'Disconnected' | 'ConnectionLost';

/** A member whose connection ended without a clean leave, still shown in the room a while. */
export interface Away {
  /** What the others are told if it does not come back in time. */
  readonly action: LeaveAction;
  /** performance.now() when the connection ended: the resume window counts from here. */
  readonly since: number;
  readonly timer: NodeJS.Timeout;
}

/** One user in the room: identity, its connection, and the per-connection counters. */
export class Member implements Recipient, RateState {
  slot = -1;
  batchFrom = 0;
  /** Pings sent since the last Pong. */
  missedPings = 0;
  tokens: number;
  debt = 0;
  refilledAt: number;
  /** Set once the member has left the room (by any path); nothing is sent to it after. */
  left = false;
  /**
   * Set while its connection is gone but the others still see it (the presence grace):
   * it is in the user list, gets nothing, and takes no private messages.
   */
  away: Away | null = null;
  /** History number at each Ping not yet answered, oldest first (a Pong answers the oldest). */
  pingSeqs: number[] = [];
  /** `ackedSeq` as the state file last heard it (when there is one). */
  savedAckedSeq: number;
  /** Ours (statuses.ts): what it says about being available, and its text as sent (escaped). */
  status: UserStatus = 'online';
  statusText = '';
  /** `,"status":…` (and `,"statusText":…`): after `identityJson` in user lists and its Connected only; '' while online with no text. */
  statusJson = '';
  /** Takes buzzes (buzz.ts): on until its client says otherwise with AllowBuzz. */
  allowsBuzz = true;
  /** The lasting identity this session proved (identities.ts); null for the Qt client and logins without one. */
  lasting: KnownIdentity | null = null;
  /** `"userId":…,"userName":…,"gender":…,"userColor":…` — spliced into every message it sends. */
  readonly identityJson: string;

  constructor(
    readonly userId: number,
    readonly nameClaim: NameClaim,
    readonly gender: Gender,
    readonly userColor: string,
    /** The current connection; a reconnect with the session token may swap it. */
    public ws: ChatSocket,
    public socket: Socket,
    /** Remote address, for the per-IP limit and the log. */
    public ip: string,
    rate: RateLimit,
    now: number,
    /** Ours: handed back as `sessionToken` on reconnect, it keeps the same name and id. */
    readonly sessionToken: string,
    /**
     * Public messages up to this History number have surely reached the client: it
     * answered a Ping sent after them. A resumed session gets the ones after it.
     */
    public ackedSeq: number,
    /** The original Qt client (known by its handshake): some lines are adapted for it. */
    public legacy: boolean,
  ) {
    this.savedAckedSeq = ackedSeq;
    this.tokens = rate.burst;
    this.refilledAt = now;
    this.identityJson = JSON.stringify(this.identity()).slice(1, -1);
  }

  get userName(): string {
    return this.nameClaim.name;
  }

  identity(): Identity {
    return { userId: this.userId, userName: this.nameClaim.name, gender: this.gender, userColor: this.userColor };
  }

  /** For log lines: `#7 "Аня"`. */
  describe(): string {
    return `#${this.userId} ${JSON.stringify(this.nameClaim.name)}`;
  }
}
