import { performance } from 'node:perf_hooks';
import type { JoinRoomRequest, LeaveRoomRequest, ListRoomsRequest } from '../../../src-shared/protocol';
import { frameText } from '../broadcast';
import type { ServerConfig } from '../config';
import { errorFrame } from '../error-frame';
import { historyBytes, historyJson } from '../history-frame';
import type { Member } from '../member';
import type { DurableState } from '../store/durable-state';
import type { ChatRoom, RoomWiring } from './chat-room';
import { hashRoomKey } from './room-key';
import { RoomKeyGuard } from './room-key-guard';
import { Membership } from './membership';
import { RoomRegistry } from './room-registry';

/*
 * What the room actions do: JoinRoom (creating a room on first join), LeaveRoom,
 * ListRooms, and the checks a chat line, a History request or an Edit for a room pass
 * first. Every refusal is an Error to the sender only. The hub (chat-hub.ts) keeps the
 * connections and the lobby; it hands these actions over and asks which room a line
 * goes to.
 */

/** What the actions need of the hub. */
export interface RoomHub {
  /** Writes a frame to one member now, after whatever the lobby queued for it. */
  send(member: Member, frame: Buffer): void;
}

/** A RoomList is rebuilt at most this often (a flood of ListRooms costs one build a second). */
export const ROOM_LIST_MAX_AGE_MS = 1_000;

const NOT_FOR_LEGACY_FRAME = errorFrame('unknown-action', 'Rooms need a newer client.');
const NEEDS_KEY_FRAME = errorFrame('room-forbidden', 'This room is locked: it needs its key.');
const WRONG_KEY_FRAME = errorFrame('room-forbidden', 'Wrong key for this room.');
const KEY_BUSY_FRAME = errorFrame('rate-limited', 'A room key is being checked: wait for its answer, then try again.');
const UNKNOWN_ROOM_FRAME = errorFrame('unknown-room', 'There is no room by that name.');
const NOT_IN_ROOM_FRAME = errorFrame('not-in-room', 'You are not in that room: join it first.');

export class RoomActions {
  readonly registry: RoomRegistry;
  readonly membership: Membership;
  private readonly keys: RoomKeyGuard;
  /** Members whose key for a room is being checked (one at a time each). */
  private readonly checking = new Set<Member>();
  /**
   * The rooms of members who left the server, by session token, for a resume window: a
   * session resumed later comes back to them (in expiry order; the next departure or
   * resume drops what expired).
   */
  private readonly left = new Map<string, { readonly rooms: ChatRoom[]; readonly until: number }>();
  private listFrame: Buffer | null = null;
  private listBuiltAt = -Infinity;
  private keysSweptAt = performance.now();

  constructor(
    private readonly config: ServerConfig,
    durable: DurableState,
    private readonly hub: RoomHub,
    wiring: RoomWiring,
  ) {
    this.registry = new RoomRegistry(config.maxRooms, durable.rooms, durable.messages, wiring, config.log);
    this.membership = new Membership(config.maxRoomsPerUser);
    this.keys = new RoomKeyGuard(
      {
        triesPerAddress: config.keyTriesPerAddress,
        triesPerRoom: config.keyTriesPerRoom,
        windowMs: config.keyTryWindowMs,
        lockoutMaxMs: config.keyLockoutMaxMs,
      },
      config.log,
    );
  }

  receive(member: Member, message: JoinRoomRequest | LeaveRoomRequest | ListRoomsRequest): void {
    // The original protocol has one room: the Qt client is never shown another.
    if (member.legacy) {
      this.hub.send(member, NOT_FOR_LEGACY_FRAME);
      return;
    }
    if (message.action === 'JoinRoom') this.join(member, message.room, message.key);
    else if (message.action === 'LeaveRoom') this.leave(member, message.room);
    else this.list(member);
  }

  /**
   * The room a member's chat line or request names, if the member is in it; otherwise
   * null, once the refusal (`unknown-room`, `not-in-room`) is sent.
   */
  roomFor(member: Member, name: string): ChatRoom | null {
    const room = this.registry.find(name);
    if (room === undefined) {
      this.hub.send(member, UNKNOWN_ROOM_FRAME);
      return null;
    }
    if (!this.membership.isIn(member, room)) {
      this.hub.send(member, NOT_IN_ROOM_FRAME);
      return null;
    }
    return room;
  }

  /** The room a stored line (its canonical room name) belongs to, if the member is in it. */
  memberRoom(member: Member, canonical: string): ChatRoom | null {
    const room = this.registry.find(canonical);
    return room !== undefined && room.name === canonical && this.membership.isIn(member, room) ? room : null;
  }

  /** A History request for a room: a page of its lines, for its members only. */
  history(member: Member, name: string, before: number, limit: number): void {
    const room = this.roomFor(member, name);
    if (room !== null) this.hub.send(member, frameText(historyJson(room.page(before, limit), this.historyBytes, room.name)));
  }

  /**
   * The member is back on a new connection of its session (within the presence grace, or
   * replacing a stale one): each of its rooms' lines after `after` (the last it surely had),
   * as the lobby's History gives it the lobby's.
   */
  caughtUp(member: Member, after: number): void {
    for (const room of this.membership.roomsOf(member).values()) {
      this.hub.send(member, frameText(historyJson(room.after(after), this.historyBytes, room.name)));
    }
  }

