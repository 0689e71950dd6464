import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { COMMAND_ARGUMENTS, COMMAND_NAMES, commandChannel, eventChannel } from '../../src-shared/bridge';
import type { BridgeCommands, BridgeEvents, CommandName, EventName } from '../../src-shared/bridge';
import type { AuthorizedMessage, ServerMessage } from '../../src-shared/protocol';
import type { ListedUser, UserStatus } from '../../src-shared/protocol';

/*
 * The only importer of ipcMain. One handler per command, derived from the contract:
 * `commands` must implement every BridgeCommands method, so a command nobody wired
 * fails the typecheck, and the channels come from COMMAND_NAMES, so none is missed.
 */

/**
 * What a command handler answers over IPC. Errors travel as data rather than as a
 * thrown Error because Electron prefixes those with "Error invoking remote method …";
 * the preload turns `ok: false` back into a rejection with our message.
 */
export type IpcReply<T = unknown> = { ok: true; value: T } | { ok: false; error: string };

export type EventSink = <E extends EventName>(event: E, payload: BridgeEvents[E]) => void;

export interface CommandWiringOptions {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  commands: BridgeCommands;
  /** Whether the event comes from our own window's page (see `isOwnRendererEvent`). */
  isTrustedSender: (event: IpcMainInvokeEvent) => boolean;
  log?: (message: string) => void;
}

/** Registers every command; returns a function that removes them again. */
export function registerCommands(options: CommandWiringOptions): () => void {
  const { ipcMain, commands, isTrustedSender, log = () => {} } = options;
  for (const name of COMMAND_NAMES) {
    ipcMain.handle(commandChannel(name), (event, ...args: unknown[]) => {
      if (!isTrustedSender(event)) {
        log(`ipc: refused ${name} from a sender that is not our window (${describeSender(event)})`);
        return { ok: false, error: `${name}: refused: the sender is not the SimpleChat window` } satisfies IpcReply;
      }
      return runCommand(commands, name, args, log);
    });
  }
  return () => {
    for (const name of COMMAND_NAMES) ipcMain.removeHandler(commandChannel(name));
  };
}

async function runCommand<K extends CommandName>(
  commands: BridgeCommands,
  name: K,
  args: readonly unknown[],
  log: (message: string) => void,
): Promise<IpcReply> {
  const checked = COMMAND_ARGUMENTS[name](args);
  if (typeof checked === 'string') return { ok: false, error: `${name}: ${checked}` };
  const method = commands[name] as (...parameters: Parameters<BridgeCommands[K]>) => ReturnType<BridgeCommands[K]>;
  try {
    const value: unknown = await method.apply(commands, checked);
    return { ok: true, value };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log(`ipc: ${name} failed: ${message}`);
    return { ok: false, error: `${name}: ${message}` };
  }
}

function describeSender(event: IpcMainInvokeEvent): string {
  const url = event.senderFrame?.url ?? 'no frame';
  return `webContents ${event.sender?.id ?? '?'}, ${url.slice(0, 200)}`;
}

/** The part of a window the trust check needs. */
export interface TrustedWindow {
  isDestroyed(): boolean;
  webContents: IpcMainInvokeEvent['sender'];
}

/**
 * True only for a message from the main frame of our window's webContents while it
 * shows our page: another window, an iframe, or our window after a (denied, but
 * defence in depth) navigation elsewhere is refused.
 */
export function isOwnRendererEvent(
  event: IpcMainInvokeEvent,
  window: TrustedWindow | null,
  isRendererUrl: (url: string) => boolean,
): boolean {
  if (window === null || window.isDestroyed()) return false;
  if (event.sender !== window.webContents) return false;
  const frame = event.senderFrame;
  if (frame === null || frame === undefined) return false;
  if (frame !== event.sender.mainFrame) return false;
  return isRendererUrl(frame.url);
}

/** The part of a webContents events are pushed to. */
export interface EventReceiver {
  isDestroyed(): boolean;
  send(channel: string, payload: unknown): void;
}

/** Most events kept while the page is (re)loading; older ones are dropped first. */
export const MAX_QUEUED_EVENTS = 1_000;

