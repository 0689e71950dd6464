import type { Gender, PaletteColor } from '../../src-shared/protocol';
import type { UserStatus } from '../../src-shared/protocol';
import type { UploadFailure } from '../../src-shared/protocol';

/** Sending and showing files (issue 14 §3). */
export interface FileStrings {
  /** The attach button by the input. */
  attach: string;
  /** Over the window while files are dragged onto it. */
  dropHere: string;
  /** The uploads above the input (a region); each one's progress bar: `{name}`. */
  uploads: string;
  uploading: string;
  cancelUpload: string;
  /** `{name}`. */
  cancelUploadLabel: string;
  dismiss: string;
  /** A refused or failed upload, or a file that could not be fetched: `{name}`, `{reason}`. */
  refused: string;
  fetchFailed: string;
  /** Why, by code (what the server said, or what happened here). */
  reasons: Record<UploadFailure, string>;
  /** Byte units, smallest first: B, KB, MB, GB. */
  units: readonly [string, string, string, string];
  /** A file's card: `{name}`. */
  download: string;
  downloadLabel: string;
  /** A picture's preview (opens it large) and the large view: `{name}`. */
  openPicture: string;
  closePicture: string;
  /** The desktop app's downloads: under way (`{name}`), saved, stopped; and the file manager. */
  downloading: string;
  downloaded: string;
  downloadStopped: string;
  showInFolder: string;
}

export type UiLanguage = 'en' | 'ru';

export interface SidebarStrings {
  /** The sidebar's landmark. */
  conversations: string;
  lobby: string;
  rooms: string;
  dialogs: string;
  /** After a name in the sidebar: `{count}` lines not read. */
  unread: string;
  /** A room with a line that mentions you not read yet. */
  mentioned: string;
  locked: string;
  /** A dialog whose peer is not online (a line to them waits, with a lasting login). */
  offline: string;
  /** Opens the join dialog. */
  joinRoom: string;
  /** `{room}`. */
  leaveRoom: string;
  /** `{name}`. */
  closeDialog: string;
  /** The heading over the conversation shown: `{room}` / `{name}`. */
  roomTitle: string;
  dialogTitle: string;
  /** The list of the room's members: `{room}`. */
  roomUsers: string;
  // the join dialog
  roomName: string;
  roomKey: string;
  roomKeyHint: string;
  /** The join dialog opened for a remembered locked room after a reload: `{room}`, and why its key is asked again. */
  roomNeedsKey: string;
  join: string;
  serverRooms: string;
  noServerRooms: string;
  loadingRooms: string;
  /** `{count}` members online. */
  roomMembers: string;
  // the quick switcher (Ctrl+K)
  switcher: string;
  switcherHint: string;
  nothingMatches: string;
  /** The input's target in a room: `{room}`. */
  sendToRoom: string;
  /** The dialog header's buzz button: `{name}`. */
  buzzUser: string;
  /** In a room's log: `{nick}` joined or left that room (not the server). */
  joinedRoom: Record<Gender, string>;
  leftRoom: Record<Gender, string>;
}

/**
 * Every word the UI shows. Templates name their holes `{like_this}`; the log fills
 * `{nick}` with a coloured, clickable name, so lines are templates, not finished text.
 */
