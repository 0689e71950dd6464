import { cleanUserName, newIdentitySecret } from '../../src-shared/protocol';
import type {
  AttentionRequest,
  BridgeCommands,
  ConnectRequest,
  DeleteRequest,
  DialogRequest,
  JoinRoomRequest,
  LeaveRoomRequest,
  EditRequest,
  HostRequest,
  HostingStatus,
  OlderRequest,
  SendRequest,
  Settings,
  StatusRequest,
  BuzzRequest,
  SettingsPatch,
  UploadRequest,
} from '../../src-shared/bridge';
import type { FileLinkOutcome, UploadOutcome } from '../../src-shared/protocol';
import { savedKeyFor } from '../../src-shared/bridge';
import type { ClientSession } from '../../src-shared/session';
import { FileTransfer } from './file-transfer';
import type { FilesPort } from './file-transfer';
import type { EventSink } from './ipc';
import { generateRoomKey } from './room-key';
import { appFileUrl } from './security';
import type { SettingsStore } from './settings-store';

/*
 * What the main process does for the renderer: every bridge command, implemented on
 * the session, the hosted room, the settings and attention. Plain TypeScript: the
 * Electron pieces are wired around it in main.ts, and tests drive it as it is.
 */

export type SessionPort = Pick<
  ClientSession,
  'connect' | 'disconnect' | 'send' | 'cancelPending' | 'loadOlder' | 'changeLine' | 'reconnectNow' | 'on' | 'status' | 'loadDialog'
> &
  Pick<ClientSession, 'setStatus' | 'allowBuzzes' | 'buzz' | 'ownStatus'> &
  Pick<ClientSession, 'joinRoom' | 'leaveRoom' | 'listRooms' | 'fileAccess'>;

export interface HostPort {
  readonly status: HostingStatus;
  readonly port: number | null;
  start(request: HostRequest): Promise<HostingStatus>;
  stop(): Promise<void>;
}

export interface AttentionPort {
  request(request: AttentionRequest): void;
  setUnreadCount(count: number): void;
}

export interface ChatControllerOptions {
  session: SessionPort;
  host: HostPort;
  settings: SettingsStore;
  attention: AttentionPort;
  emit: EventSink;
  log?: (line: string) => void;
  /** Makes the hosted room's key (room-key.ts); a parameter so tests can pin it. */
  makeRoomKey?: () => string;
  /** Uploads and links for the session's server; by default over HTTP(S) as the session's user. */
  files?: FilesPort;
  /** Finished downloads, shown in the file manager; none: "Show in folder" finds nothing. */
  showDownload?: (downloadId: string) => boolean;
}