/** Events that carry a whole state (not a change): the latest one is all a new page needs. */
type StateEventName = 'status' | 'hosting' | 'outbox' | 'foundRooms';
const STATE_EVENTS = new Set<EventName>(['status', 'hosting', 'outbox', 'foundRooms']);
type StateSnapshot = Partial<Pick<BridgeEvents, StateEventName>>;

/**
 * Pushes events to the renderer. Until the page has loaded (and again while it
 * reloads) events are queued, so the first Authorized is not lost to a page that has
 * not subscribed yet; a reloaded page first gets the latest connection status,
 * hosting status and outbox, then what happened meanwhile.
 */
export class RendererEvents {
  #target: EventReceiver | null = null;
  #ready = false;
  #queue: { event: EventName; payload: unknown }[] = [];
  #latest: StateSnapshot = {};
  /** Who is in the room now: the last Authorized with later joins and leaves applied. */
  #roster: AuthorizedMessage | null = null;
  #snapshot: { state: StateSnapshot; roster: AuthorizedMessage | null } | null = null;
  readonly #observe: EventSink | undefined;

  constructor(observe?: EventSink) {
    this.#observe = observe;
  }

  readonly emit: EventSink = (event, payload) => {
    this.#observe?.(event, payload);
    if (STATE_EVENTS.has(event)) this.#latest = { ...this.#latest, [event]: payload };
    if (event === 'message') this.#roster = nextRoster(this.#roster, payload as ServerMessage);
    if (this.#ready && this.#target !== null && !this.#target.isDestroyed()) {
      this.#target.send(eventChannel(event), payload);
      return;
    }
    this.#queue.push({ event, payload });
    if (this.#queue.length > MAX_QUEUED_EVENTS) this.#queue.shift();
  };

  /** The page finished loading and has subscribed: deliver what it missed. */
  attach(target: EventReceiver): void {
    this.#target = target;
    this.#ready = true;
    const pending = this.#queue;
    const snapshot = this.#snapshot;
    this.#queue = [];
    this.#snapshot = null;
    if (snapshot !== null) {
      const { hosting, status, outbox, foundRooms } = snapshot.state;
      if (hosting !== undefined) target.send(eventChannel('hosting'), hosting);
      if (status !== undefined) target.send(eventChannel('status'), status);
      // A page reloaded while logged in gets the room as it is now (as after a login).
      if (status?.state === 'authorized' && snapshot.roster !== null) target.send(eventChannel('message'), snapshot.roster);
      if (outbox !== undefined) target.send(eventChannel('outbox'), outbox);
      if (foundRooms !== undefined) target.send(eventChannel('foundRooms'), foundRooms);
    }
    for (const { event, payload } of pending) target.send(eventChannel(event), payload);
  }

  /** The page is going away (reload, crash, window closed): queue until it is back. */
  detach(): void {
    if (!this.#ready) return;
    this.#ready = false;
    this.#snapshot = { state: { ...this.#latest }, roster: this.#roster };
  }
}

function withPresence(user: ListedUser, status: UserStatus, text: string): ListedUser {
  const { status: _status, statusText: _text, ...identity } = user;
  if (status === 'online' && text === '') return identity;
  return text === '' ? { ...identity, status } : { ...identity, status, statusText: text };
}

function nextRoster(roster: AuthorizedMessage | null, message: ServerMessage): AuthorizedMessage | null {
  switch (message.action) {
    case 'Authorized':
      return { ...message, users: [...message.users] };
    case 'Connected':
      if (roster === null || roster.users.some((u) => u.userId === message.userId)) return roster;
      return { ...roster, users: [...roster.users, withPresence({ userId: message.userId, userName: message.userName, gender: message.gender, userColor: message.userColor }, message.status ?? 'online', message.statusText ?? '')] };
    case 'Disconnected':
    case 'ConnectionLost':
      return roster === null ? null : { ...roster, users: roster.users.filter((u) => u.userId !== message.userId) };
    case 'StatusChanged': {
      // A reloaded page's user list shows statuses as they are now.
      if (roster === null) return roster;
      const { userId, status, text } = message;
      return { ...roster, users: roster.users.map((u) => (u.userId !== userId ? u : withPresence(u, status, text))) };
    }
    default:
      return roster;
  }
}
