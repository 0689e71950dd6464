/*
 * A room seen on the local network over mDNS (desktop only). Everything in it came
 * from an unauthenticated neighbour: main cleans and cuts each field before it is
 * pushed, and the renderer shows it as text only, never joins it without a click.
 */

/** Rooms kept in the list at once; later ones are ignored until some go away. */
export const MAX_FOUND_ROOMS = 200;
/** Longest room name shown, in characters. */
export const MAX_FOUND_NAME_LENGTH = 64;
/** Longest web path kept. */
export const MAX_FOUND_PATH_LENGTH = 128;

export interface FoundRoom {
  /** `host:port` (IPv6 bracketed): one entry per address, whatever the name says. */
  id: string;
  name: string;
  /** The address the announcement came from (not what it claims). */
  host: string;
  port: number;
  locked: boolean;
  tls: boolean;
  /** Where the web UI is served, or null when the room serves none. */
  webPath: string | null;
  /** Another room on another address has a name that looks the same. */
  lookAlike: boolean;
}