/** How the app joins the room it hosts: over loopback, never through the LAN. */
export const OWN_ROOM_HOST = '127.0.0.1';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export class ChatController implements BridgeCommands {
  readonly #session: SessionPort;
  readonly #host: HostPort;
  readonly #settings: SettingsStore;
  readonly #attention: AttentionPort;
  readonly #log: (line: string) => void;
  readonly #makeRoomKey: () => string;
  readonly #unsubscribe: (() => void)[];
  readonly #files: FilesPort;
  readonly #showDownload: (downloadId: string) => boolean;

  constructor(options: ChatControllerOptions) {
    this.#session = options.session;
    this.#host = options.host;
    this.#settings = options.settings;
    this.#attention = options.attention;
    this.#log = options.log ?? (() => {});
    this.#makeRoomKey = options.makeRoomKey ?? (() => generateRoomKey());
    // Before the page reads the settings: a page that saw no key would host an open room on Connect.
    this.#ensureRoomKey();
    if (!this.#settings.get().allowBuzz) this.#session.allowBuzzes(false);
    this.#ensureIdentitySecret();
    const { emit } = options;
    const session = this.#session;
    this.#showDownload = options.showDownload ?? (() => false);
    this.#files = options.files ?? new FileTransfer(() => session.fileAccess, (progress) => emit('uploadProgress', progress));
    this.#unsubscribe = [
      this.#session.on('message', (message) => emit('message', message)),
      this.#session.on('status', (status) => {
        if (status.state === 'reconnecting') this.#log(`session: reconnect try ${status.attempt} in ${status.delayMs} ms: ${status.reason}`);
        else if (status.state === 'closed' && !status.byUser) this.#log(`session: closed: ${status.reason}`);
        emit('status', status);
      }),
      this.#session.on('notice', (notice) => emit('notice', notice)),
      this.#session.on('outbox', (pending) => emit('outbox', pending)),
      this.#session.on('olderHistory', (page) => emit('olderHistory', page)),
    ];
  }

  // ---- bridge commands --------------------------------------------------------------

  async connect(request: ConnectRequest): Promise<void> {
    this.#session.connect(this.#withSecret(request));
    this.#rememberIdentity(request);
    if (!this.#isOwnRoom(request)) this.#saveQuietly({ server: request.server, port: request.port, hostRoom: false });
  }

  async disconnect(): Promise<void> {
    this.#session.disconnect();
  }

  async send(request: SendRequest): Promise<void> {
    this.#session.send(request);
  }

  /** Starts (or keeps) the room and joins it over loopback with the saved identity. */
  async hostRoom(request: HostRequest): Promise<HostingStatus> {
    const status = await this.#host.start(request);
    if (status.state !== 'running') return status;
    const roomKey = request.roomKey ?? '';
    // A room asked for without a key is the user's choice: the next start keeps it open.
    this.#saveQuietly({ hostRoom: true, hostPort: request.port, roomKey, roomOpen: roomKey === '', allowInternet: request.allowInternet === true });
    const joinedHere = this.#session.status;
    const alreadyIn =
      (joinedHere.state === 'authorized' || joinedHere.state === 'open' || joinedHere.state === 'connecting') && this.#inOwnRoom;
    if (!alreadyIn || this.#joinedPort !== status.port || this.#joinedKey !== (request.roomKey ?? '')) {
      this.#joinOwnRoom(status.port, request.roomKey);
    }
    return status;
  }

  async stopHosting(): Promise<void> {
    // Leave first: our own session would otherwise take the room's close for a lost connection.
    if (this.#inOwnRoom) this.#session.disconnect();
    this.#inOwnRoom = false;
    await this.#host.stop();
    this.#saveQuietly({ hostRoom: false });
  }

  async getSettings(): Promise<Settings> {
    return withoutSecret(this.#settings.get());
  }

  async saveSettings(patch: SettingsPatch): Promise<Settings> {
    const saved = this.#settings.update(patch);
    if (patch.allowBuzz !== undefined) this.#session.allowBuzzes(saved.allowBuzz);
    return withoutSecret(saved);
  }

  async requestAttention(request: AttentionRequest): Promise<void> {
    this.#attention.request(request);
  }

  async setUnreadCount(count: number): Promise<void> {
    this.#attention.setUnreadCount(count);
  }

  async cancelPending(id: string): Promise<boolean> {
    return this.#session.cancelPending(id);
  }

  async loadOlder(request: OlderRequest): Promise<boolean> {
    return this.#session.loadOlder(request.before, request.limit, request.room);
  }

  async editMessage(request: EditRequest): Promise<boolean> {
    return this.#session.changeLine(request.messageId, request.text);
  }

  async deleteMessage(request: DeleteRequest): Promise<boolean> {
    return this.#session.changeLine(request.messageId, null);
  }

  async setStatus(request: StatusRequest): Promise<void> {
    this.#session.setStatus(request.status, request.text);
  }

  async buzz(request: BuzzRequest): Promise<boolean> {
    return this.#session.buzz(request.toUserId);
  }

  async loadDialog(request: DialogRequest): Promise<boolean> {
    return this.#session.loadDialog(request.withUserId, request.before, request.limit);
  }

  async joinRoom(request: JoinRoomRequest): Promise<boolean> {
    this.#session.joinRoom(request.room, request.key);
    return true;
  }

  async leaveRoom(request: LeaveRoomRequest): Promise<boolean> {
    return this.#session.leaveRoom(request.room);
  }

  async listRooms(): Promise<boolean> {
    return this.#session.listRooms();
  }

  async uploadFile(request: UploadRequest): Promise<UploadOutcome> {
    return this.#files.upload(request);
  }

  async cancelUpload(uploadId: string): Promise<boolean> {
    return this.#files.cancel(uploadId);
  }

  /**
   * The server is asked first (a file this user may not see is refused here, in words); the
   * page then gets our own origin's address for it, which main serves (`serveFile`).
   */
  async fileLink(fileId: string): Promise<FileLinkOutcome> {
    const outcome = await this.#files.link(fileId);
    return outcome.ok ? { ok: true, link: { url: appFileUrl(fileId), expiresAt: outcome.link.expiresAt } } : outcome;
  }

  async showDownload(downloadId: string): Promise<boolean> {
    return this.#showDownload(downloadId);
  }

  /** A line's file for the page's `app://…/server-files/<id>` (see security.ts). */
  serveFile(fileId: string, range: string | null, method: 'GET' | 'HEAD'): Promise<Response> {
    return this.#files.fetchFile(fileId, range, method);
  }

  async reconnectNow(): Promise<void> {
    this.#session.reconnectNow();
  }

  // ---- lifecycle -------------------------------------------------------------------

  /** What the app does when it opens: host and join, or join the last server (with the key saved for it). */
  async start(): Promise<void> {
    const settings = this.#settings.get();
    if (settings.hostRoom) {
      await this.hostSaved();
      return;
    }
    // A name means the user has joined somewhere before: go back there.
    if (settings.userName !== '') {
      const request: ConnectRequest = { server: settings.server, port: settings.port, ...this.#identity() };
      const roomKey = savedKeyFor(settings.roomKeys, settings.server, settings.port);
      if (roomKey !== '') request.roomKey = roomKey;
      this.#session.connect(this.#withSecret(request));
    }
  }

  /** Hosts the room as the settings describe it: port, key, and who may join. */
  async hostSaved(): Promise<HostingStatus> {
    const { hostPort, roomKey, allowInternet } = this.#settings.get();
    const request: HostRequest = { port: hostPort };
    if (roomKey !== '') request.roomKey = roomKey;
    if (allowInternet) request.allowInternet = true;
    return this.hostRoom(request);
  }

  /** The computer woke up or came back online: try now instead of waiting out the backoff. */
  wake(): void {
    this.#session.reconnectNow();
  }

  /** Leaves and closes the room (everyone gets a proper close); for quitting. */
  async shutdown(): Promise<void> {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#session.disconnect();
    this.#inOwnRoom = false;
    await this.#host.stop();
  }

  // ---- helpers -----------------------------------------------------------------------

  #inOwnRoom = false;
  #joinedPort: number | null = null;
  #joinedKey = '';

  /** First start (or settings from before keys were made): the hosted room gets a key, unless the user chose an open one. */
  #ensureRoomKey(): void {
    const { roomKey, roomOpen } = this.#settings.get();
    if (roomKey === '' && !roomOpen) this.#saveQuietly({ roomKey: this.#makeRoomKey() });
  }

  /** First start: this install gets its lasting identity, kept in the settings from then on. */
  #ensureIdentitySecret(): void {
    if (this.#settings.get().identitySecret === '') this.#saveQuietly({ identitySecret: newIdentitySecret() });
  }

  /** Every login proves the install's identity; the renderer never holds the secret. */
  #withSecret(request: ConnectRequest): ConnectRequest {
    const secret = this.#settings.get().identitySecret;
    return secret === '' ? request : { ...request, identity: secret };
  }

  #joinOwnRoom(port: number, roomKey: string | undefined): void {
    const request: ConnectRequest = { server: OWN_ROOM_HOST, port, ...this.#identity() };
    if (roomKey !== undefined && roomKey !== '') request.roomKey = roomKey;
    this.#session.connect(this.#withSecret(request));
    this.#inOwnRoom = true;
    this.#joinedPort = port;
    this.#joinedKey = roomKey ?? '';
  }

  #isOwnRoom(request: ConnectRequest): boolean {
    const own = this.#host.port !== null && LOOPBACK.has(request.server.trim().toLowerCase()) && request.port === this.#host.port;
    this.#inOwnRoom = own;
    this.#joinedPort = own ? request.port : null;
    this.#joinedKey = own ? (request.roomKey ?? '') : '';
    return own;
  }

  #identity(): Pick<ConnectRequest, 'userName' | 'userColor' | 'gender'> {
    const { userName, userColor, gender } = this.#settings.get();
    return { userName, userColor, gender };
  }

  #rememberIdentity(request: ConnectRequest): void {
    // Saved as the server will show it; a name that cleans to nothing keeps the saved one.
    const userName = cleanUserName(request.userName, '');
    const patch: Partial<Settings> = { userColor: request.userColor, gender: request.gender };
    if (userName !== '') patch.userName = userName;
    this.#saveQuietly(patch);
  }

  /** Settings that cannot be saved must not fail the command the user gave. */
  #saveQuietly(patch: Partial<Settings>): void {
    try {
      this.#settings.update(patch);
    } catch (error) {
      this.#log(`settings: not saved: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** The settings as the renderer sees them: without the identity secret. */
function withoutSecret(settings: Settings): Settings {
  return settings.identitySecret === '' ? settings : { ...settings, identitySecret: '' };
}
