import type { FoundRoom } from '../../src-shared/bridge/found-room';
import type { MdnsTransport } from './mdns-transport';
import { RoomBrowser } from './room-browser';
import { SERVICE_TYPE } from './service-record';

/*
 * Browsing: asks the network for `_simplechat._tcp` now, again shortly after and then
 * now and then, feeds every response to a RoomBrowser and tells `onChange` the list,
 * at most once per tick of CHANGE_COALESCE_MS however many packets arrive.
 */

const REQUERY_MS = [1_000, 3_000];
const REFRESH_MS = 60_000;
const CHANGE_COALESCE_MS = 100;
const SWEEP_MS = 5_000;

export interface Browsing {
  readonly rooms: FoundRoom[];
  /** Asks the network again (the connect dialog opened). */
  refresh(): void;
  stop(): Promise<void>;
}

/** `isOwn`: an instance this app announces itself; it is not listed (one's own room is not a room to find). */
export function startBrowsing(
  transport: MdnsTransport,
  onChange: (rooms: FoundRoom[]) => void,
  isOwn: (instance: string) => boolean = () => false,
): Browsing {
  const browser = new RoomBrowser(Date.now, isOwn);
  let pending: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  let last = '[]';
  const tell = (): void => {
    pending = null;
    const rooms = browser.rooms;
    const now = JSON.stringify(rooms);
    if (stopped || now === last) return;
    last = now;
    onChange(rooms);
  };
  const changed = (): void => {
    if (pending === null && !stopped) pending = setTimeout(tell, CHANGE_COALESCE_MS);
  };
  transport.onResponse((packet, from) => {
    if (stopped) return;
    try {
      if (browser.handleResponse(packet, from)) changed();
    } catch {
      // A packet we could not read is a packet we ignore.
    }
  });
  const ask = (): void => {
    if (!stopped) transport.query(SERVICE_TYPE, 'PTR');
  };
  const timers = [
    ...REQUERY_MS.map((ms) => setTimeout(ask, ms)),
    setInterval(ask, REFRESH_MS),
    setInterval(() => {
      if (!stopped) changed();
    }, SWEEP_MS),
  ];
  for (const timer of timers) timer.unref();
  ask();
  return {
    get rooms() {
      return browser.rooms;
    },
    refresh: ask,
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      if (pending !== null) clearTimeout(pending);
      await transport.close();
    },
  };
}
