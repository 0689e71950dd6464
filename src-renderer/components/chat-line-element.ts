import { parseRichText, plainText } from '../../src-shared/protocol';
import type { Identity, LineFile } from '../../src-shared/protocol';
import { formatSize } from '../format/size';
import { formatTimestamp } from '../format/time';
import { format } from '../i18n';
import type { Strings } from '../i18n';
import type { ChatLine } from '../state/log';
import { setNickColor } from './css-properties';

/*
 * A chat line of the log, built with the DOM directly rather than as a Lit template.
 * The log shows a new screenful of these on every frame of a fast scroll; a template
 * instance per line (its parts, markers and directives) allocated ~7 KB a line, and
 * the garbage collector then ran mid-frame. Lines never change once shown (a new
 * language re-renders the whole block), so nothing here needs Lit's updates.
 * Whatever a peer sent goes in as text nodes or textContent only, never as markup;
 * its colour only through `setNickColor`, which validates it.
 */

function span(className: string, text: string): HTMLSpanElement {
  const element = document.createElement('span');
  element.className = className;
  element.textContent = text;
  return element;
}

/** What a line's file needs from the log: a link for its preview, and what its buttons do. */
export interface LineFileActions {
  /** Gives the preview its `src` once a signed link comes (the line's own `url` grants nothing). */
  preview(img: HTMLImageElement, file: LineFile): void;
  open(file: LineFile, from: HTMLElement): void;
  download(file: LineFile): void;
}

/** Shown inline (the server serves only these four inline too); everything else is a card with Download. */
const PICTURE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
/** A preview's bounds, px: the picture is scaled down to fit, never up. */
export const PREVIEW_MAX_WIDTH = 320;
export const PREVIEW_MAX_HEIGHT = 240;

export function isPicture(file: LineFile): file is LineFile & { width: number; height: number } {
  return PICTURE_TYPES.has(file.type) && file.width !== undefined && file.height !== undefined;
}

/** The preview's size, known from the line alone: the log keeps its place while the picture loads. */
export function previewSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, PREVIEW_MAX_WIDTH / width, PREVIEW_MAX_HEIGHT / height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** The text the server wrote for a line with a file and none typed: the file shows it better. */
function isFileText(text: string, file: LineFile): boolean {
  return text.startsWith('📎 ') && text.endsWith(file.url);
}

function fileElement(file: LineFile, strings: Strings, actions: LineFileActions): HTMLElement {
  const s = strings.files;
  const box = document.createElement('div');
  box.className = 'attachment';
  if (isPicture(file)) {
    const open = document.createElement('button');
    open.type = 'button';
    open.className = 'picture';
    open.setAttribute('aria-label', format(s.openPicture, { name: file.name }));
    open.title = file.name;
    const img = document.createElement('img');
    const size = previewSize(file.width, file.height);
    img.width = size.width;
    img.height = size.height;
    img.alt = file.name;
    img.decoding = 'async';
    img.loading = 'lazy';
    open.append(img);
    open.addEventListener('click', () => actions.open(file, open));
    box.append(open);
    actions.preview(img, file);
    return box;
  }
  box.classList.add('card');
  // Drawn by the log's styles: no emoji font is needed.
  const icon = span('icon', '');
  icon.setAttribute('aria-hidden', 'true');
  const name = document.createElement('bdi');
  name.className = 'file-name';
  name.textContent = file.name;
  const download = document.createElement('button');
  download.type = 'button';
  download.className = 'download';
  download.textContent = s.download;
  download.setAttribute('aria-label', format(s.downloadLabel, { name: file.name }));
  download.addEventListener('click', () => actions.download(file));
  box.append(icon, name, span('file-size', formatSize(file.size, s.units)), download);
  return box;
}

/**
 * `[time] > Nick: text` with the sender's name clickable (`onNick`), bold runs as <b>,
 * name and text each bidi-isolated, and the classes the log's styles key on: mention,
 * private, mine, replayed.
 */