export interface Strings {
  appTitle: string;
  // the main window
  users: string;
  /** The sidebar (issue 13 §6): rooms, dialogs, the join dialog and the quick switcher. */
  sidebar: SidebarStrings;
  files: FileStrings;
  /** The phone layout's button on a user's row; {name}. */
  privateMessageTo: string;
  you: string;
  chatLog: string;
  sendToEveryone: string;
  /** Private mode label: `{nick}` is the recipient. */
  sendTo: string;
  closePrivateMode: string;
  message: string;
  messagePlaceholder: string;
  messagePlaceholderOffline: string;
  /** Reconnecting after a login: what is typed now waits in the outbox. */
  messagePlaceholderQueued: string;
  connectionSettings: string;
  /** The phone layout's button that shows the user list: `{count}` online. */
  people: string;
  jumpToLatest: string;
  privateFrom: string;
  privateTo: string;
  /** A pending line waiting for a login, and one written and awaiting its echo. */
  pending: string;
  sending: string;
  /** The pending line's button: its visible text, and its accessible name (which contains the text). */
  cancelPending: string;
  cancelPendingLabel: string;
  /** For dates written out (day separators): a BCP 47 locale. */
  dateLocale: string;
  // history, and what can be done with a line
  loadOlder: string;
  loadingOlder: string;
  historyStart: string;
  /** The log reached its cap: its top is not where the history begins. */
  olderNotKept: string;
  /** A line's actions: the toolbar's and the context menu's name, and each action. */
  lineActions: string;
  reply: string;
  edit: string;
  delete: string;
  /** After an edited line's text; its tooltip, `{time}`. */
  edited: string;
  editedAt: string;
  messageDeleted: string;
  /** The quote above a reply: its accessible name, `{name}` the quoted author. */
  quoteLabel: string;
  /** The bar above the input: `{nick}` the quoted author. */
  replyingTo: string;
  cancelReply: string;
  editing: string;
  cancelEdit: string;
  confirmDeleteTitle: string;
  confirmDeleteText: string;
  confirmDelete: string;
  cancel: string;
  quoteNotFound: string;
  /** A line typed in a dialog whose peer left (no lasting login, so nothing can wait for them): not sent. */
  dialogPeerGone: string;
  status: { idle: string; connecting: string; open: string; authorized: string; reconnecting: string; closed: string };
  // statuses and buzz (issue 13 §3–§4)
  /** Each status's label. */
  statuses: Record<UserStatus, string>;
  /** The status picker beside one's own name: its group, the select, the text field and its hint. */
  myStatus: string;
  statusLabel: string;
  statusText: string;
  statusTextPlaceholder: string;
  allowBuzz: string;
  /** A user's context menu: its name (`{name}`), and the Buzz item (`{name}` in its accessible name). */
  userMenu: string;
  buzz: string;
  buzzUser: string;
  /** The notification of a buzz: `{name}` buzzed you. */
  buzzNotification: string;
  // the connect dialog
  dialogTitle: string;
  server: string;
  port: string;
  nickname: string;
  color: string;
  /** Each swatch's accessible name. */
  colorNames: Readonly<Record<PaletteColor, string>>;
  customColor: string;
  gender: string;
  genders: Record<Gender, string>;
  hostRoom: string;
  hostRoomHint: string;
  hostRoomUnavailable: string;
  roomKey: string;
  roomKeyHint: string;
  /** Under the key while hosting: with a key, and without one (open), on the LAN or to the internet. */
  hostKeyHint: string;
  roomOpen: string;
  roomOpenToInternet: string;
  allowInternet: string;
  allowInternetHint: string;
  allowInternetWarning: string;
  /** Connecting elsewhere while hosting others: `{count}` people (more than one), or one. */
  stopHostedRoom: string;
  stopHostedRoomOne: string;
  stopAndConnect: string;
  language: string;
  languageAuto: string;
  /** The counter near the limit; {count}. */
  charactersLeft: string;
  charactersOver: string;
  /** {count}, {limit}. */
  messageTooLong: string;
  pasteTooLong: string;
  sendAsFile: string;
  theme: string;
  themeSystem: string;
  themeLight: string;
  themeDark: string;
  connect: string;
  /** Connect again after a first attempt failed. */
  retry: string;
  /** The outage banner's button: reconnect without waiting out the backoff. */
  retryNow: string;
  /** On the Connect button while a first attempt is under way. */
  connectingNow: string;
  close: string;
  disconnect: string;
  hostingAt: string;
  foundRooms: string;
  foundRoomsNone: string;
  foundRoomLocked: string;
  foundRoomTls: string;
  foundRoomLookAlike: string;
  foundRoomNeedsKey: string;
  foundRoomUnreachable: string;
  visibleOnNetwork: string;
  roomName: string;
  roomHistory: string;
  roomHistoryHint: string;
  visibleOnNetworkHint: string;
  invite: string;
  inviteHint: string;
  inviteQr: string;
  /** Before the ws:// addresses, after the share links. */
  hostingInApp: string;
  /** The always-visible mark while this computer hosts the room; `{port}`. */
  hosting: string;
  /** Beside `hosting` when the room has no key. */
  hostingOpen: string;
  hostingTitle: string;
  /** The share link's field, and its Copy button's accessible name. */
  shareLink: string;
  copyLink: string;
  copied: string;
  /** The clipboard was refused: the link is selected instead. `{keys}`: Ctrl+C or ⌘C. */
  copyRefused: string;
  invalidServer: string;
  invalidPort: string;
  emptyNickname: string;
  /** `{name}`: the nickname after cleaning. */
  nicknameCleaned: string;
  // the log
  log: {
    /** Someone buzzed us, and our own buzz got through: `{nick}`. */
    buzzIn: string;
    buzzOut: string;
    /** `{address}`: host:port. */
    connecting: string;
    connectingAgain: string;
    connected: string;
    loggedIn: string;
    joined: Record<Gender, string>;
    left: Record<Gender, string>;
    lost: string;
    closed: string;
    closedNoReason: string;
    closedByUser: string;
    /** The outage banner: `{seconds}` to the next try. */
    reconnecting: string;
    error: string;
    serverNewer: string;
    sendFailed: string;
    undelivered: string;
    undeliveredTo: string;
    privateEnded: string;
    hosting: string;
    hostingWeb: string;
    hostingFailed: string;
    hostingStopped: string;
  };
  errorCodes: Record<string, string>;
  /** After one's own line of a private dialog: it reached `{name}`, or waits for them to come back (tooltips with `{name}`). */
  delivered: string;
  deliveredTitle: string;
  waiting: string;
  waitingTitle: string;
}
