import type { HostRequest, HostingStatus } from '../../src-shared/bridge';
import { isLocalNetworkAddress } from '../server/addresses';
import { lanHosts, roomUrls } from './lan-addresses';
import type { NetworkInterfaces } from './lan-addresses';

/*
 * "Host a room": the chat server runs inside the app. Listens on every interface,
 * IPv6 and IPv4 together where the system allows, IPv4 alone where IPv6 is off, and
 * takes peers from the local network only unless the user allowed the internet. Then
 * only this computer's local-network addresses are offered for joining: a neighbour who
 * joined through a global IPv6 address would come from its own global one, and be refused.
 */

/** What `startChatServer` from src-main/server gives back, as far as hosting needs it. */
export interface HostedServer {
  readonly port: number;
  close(): Promise<void>;
}

export interface HostedServerConfig {
  host: string;
  port: number;
  webRoot: string;
  roomKey?: string;
  /** Present only when the user allowed it: peers from anywhere, not only the local network. */
  allowInternet?: true;
}

export type StartServer = (config: HostedServerConfig) => Promise<HostedServer>;

/** Dual-stack first; IPv4 alone when the system has no IPv6. */
export const ALL_INTERFACES: readonly string[] = ['::', '0.0.0.0'];

export interface RoomHostOptions {
  startServer: StartServer;
  /** The web UI the room also serves to browsers (dist/renderer). */
  webRoot: string;
  networkInterfaces: () => NetworkInterfaces;
  onStatus: (status: HostingStatus) => void;
  /** Tried in order; the next one only when the previous address family is unavailable. */
  listenHosts?: readonly string[];
}

const errorCode = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
    ? (error as { code: string }).code
    : undefined;

/** Errors that say "this port", not "this address family": trying another host will not help. */
const PORT_ERRORS = new Set(['EADDRINUSE', 'EACCES', 'EPERM']);

export function describeListenError(error: unknown, port: number): string {
  switch (errorCode(error)) {
    case 'EADDRINUSE':
      return `Port ${port} is already in use by another program (or another SimpleChat room). Choose another port, or stop that program.`;
    case 'EACCES':
    case 'EPERM':
      return `This computer does not allow SimpleChat to listen on port ${port}. Ports below 1024 need administrator rights: choose a port from 1024 to 65535.`;
    default: {
      const detail = error instanceof Error ? error.message : String(error);
      return `Could not open a room on port ${port}: ${detail}`;
    }
  }
}

export class RoomHost {
  readonly #options: RoomHostOptions;
  #server: HostedServer | null = null;
  #roomKey: string | undefined;
  #allowInternet = false;
  #status: HostingStatus = { state: 'stopped' };
  /** start/stop run one at a time, in call order. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: RoomHostOptions) {
    this.#options = options;
  }

  get status(): HostingStatus {
    return this.#status;
  }

  /** The port the room listens on, while it runs. */
  get port(): number | null {
    return this.#status.state === 'running' ? this.#status.port : null;
  }

  get roomKey(): string | undefined {
    return this.#roomKey;
  }

  /** Starts the room, or restarts it when the port or key changed. Never rejects: failure is a status. */
  start(request: HostRequest): Promise<HostingStatus> {
    return this.#serially(() => this.#start(request));
  }

  /** Closes the room; everyone in it gets a proper close. */
  stop(): Promise<void> {
    return this.#serially(() => this.#stop());
  }

  #serially<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => {});
    return run;
  }

  async #start(request: HostRequest): Promise<HostingStatus> {
    const roomKey = request.roomKey === '' ? undefined : request.roomKey;
    const allowInternet = request.allowInternet === true;
    const same = this.#status.state === 'running' && this.#status.port === request.port && this.#roomKey === roomKey;
    if (this.#server !== null && same && this.#allowInternet === allowInternet) {
      return this.#status;
    }
    await this.#closeServer();
    this.#setStatus({ state: 'starting', port: request.port });
    const hosts = this.#options.listenHosts ?? ALL_INTERFACES;
    let lastError: unknown = new Error('no address to listen on');
    for (const host of hosts) {
      try {
        const config: HostedServerConfig = { host, port: request.port, webRoot: this.#options.webRoot };
        if (roomKey !== undefined) config.roomKey = roomKey;
        if (allowInternet) config.allowInternet = true;
        const server = await this.#options.startServer(config);
        this.#server = server;
        this.#roomKey = roomKey;
        this.#allowInternet = allowInternet;
        const hosts = this.#reachableHosts(host).filter((address) => allowInternet || isLocalNetworkAddress(address));
        return this.#setStatus({ state: 'running', port: server.port, ...roomUrls(hosts, server.port, roomKey), locked: roomKey !== undefined });
      } catch (error) {
        lastError = error;
        const code = errorCode(error);
        if (code !== undefined && PORT_ERRORS.has(code)) break;
      }
    }
    return this.#setStatus({ state: 'failed', port: request.port, message: describeListenError(lastError, request.port) });
  }

  #reachableHosts(listenHost: string): string[] {
    if (listenHost === '::' || listenHost === '0.0.0.0') {
      let interfaces: NetworkInterfaces = {};
      try {
        interfaces = this.#options.networkInterfaces();
      } catch {
        // Some sandboxes refuse to list interfaces; the room still runs.
      }
      return lanHosts(interfaces, listenHost === '::');
    }
    return [listenHost];
  }

  async #stop(): Promise<void> {
    await this.#closeServer();
    if (this.#status.state !== 'stopped') this.#setStatus({ state: 'stopped' });
  }

  async #closeServer(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    this.#roomKey = undefined;
    this.#allowInternet = false;
    if (server !== null) {
      try {
        await server.close();
      } catch {
        // Closing is best effort: the sockets are gone either way.
      }
    }
  }

  #setStatus(status: HostingStatus): HostingStatus {
    this.#status = status;
    this.#options.onStatus(status);
    return status;
  }
}