export function createChatLineElement(
  line: ChatLine,
  strings: Strings,
  onNick: (user: Identity) => void,
  onQuote: (messageId: number) => void,
  files: LineFileActions,
): HTMLDivElement {
  const shown = line.direction === 'private-out' ? line.peer! : line.from;
  const element = document.createElement('div');
  let className = 'line chat';
  if (line.mentionsMe) className += ' mention';
  if (line.direction !== 'public') className += ' private';
  if (line.mine) className += ' mine';
  if (line.replayed) className += ' replayed';
  if (line.deleted) className += ' deleted';
  element.className = className;
  element.dataset.line = String(line.id);
  if (line.messageId !== null) {
    // Reachable by the log's arrow keys (not by Tab: 100 000 tab stops help no one), where its actions are.
    element.dataset.messageId = String(line.messageId);
    element.tabIndex = -1;
  }
  const quote = line.replyTo;
  if (quote !== null) {
    // What it answers, as the server quoted it; a click goes to that line.
    const q = document.createElement('span');
    q.className = 'quote';
    q.setAttribute('role', 'button');
    q.setAttribute('aria-label', format(strings.quoteLabel, { name: quote.userName }));
    const who = span('quote-nick', quote.userName);
    who.dir = 'auto';
    const excerpt = document.createElement('bdi');
    excerpt.className = 'quote-text';
    excerpt.textContent = quote.excerpt === '' ? strings.messageDeleted : plainText(quote.excerpt);
    q.append(who, ': ', excerpt);
    q.addEventListener('click', () => onQuote(quote.messageId));
    element.append(q);
  }
  // Under a quote the line goes on in a box of its own, so the hanging indent starts again there.
  const body: HTMLElement = quote === null ? element : document.createElement('div');
  if (body !== element) {
    body.className = 'body';
    element.classList.add('quoting');
    element.append(body);
  }
  // One --nick-color per line, inherited by the name and the colon.
  setNickColor(element, shown.userColor);
  // Each space rides in the span before it: a text node of its own is one more layout object per line.
  body.append(span('time', `${formatTimestamp(line.time)} `));
  if (line.direction !== 'public') {
    const incoming = line.direction === 'private-in';
    const marker = span('marker', incoming ? '> ' : '< ');
    marker.title = (incoming ? strings.privateFrom : strings.privateTo).replace('{name}', shown.userName);
    body.append(marker);
  }
  // A span, not a <button>: a button is an atomic inline with a layout of its own, one
  // per line. Reachable by mouse only (the user list serves the keyboard), as the
  // button was with tabindex -1.
  const nick = span('nick', shown.userName);
  nick.setAttribute('role', 'button');
  // Isolated (dir=auto), so an override or an RTL name cannot carry the colon and the text along.
  nick.dir = 'auto';
  nick.addEventListener('click', () => onNick(shown));
  // The text in a <bdi> of its own: whatever controls it holds end with it, and an RTL
  // text next to an RTL name cannot swap places with the name.
  const text = document.createElement('bdi');
  text.className = 'message';
  if (line.deleted) {
    text.append(span('gone', strings.messageDeleted));
  } else if (line.file === undefined || !isFileText(line.text, line.file)) {
    for (const run of parseRichText(line.text)) {
      if (run.bold) {
        const bold = document.createElement('b');
        bold.textContent = run.text;
        text.append(bold);
      } else {
        text.append(run.text);
      }
    }
  }
  body.append(nick, span('colon', ': '), text);
  if (line.editedAt !== null && !line.deleted) {
    const mark = span('edited', ` ${strings.edited}`);
    mark.title = format(strings.editedAt, { time: formatTimestamp(line.editedAt) });
    body.append(mark);
  }
  if (line.mine && line.delivery !== undefined) {
    // Only one's own lines: whether the other side has it yet.
    // Drawn by CSS from data-mark, so the line's text (what is copied) stays the chat's.
    const waiting = line.delivery === 'waiting';
    const mark = span(waiting ? 'delivery waiting' : 'delivery delivered', '');
    mark.dataset.mark = waiting ? strings.waiting : strings.delivered;
    mark.title = format(waiting ? strings.waitingTitle : strings.deliveredTitle, { name: shown.userName });
    mark.setAttribute('role', 'img');
    mark.setAttribute('aria-label', mark.title);
    body.append(mark);
  }
  if (line.file !== undefined) body.append(fileElement(line.file, strings, files));
  return element;
}