  /** The member left the server: it leaves its rooms (the others are told once, by the lobby's Disconnected). */
  departed(member: Member): void {
    this.checking.delete(member);
    const rooms = this.membership.removeAll(member);
    for (const room of rooms) room.remove(member, false);
    this.listFrame = null;
    const now = performance.now();
    this.forgetExpired(now);
    if (rooms.length > 0) this.left.set(member.sessionToken, { rooms, until: now + this.config.sessionResumeMs });
  }

  /**
   * A session that left the server came back (resumed with its token): it is back in the
   * rooms it was in that still exist, each answered as a join (its members are told).
   */
  resumed(member: Member): void {
    this.forgetExpired(performance.now());
    const kept = this.left.get(member.sessionToken);
    if (kept === undefined) return;
    this.left.delete(member.sessionToken);
    for (const room of kept.rooms) if (!room.removed && !this.membership.isFull(member)) this.enter(member, room);
  }

  private forgetExpired(now: number): void {
    for (const [token, kept] of this.left) {
      if (kept.until > now) break;
      this.left.delete(token);
    }
  }

  private get historyBytes(): number {
    return historyBytes(this.config.maxBufferedBytes);
  }

  private join(member: Member, name: string, key: string | undefined): void {
    const now = performance.now();
    if (now - this.keysSweptAt >= this.config.keyTryWindowMs) {
      this.keysSweptAt = now;
      this.keys.sweep(now);
    }
    if (this.checking.has(member)) {
      this.hub.send(member, KEY_BUSY_FRAME);
      return;
    }
    const room = this.registry.find(name);
    if (room !== undefined && this.membership.isIn(member, room)) {
      this.welcome(member, room);
      return;
    }
    if (this.refusedAsFull(member)) return;
    if (room === undefined) {
      const created = this.registry.create(name, key === undefined ? null : hashRoomKey(key), Date.now());
      if (created === null) {
        this.hub.send(member, errorFrame('too-many-rooms', `The server holds as many rooms as it may (${this.config.maxRooms}): join one of them.`));
        return;
      }
      this.config.log(`room ${JSON.stringify(created.name)} created by ${member.describe()}${created.locked ? ', locked' : ''} (${this.registry.size} rooms)`);
      if (!created.locked) {
        this.enter(member, created);
        return;
      }
      // The creator is let in once the key's hash is made and the room stored: RoomJoined means it lasts.
      this.checking.add(member);
      void created.saved().then(
        () => {
          if (this.checking.delete(member) && !member.left && !this.refusedAsFull(member)) this.enter(member, created);
        },
        () => {
          if (this.checking.delete(member) && !member.left) this.hub.send(member, UNKNOWN_ROOM_FRAME);
        },
      );
      return;
    }
    if (!room.locked) {
      this.enter(member, room);
      return;
    }
    if (key === undefined) {
      this.hub.send(member, NEEDS_KEY_FRAME);
      return;
    }
    const lockout = this.keys.check(member, room, now);
    if (lockout !== null) {
      const seconds = Math.max(1, Math.ceil(lockout.retryAfterMs / 1000));
      this.hub.send(member, errorFrame('room-forbidden', `Too many wrong room keys: try again in ${seconds} s.`));
      return;
    }
    this.checking.add(member);
    void room.opensWith(key).then((opens) => {
      if (!this.checking.delete(member) || member.left) return;
      if (room.removed) {
        this.hub.send(member, UNKNOWN_ROOM_FRAME);
      } else if (!opens) {
        this.keys.failed(member, room, performance.now());
        this.hub.send(member, WRONG_KEY_FRAME);
      } else if (this.membership.isIn(member, room)) {
        this.welcome(member, room);
      } else if (!this.refusedAsFull(member)) {
        this.enter(member, room);
      }
    });
  }

  private refusedAsFull(member: Member): boolean {
    if (!this.membership.isFull(member)) return false;
    const most = this.config.maxRoomsPerUser;
    this.hub.send(member, errorFrame('too-many-rooms', `You are in ${most} rooms, as many as one user may be in: leave one first.`));
    return true;
  }

  private enter(member: Member, room: ChatRoom): void {
    room.add(member);
    this.membership.add(member, room);
    this.listFrame = null;
    this.welcome(member, room);
  }

  /** RoomJoined, then the room's last lines. */
  private welcome(member: Member, room: ChatRoom): void {
    this.hub.send(member, frameText(room.joinedJson()));
    this.hub.send(member, frameText(historyJson(room.recent(this.config.historyOnJoin), this.historyBytes, room.name)));
  }

  private leave(member: Member, name: string): void {
    const room = this.roomFor(member, name);
    if (room === null) return;
    room.remove(member, true);
    this.membership.remove(member, room);
    this.listFrame = null;
    this.hub.send(member, frameText(`{"action":"RoomLeft","room":${JSON.stringify(room.name)}}`));
  }

  /** Every room by name, with its members online: never a key, never who is in a room. */
  private list(member: Member): void {
    const now = performance.now();
    const removed = this.registry.sweep(Date.now());
    if (this.listFrame === null || removed > 0 || now - this.listBuiltAt >= ROOM_LIST_MAX_AGE_MS) {
      const rooms = [...this.registry.all()].sort((a, b) => (a.folded < b.folded ? -1 : a.folded > b.folded ? 1 : 0));
      const items = rooms.map((room) => `{"room":${JSON.stringify(room.name)},"users":${room.online},"locked":${room.locked}}`);
      this.listFrame = frameText(`{"action":"RoomList","rooms":[${items.join(',')}]}`);
      this.listBuiltAt = now;
    }
    this.hub.send(member, this.listFrame);
  }
}
