import { LitElement, css, html, nothing } from 'lit';
import type { PropertyValues, TemplateResult } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { guard } from 'lit/directives/guard.js';
import { repeat } from 'lit/directives/repeat.js';
import { parseRichText } from '../../src-shared/protocol';
import type { FileLinkOutcome, Identity, LineFile, RichTextRun, UploadFailure } from '../../src-shared/protocol';
import { differentDays, formatDay } from '../format/day';
import { formatTimestamp } from '../format/time';
import { fillTemplate } from '../i18n';
import type { Strings } from '../i18n';
import { en } from '../i18n/en';
import { NO_OLDER_LINES } from '../state/chat-state';
import type { OlderLines } from '../state/chat-state';
import { EMPTY_LOG, LOG_BLOCK_SIZE, totalLines } from '../state/log';
import type { LogLine, LogStore, PendingLine, SystemEvent, SystemLine } from '../state/log';
import { BlockHeights } from './block-heights';
import type { BlockWindow } from './block-heights';
import { createChatLineElement } from './chat-line-element';
import type { LineFileActions } from './chat-line-element';
import { cssProperties, nickColor } from './css-properties';
import { emit } from './events';
import { LineToolbar, actionLabel, actionsOf } from './line-actions';
import type { LineAction } from './line-actions';

/** A link that expires sooner than this is asked for again rather than used. */
const LINK_MARGIN_MS = 30_000;
/** Links kept for the lines' files; past this many the cache starts afresh. */
const MAX_CACHED_LINKS = 500;

/** Rendered around the viewport, so fast scrolling shows lines, not blanks. */
const OVERSCAN_VIEWPORTS = 0.5;
/** Within this many px of the end counts as "at the end": new lines then keep it in view. */
const BOTTOM_SLACK_PX = 8;
/** Scrolling up to within this many viewports of the top asks for the older page, so it is there before the top is. */
const OLDER_PREFETCH_VIEWPORTS = 1;

export function renderRuns(runs: readonly RichTextRun[]): (TemplateResult | string)[] {
  // Text bindings only: whatever a peer sent stays text.
  return runs.map((run) => (run.bold ? html`<b>${run.text}</b>` : run.text));
}

/** A peer's text, bidi-isolated like a chat line's (see chat-line-element.ts). */
function renderMessage(runs: readonly RichTextRun[]): TemplateResult {
  return html`<bdi class="message">${renderRuns(runs)}</bdi>`;
}

/**
 * The chat log: read-only, every line timestamped, system lines set apart, names
 * clickable. Virtual: only blocks of lines near the viewport are in the DOM, with
 * spacers of their measured (or estimated) height standing in for the rest, so a
 * log of 100 000 lines scrolls and grows as fast as a short one. Messages still in
 * the outbox follow the log in a small region of their own, each with Cancel.
 */
@customElement('chat-log')
export class ChatLog extends LitElement {
  @property({ attribute: false }) accessor log: LogStore = EMPTY_LOG;
  @property({ attribute: false }) accessor strings: Strings = en;
  @property({ attribute: false }) accessor pending: readonly PendingLine[] = [];
  /** Paging back: shown as the row above the first line, which asks for more when reached. */
  @property({ attribute: false }) accessor older: OlderLines = NO_OLDER_LINES;
  /** Which conversation's log this is (issue 13 §6): another one is a log of its own, not a change of this one. */
  @property({ attribute: false }) accessor conversation = 'lobby';
  /** Asks for a short-lived link to a line's file (the bridge's `fileLink`); null: files are not shown, only named. */
  @property({ attribute: false }) accessor fileLink: ((fileId: string) => Promise<FileLinkOutcome>) | null = null;

  /** A picture opened large, and what opened it (the focus goes back there). */
  @state() private accessor lightbox: { file: LineFile; url: string; opener: HTMLElement } | null = null;
  private readonly links = new Map<string, Promise<FileLinkOutcome>>();

  @state() private accessor hasUnseenLines = false;
  /** The context menu of a line: where, and what it offers. */
  @state() private accessor menu: { line: HTMLElement; x: number; y: number; actions: LineAction[] } | null = null;

  @query('.scroller') private accessor scroller!: HTMLElement | null;

  private readonly blockHeights = new BlockHeights();
  private stickToBottom = true;
  private stickPending = false;
  /** A frame requested for the next update (remeasured spacers, or the margins after a jump). */
  private updateFrame = 0;
  /** Blocks rendered last, by number since the log began; null before the first render. */
  private renderedBlocks: { first: number; last: number } | null = null;
  /** Height of blocks dropped above the view since the last update, px. */
  private scrollCorrection = 0;
  private readonly resizeObserver = new ResizeObserver((entries) => this.onBlocksResized(entries));
  /** The log itself gets shorter when a reply or edit bar opens below it: the end stays in view. */
  private readonly viewportObserver = new ResizeObserver(() => {
    const scroller = this.scroller;
    if (scroller && this.stickToBottom) scroller.scrollTop = scroller.scrollHeight;
    this.requestUpdate();
  });
  private observedScroller: HTMLElement | null = null;
  /** Set by Cancel: once that line is gone, focus goes to the Cancel at this index (or the log). */
  private refocusPendingAt: number | null = null;
  /**
   * Where the scroll position goes once this update is rendered: lines put in front
   * (older history) push what the reader looks at down by their height, and this
   * keeps it in place. Used by the render too, so it renders what will be in view.
   */
  private scrollTarget: number | null = null;
  /** The first line in view before lines went in front, and its top: after the render it is put back there exactly. */
  private anchor: { line: string; top: number } | null = null;
  /** The last scroll position seen: only scrolling up asks for older lines. */
  private lastScrollTop = 0;
  /** An older page was asked for and `older` has not changed since: ask once. */
  private askedOlder = false;
  private readonly toolbar = new LineToolbar((action, line) => this.act(action, line));
  private readonly closeMenuOutside = (event: Event): void => {
    if (!event.composedPath().some((node) => node instanceof HTMLElement && node.classList.contains('menu'))) this.menu = null;
  };

  static override styles = css`
    :host {
      display: block;
      position: relative;
      min-height: 0;
    }
    .scroller {
      box-sizing: border-box;
      height: 100%;
      overflow-y: auto;
      overflow-anchor: auto;
      background: var(--panel-bg, #fff);
      border: 1px solid var(--panel-border, #c8ccd0);
      border-radius: 6px;
      padding: 6px 0;
      font-size: 14px;
      line-height: 1.45;
      color: var(--text, #2c3e50);
      /* Its size comes from the window, never from the lines: a change inside lays out only inside. */
      contain: strict;
    }
    .block {
      contain: content;
    }
    .line.chat {
      position: relative;
    }
    /* A line's file, under its text: sizes known before it loads, so nothing below moves. */
    .attachment {
      display: block;
      margin: 3px 0 2px;
      text-indent: 0;
      white-space: normal;
    }
    .attachment .picture {
      display: block;
      padding: 0;
      border: 1px solid var(--panel-border, #c8ccd0);
      border-radius: 4px;
      background: var(--disabled-bg, #f1f2f3);
      cursor: zoom-in;
      line-height: 0;
    }
    .attachment .picture:focus-visible,
    .attachment .download:focus-visible,
    .close-lightbox:focus-visible {
      outline: 2px solid var(--focus, #2980b9);
      outline-offset: 1px;
    }
    .attachment img {
      display: block;
      border-radius: 3px;
    }
    .attachment.card {
      display: inline-flex;
      align-items: center;
      gap: 8px;
      max-width: 100%;
      box-sizing: border-box;
      padding: 4px 8px;
      border: 1px solid var(--panel-border, #c8ccd0);
      border-radius: 6px;
      background: var(--window-bg, #f7f8f9);
    }
    .attachment .icon {
      flex: none;
      width: 20px;
      height: 20px;
      background: url("data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24' fill='none' stroke='%2334495e' stroke-width='1.8' stroke-linejoin='round'><path d='M6 2.5h8l4.5 4.5v14.5H6z'/><path d='M14 2.5V7h4.5M9 12h6M9 15.5h6M9 19h4'/></svg>") center / contain no-repeat;
    }
    .attachment .file-name {
      min-width: 0;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
      font-weight: 600;
    }
    .attachment .file-size {
      color: var(--system, #7f8c8d);
      white-space: nowrap;
    }
    .attachment .download {
      font: inherit;
      font-size: 12px;
      padding: 2px 8px;
      border: 1px solid var(--panel-border, #c8ccd0);
      border-radius: 4px;
      background: var(--button-bg, #fafafa);
      cursor: pointer;
    }
    .lightbox {
      position: fixed;
      inset: 0;
      z-index: 40;
      display: grid;
      place-items: center;
      background: rgb(0 0 0 / 0.75);
    }
    .lightbox img {
      max-width: 92vw;
      max-height: 88vh;
      object-fit: contain;
      background: #fff;
    }
    .close-lightbox {
      position: absolute;
      top: 12px;
      right: 12px;
      width: 44px;
      height: 44px;
      font: inherit;
      font-size: 22px;
      border: none;
      border-radius: 50%;
      background: rgb(255 255 255 / 0.9);
      cursor: pointer;
    }
    .line.chat:focus {
      outline: none;
    }
    .line.chat:focus-visible {
      outline: 2px solid var(--focus, #2980b9);
      outline-offset: -2px;
    }
    .line.chat.highlight {
      animation: highlight 2s ease-out;
    }
    @keyframes highlight {
      from {
        background: var(--highlight-bg, #fde9a9);
      }
    }
    .line.quoting {
      padding-left: 10px;
      text-indent: 0;
    }
    .line.quoting .body {
      padding-left: var(--hang);
      text-indent: calc(-1 * var(--hang));
    }
    .quote {
      display: block;
      width: fit-content;
      max-width: 100%;
      box-sizing: border-box;
      margin: 1px 0 1px var(--hang);
      text-indent: 0;
      padding: 0 8px;
      border-left: 3px solid var(--panel-border, #c8ccd0);
      color: var(--system, #7f8c8d);
      font-size: 13px;
      cursor: pointer;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .quote:hover {
      background: var(--hover-bg, #eef3f8);
    }
    .quote-nick {
      font-weight: 700;
    }
    .gone {
      font-style: italic;
      color: var(--system, #7f8c8d);
    }
    .edited,
    .delivery {
      font-size: 12px;
      color: var(--system, #7f8c8d);
    }
    .delivery::before {
      content: ' ' attr(data-mark);
      white-space: pre;
    }
    .toolbar {
      position: absolute;
      top: -2px;
      right: 8px;
      display: flex;
      gap: 2px;
      text-indent: 0;
      padding: 1px;
      border: 1px solid var(--panel-border, #c8ccd0);
      border-radius: 6px;
      background: var(--panel-bg, #fff);
      box-shadow: 0 1px 4px rgb(0 0 0 / 0.15);
    }
    .toolbar button,
    .menu button {
      font: inherit;
      font-size: 12px;
      padding: 1px 8px;
      border: 0;
      border-radius: 4px;
      background: transparent;
      color: var(--text, #2c3e50);
      cursor: pointer;
    }
    .toolbar button::before {
      content: attr(aria-label);
    }
    .toolbar button:hover,
    .menu button:hover,
    .menu button:focus {
      background: var(--hover-bg, #eef3f8);
    }
    .toolbar button:focus-visible,
    .menu button:focus-visible {
      outline: 2px solid var(--focus, #2980b9);
      outline-offset: -2px;
    }
    .menu {
      position: fixed;
      z-index: 10;
      display: flex;
      flex-direction: column;
      min-width: 120px;
      padding: 4px;
      border: 1px solid var(--panel-border, #c8ccd0);
      border-radius: 6px;
      background: var(--panel-bg, #fff);
      box-shadow: 0 2px 10px rgb(0 0 0 / 0.2);
    }
    .menu button {
      text-align: left;
      font-size: 13px;
      padding: 4px 10px;
    }
    .older {
      box-sizing: border-box;
      height: 26px;
      display: flex;
      align-items: center;
      justify-content: center;
      font-size: 12px;
      font-style: italic;
      color: var(--system, #7f8c8d);
    }
    .older button {
      font: inherit;
      font-style: normal;
      padding: 0 10px;
      border: 1px solid var(--panel-border, #c8ccd0);
      border-radius: 999px;
      background: var(--button-bg, #fafafa);
      color: var(--text, #2c3e50);
      cursor: pointer;
    }
    .older button:focus-visible {
      outline: 2px solid var(--focus, #2980b9);
      outline-offset: 1px;
    }
    /* A phone (issue 16 §3): touch targets of 44 px. The older row's height is read, not assumed (revealMessage). */
    @media (max-width: 560px) {
      .toolbar button,
      .menu button {
        min-height: 44px;
        min-width: 44px;
      }
      .older {
        height: 52px;
      }
      .older button {
        min-height: 44px;
      }
    }
    .day {
      display: flex;
      align-items: center;
      gap: 8px;
      margin: 6px 10px;
      font-size: 12px;
      font-weight: 600;
      color: var(--system, #7f8c8d);
    }
    .day::before,
    .day::after {
      content: '';
      flex: 1;
      border-top: 1px solid var(--panel-border, #c8ccd0);
    }
    .scroller:focus-visible {
      outline: 2px solid var(--focus, #2980b9);
      outline-offset: 1px;
    }
    /*
     * A hanging indent: every line of a message after its first (wrapped, or after a
     * newline in the text) starts further right than any line's time, so no line inside
     * a message can pass for another message.
     */
    .line,
    .pending-line {
      --hang: 2.5em;
      padding: 1px 10px 1px calc(10px + var(--hang));
      text-indent: calc(-1 * var(--hang));
      overflow-wrap: anywhere;
    }
    .line {
      white-space: pre-wrap;
    }
    .time {
      font-weight: 700;
      color: var(--time, #34495e);
      font-variant-numeric: tabular-nums;
    }
    .system .text {
      font-style: italic;
      color: var(--system, #7f8c8d);
    }
    .system.good .text {
      color: var(--good, #16a085);
    }
    .system.bad .text {
      color: var(--bad, #c0392b);
    }
    .mention {
      background: var(--mention-bg, #fff4cc);
      box-shadow: inset 3px 0 0 var(--mention-edge, #f39c12);
    }
    .private {
      background: var(--private-bg, #f3eefa);
    }
    .replayed {
      opacity: 0.85;
    }
    .marker {
      font-weight: 700;
    }
    .nick {
      cursor: pointer;
      font-weight: 700;
      text-decoration: underline;
      text-underline-offset: 2px;
      color: var(--nick-color, #34495e);
      border-radius: 3px;
    }
    .system .nick {
      font-style: italic;
    }
    .nick:hover {
      background: color-mix(in srgb, var(--nick-color, #34495e) 12%, transparent);
    }
    .colon {
      font-weight: 700;
      color: var(--nick-color, #34495e);
    }
    code {
      font-family: ui-monospace, monospace;
      font-style: normal;
      user-select: all;
    }
    .pending-line {
      color: var(--system, #7f8c8d);
    }
    .pending-line .content {
      white-space: pre-wrap;
      opacity: 0.6;
    }
    .pending-line.private {
      background: var(--private-bg, #f3eefa);
    }
    .pending-line .nick-static {
      font-weight: 700;
      color: var(--nick-color, #34495e);
    }
    .clock {
      display: inline-block;
      position: relative;
      box-sizing: border-box;
      width: 0.95em;
      height: 0.95em;
      margin-right: 2px;
      vertical-align: -0.12em;
      border: 1.5px solid currentColor;
      border-radius: 50%;
    }
    .clock::before,
    .clock::after {
      content: '';
      position: absolute;
      left: calc(50% - 0.75px);
      bottom: 50%;
      width: 1.5px;
      background: currentColor;
      transform-origin: 50% 100%;
    }
    .clock::before {
      height: 32%;
    }
    .clock::after {
      height: 26%;
      transform: rotate(90deg);
    }
    .pending-state {
      font-style: italic;
      font-size: 12px;
    }
    .cancel {
      /* An inline-block: it would inherit the line's negative indent. */
      text-indent: 0;
      font: inherit;
      font-size: 12px;
      margin-left: 6px;
      padding: 0 8px;
      border: 1px solid var(--panel-border, #c8ccd0);
      border-radius: 999px;
      background: var(--button-bg, #fafafa);
      color: var(--text, #2c3e50);
      cursor: pointer;
    }
    .cancel:hover {
      background: var(--hover-bg, #eef3f8);
    }
    .cancel:focus-visible {
      outline: 2px solid var(--focus, #2980b9);
      outline-offset: 1px;
    }
    .jump {
      position: absolute;
      right: 18px;
      bottom: 12px;
      font: inherit;
      font-size: 13px;
      padding: 4px 12px;
      border-radius: 999px;
      border: 1px solid var(--panel-border, #c8ccd0);
      background: var(--accent, #2980b9);
      color: var(--on-accent, #fff);
      cursor: pointer;
      box-shadow: 0 2px 6px rgb(0 0 0 / 0.2);
    }
    .jump:focus-visible {
      outline: 2px solid var(--focus, #2980b9);
      outline-offset: 2px;
    }
  `;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver.disconnect();
    this.viewportObserver.disconnect();
    this.observedScroller = null;
    document.removeEventListener('pointerdown', this.closeMenuOutside, true);
  }

  /** Scrolls to the newest line and keeps following new ones. */
  scrollToEnd(): void {
    this.stickToBottom = true;
    this.hasUnseenLines = false;
    this.requestUpdate();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('older')) this.askedOlder = false;
    const previous = changed.get('log') as LogStore | undefined;
    if (changed.has('conversation') && changed.get('conversation') !== undefined) {
      // Another conversation's log: nothing measured or scrolled in the last one holds for it.
      this.blockHeights.reset();
      this.scrollToEnd();
    } else if (previous !== undefined && previous !== this.log) this.followLog(previous);
    this.blockHeights.truncate(this.log.blocks.length);
  }

  /** Keeps the block measurements (and the reader's place) in step with a changed log. */
  private followLog(previous: LogStore): void {
    const log = this.log;
    if (totalLines(log) > totalLines(previous) && !this.stickToBottom) this.hasUnseenLines = true;
    const prepended = log.prepended - previous.prepended;
    if (prepended > 0 && log.dropped === previous.dropped && log.firstBlock === previous.firstBlock && log.head === previous.head) {
      // Lines went in between (what a reconnect missed): the blocks from there on were laid out again.
      let from = 0;
      while (from < previous.blocks.length && previous.blocks[from] === log.blocks[from]) from++;
      this.blockHeights.truncate(from);
      const scroller = this.scroller;
      if (scroller && !this.stickToBottom) {
        this.anchor ??= this.firstLineInView(scroller);
        this.scrollTarget ??= scroller.scrollTop;
      }
      return;
    }
    if (prepended > 0 && log.dropped === previous.dropped) {
      const front = previous.firstBlock - log.firstBlock;
      const hadBlocks = previous.blocks.length > 0;
      // Only the front changed: new blocks, and the old first block when its free slots filled.
      const before = hadBlocks ? this.blockHeights.total(previous.blocks.slice(0, 1)) : 0;
      this.blockHeights.insertFront(front, hadBlocks && previous.head > 0);
      const after = this.blockHeights.total(log.blocks.slice(0, front + (hadBlocks ? 1 : 0)));
      const scroller = this.scroller;
      if (scroller && !this.stickToBottom) {
        this.anchor ??= this.firstLineInView(scroller);
        this.scrollTarget = (this.scrollTarget ?? scroller.scrollTop) + after - before;
      }
      return;
    }
    const droppedBlocks = prepended > 0 ? -1 : log.firstBlock - previous.firstBlock;
    if (droppedBlocks > 0) {
      // The oldest blocks went (the cap): a reader scrolled up keeps the same lines in view.
      this.scrollCorrection += this.blockHeights.dropFront(droppedBlocks, previous.blocks);
    } else if (droppedBlocks < 0) {
      this.blockHeights.reset();
    }
  }

  protected override render(): TemplateResult {
    const { first, last, above, below } = this.visibleBlocks();
    const indices: number[] = [];
    for (let i = first; i <= last; i++) indices.push(i);
    const blocks = this.log.blocks;
    const firstBlock = this.log.firstBlock;
    return html`
      <div class="scroller" role="log" aria-label=${this.strings.chatLog} tabindex="0" @scroll=${this.onScroll} @wheel=${this.onWheel}
        @keydown=${this.onKeyDown} @mouseover=${this.onPointerOver} @mouseleave=${this.onPointerLeave} @focusin=${this.onFocusIn}
        @focusout=${this.onFocusOut} @contextmenu=${this.onContextMenu}>
        ${this.renderOlderRow()}
        <div class="spacer" ${cssProperties({ height: `${above}px` })}></div>
        ${repeat(
          indices,
          (i) => firstBlock + i,
          (i) => {
            const lineBefore = i > 0 ? blocks[i - 1]!.at(-1) : undefined;
            return html`<div class="block" data-block=${firstBlock + i}>
              ${guard([blocks[i], lineBefore?.time, this.strings], () => this.renderBlock(blocks[i]!, lineBefore))}
            </div>`;
          },
        )}
        <div class="spacer" ${cssProperties({ height: `${below}px` })}></div>
        ${this.pending.length > 0
          ? html`<div class="pending">${repeat(this.pending, (p) => p.id, (p, i) => this.renderPendingLine(p, i))}</div>`
          : nothing}
      </div>
      ${this.hasUnseenLines
        ? html`<button class="jump" type="button" @click=${() => this.scrollToEnd()}>${this.strings.jumpToLatest} ↓</button>`
        : nothing}
      ${this.renderMenu()}
      ${this.renderLightbox()}
    `;
  }

  protected override updated(changed: PropertyValues<this>): void {
    const scroller = this.scroller;
    if (!scroller) return;
    this.resizeObserver.disconnect();
    for (const block of scroller.querySelectorAll('.block')) this.resizeObserver.observe(block);
    if (this.observedScroller !== scroller) {
      this.viewportObserver.observe(scroller);
      this.observedScroller = scroller;
    }
    if (this.scrollTarget !== null) {
      // Absolute, not by how much: the browser's own scroll anchoring may have moved it already.
      if (!this.stickToBottom) scroller.scrollTop = this.scrollTarget;
      this.scrollTarget = null;
      // The estimate is close; the anchor line's real place makes it exact (a new day's heading, lines of other heights).
      const anchor = this.anchor;
      this.anchor = null;
      const line = anchor === null ? null : scroller.querySelector<HTMLElement>(`[data-line="${anchor.line}"]`);
      if (line !== null && !this.stickToBottom) scroller.scrollTop += line.getBoundingClientRect().top - scroller.getBoundingClientRect().top - anchor!.top;
      this.lastScrollTop = scroller.scrollTop;
    }
    if (this.stickToBottom) this.stickAfterLayout();
    else if (this.scrollCorrection > 0) scroller.scrollTop -= this.scrollCorrection;
    this.scrollCorrection = 0;
    if (changed.has('pending')) this.refocusAfterCancel(scroller);
  }

  /**
   * Reading scrollHeight here would lay the page out once per update; the resize
   * observer runs after the frame's own layout (re-observing delivers an entry), so the
   * scroll happens there, once per frame. The frame callback covers an empty log.
   */
  private stickAfterLayout(): void {
    if (this.stickPending) return;
    this.stickPending = true;
    requestAnimationFrame(() => this.stickNow());
  }

  private stickNow(): void {
    if (!this.stickPending) return;
    this.stickPending = false;
    const scroller = this.scroller;
    if (scroller && this.stickToBottom) scroller.scrollTop = scroller.scrollHeight;
  }

  private firstLineInView(scroller: HTMLElement): { line: string; top: number } | null {
    const top = scroller.getBoundingClientRect().top;
    for (const line of scroller.querySelectorAll<HTMLElement>('[data-line]')) {
      const box = line.getBoundingClientRect();
      if (box.bottom > top) return { line: line.dataset.line!, top: box.top - top };
    }
    return null;
  }

  /** A cancelled line took its focused button with it: hand focus on rather than drop it to the page. */
  private refocusAfterCancel(scroller: HTMLElement): void {
    const index = this.refocusPendingAt;
    if (index === null || this.shadowRoot?.activeElement) return;
    this.refocusPendingAt = null;
    const buttons = scroller.querySelectorAll<HTMLButtonElement>('.pending-line .cancel');
    (buttons[Math.min(index, buttons.length - 1)] ?? scroller).focus();
  }

  private visibleBlocks(): BlockWindow {
    const scroller = this.scroller;
    const viewport = scroller?.clientHeight || 600;
    const scrollTop = this.scrollTarget ?? scroller?.scrollTop ?? 0;
    const blocks = this.log.blocks;
    const firstBlock = this.log.firstBlock;
    let shown = this.blockHeights.window(blocks, viewport, scrollTop, this.stickToBottom, viewport * OVERSCAN_VIEWPORTS);
    const before = this.renderedBlocks;
    if (before !== null && (firstBlock + shown.first > before.last || firstBlock + shown.last < before.first)) {
      // A jump (the thumb dragged, Home or End): nothing rendered can stay, so this frame
      // builds only what is in view, and the margins come in the next one.
      shown = this.blockHeights.window(blocks, viewport, scrollTop, this.stickToBottom, 0);
      this.updateNextFrame();
    }
    this.renderedBlocks = { first: firstBlock + shown.first, last: firstBlock + shown.last };
    return shown;
  }

  private updateNextFrame(): void {
    if (this.updateFrame !== 0) return;
    this.updateFrame = requestAnimationFrame(() => {
      this.updateFrame = 0;
      this.requestUpdate();
    });
  }

  private onScroll(): void {
    const s = this.scroller!;
    const atBottom = s.scrollHeight - s.scrollTop - s.clientHeight <= BOTTOM_SLACK_PX;
    this.stickToBottom = atBottom;
    if (atBottom) this.hasUnseenLines = false;
    const up = s.scrollTop < this.lastScrollTop;
    this.lastScrollTop = s.scrollTop;
    if (up && s.scrollTop < s.clientHeight * OLDER_PREFETCH_VIEWPORTS) this.askForOlder();
    this.requestUpdate();
  }

  /** A log too short to scroll gets no scroll events: a wheel up (or Home, PageUp) at its top asks for more too. */
  private onWheel(event: WheelEvent): void {
    if (event.deltaY < 0 && this.scroller!.scrollTop === 0) this.askForOlder();
  }

  private onKeyDown(event: KeyboardEvent): void {
    const scroller = this.scroller!;
    const target = event.target as HTMLElement;
    if (target === scroller) {
      if ((event.key === 'Home' || event.key === 'PageUp' || event.key === 'ArrowUp') && scroller.scrollTop === 0) this.askForOlder();
      // Arrows go into the lines, where their actions are; PageUp, PageDown, Home and End still scroll.
      if (event.key === 'ArrowUp' || event.key === 'ArrowDown') {
        const lines = this.linesInView();
        const line = event.key === 'ArrowUp' ? lines.at(-1) : lines[0];
        if (line) {
          event.preventDefault();
          line.focus();
        }
      }
      return;
    }
    if (!target.matches('.line.chat[data-message-id]')) return;
    if (event.key === 'ArrowUp' || event.key === 'ArrowDown') {
      event.preventDefault();
      const all = [...scroller.querySelectorAll<HTMLElement>('.line.chat[data-message-id]')];
      const next = all[all.indexOf(target) + (event.key === 'ArrowUp' ? -1 : 1)];
      if (next) next.focus();
      else if (event.key === 'ArrowUp') {
        scroller.scrollTop -= scroller.clientHeight / 2;
        if (scroller.scrollTop === 0) this.askForOlder();
      } else scroller.scrollTop += scroller.clientHeight / 2;
    } else if (event.key === 'Escape') {
      event.preventDefault();
      scroller.focus();
    } else if (event.key === 'ContextMenu' || (event.key === 'F10' && event.shiftKey)) {
      event.preventDefault();
      const box = target.getBoundingClientRect();
      this.openMenu(target, box.left + 40, box.bottom);
    }
  }

  /** Chat lines with actions that are at least partly in view, top first. */
  private linesInView(): HTMLElement[] {
    const scroller = this.scroller!;
    const box = scroller.getBoundingClientRect();
    return [...scroller.querySelectorAll<HTMLElement>('.line.chat[data-message-id]')].filter((line) => {
      const r = line.getBoundingClientRect();
      return r.bottom > box.top && r.top < box.bottom;
    });
  }

  private onPointerOver(event: MouseEvent): void {
    const line = (event.target as HTMLElement).closest<HTMLElement>('.line.chat');
    // A line with the keyboard's focus keeps its toolbar.
    if (line === null || line === this.toolbar.line || this.toolbar.line?.contains(this.shadowRoot!.activeElement)) return;
    this.toolbar.show(line, this.strings);
  }

  private onPointerLeave(): void {
    if (!this.toolbar.line?.contains(this.shadowRoot!.activeElement)) this.toolbar.hide();
  }

  private onFocusIn(event: FocusEvent): void {
    const line = (event.target as HTMLElement).closest<HTMLElement>('.line.chat');
    if (line !== null) this.toolbar.show(line, this.strings);
  }

  private onFocusOut(event: FocusEvent): void {
    const to = event.relatedTarget as Node | null;
    if (this.toolbar.line !== null && !this.toolbar.line.contains(to) && !this.toolbar.line.matches(':hover')) this.toolbar.hide();
  }

  private onContextMenu(event: MouseEvent): void {
    const line = (event.target as HTMLElement).closest<HTMLElement>('.line.chat');
    if (line === null || actionsOf(line).length === 0) return;
    event.preventDefault();
    this.openMenu(line, event.clientX, event.clientY);
  }

  private openMenu(line: HTMLElement, x: number, y: number): void {
    const actions = actionsOf(line);
    if (actions.length === 0) return;
    this.menu = { line, x, y, actions };
    document.addEventListener('pointerdown', this.closeMenuOutside, true);
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('.menu button')?.focus());
  }

  private closeMenu(refocus: boolean): void {
    const menu = this.menu;
    document.removeEventListener('pointerdown', this.closeMenuOutside, true);
    this.menu = null;
    if (refocus && menu?.line.isConnected) menu.line.focus();
  }

  private renderMenu(): TemplateResult | typeof nothing {
    const menu = this.menu;
    if (menu === null) return nothing;
    const s = this.strings;
    const onKey = (event: KeyboardEvent): void => {
      const items = [...this.renderRoot.querySelectorAll<HTMLButtonElement>('.menu button')];
      const at = items.indexOf(event.target as HTMLButtonElement);
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        items[(at + (event.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length]?.focus();
      } else if (event.key === 'Escape' || event.key === 'Tab') {
        event.preventDefault();
        this.closeMenu(true);
      }
    };
    return html`<div class="menu" role="menu" aria-label=${s.lineActions} ${cssProperties({ left: `${menu.x}px`, top: `${menu.y}px` })}
      @keydown=${onKey}>
      ${menu.actions.map(
        (action) => html`<button type="button" role="menuitem" aria-label=${actionLabel(action, s)} @click=${() => {
          this.closeMenu(false);
          this.act(action, menu.line);
        }}>${actionLabel(action, s)}</button>`,
      )}
    </div>`;
  }

  private act(action: LineAction, line: HTMLElement): void {
    const messageId = Number(line.dataset.messageId);
    if (!(messageId > 0)) return;
    emit(this, action === 'reply' ? 'reply-requested' : action === 'edit' ? 'edit-requested' : 'delete-requested', { messageId });
  }

  /**
   * Scrolls the line at `index` (with this messageId) into view, highlights it and
   * gives it focus. False when it is not there after all.
   */
  async revealMessage(messageId: number, index: number): Promise<boolean> {
    await this.updateComplete;
    const scroller = this.scroller;
    if (!scroller) return false;
    const log = this.log;
    const block = Math.floor((index + log.head) / LOG_BLOCK_SIZE);
    const rowHeight = this.renderRoot.querySelector<HTMLElement>('.older')?.offsetHeight ?? 0;
    this.stickToBottom = false;
    scroller.scrollTop = Math.max(0, rowHeight + this.blockHeights.offsetOf(log.blocks, block) - scroller.clientHeight / 3);
    this.requestUpdate();
    await this.updateComplete;
    await new Promise((resolve) => requestAnimationFrame(resolve));
    const line = scroller.querySelector<HTMLElement>(`.line.chat[data-message-id="${messageId}"]`);
    if (line === null) return false;
    line.scrollIntoView({ block: 'center' });
    line.classList.remove('highlight');
    // Restarts the animation when it is the same line again.
    void line.offsetWidth;
    line.classList.add('highlight');
    line.addEventListener('animationend', () => line.classList.remove('highlight'), { once: true });
    line.focus({ preventScroll: true });
    return true;
  }

  private askForOlder(): void {
    const older = this.older;
    if (this.askedOlder || older.state !== 'idle' || older.oldestId === 0) return;
    this.askedOlder = true;
    emit(this, 'older-requested', {});
  }

  /** Above the first line while paging is possible: one height in every state, so changing state moves nothing. */
  private renderOlderRow(): TemplateResult | typeof nothing {
    const older = this.older;
    const s = this.strings;
    switch (older.state) {
      case 'none':
        return nothing;
      case 'loading':
        // Told politely, but not a second role=status beside the connection's.
        return html`<div class="older loading" aria-live="polite">${s.loadingOlder}</div>`;
      case 'end':
        return html`<div class="older end">${s.historyStart}</div>`;
      case 'full':
        return html`<div class="older full">${s.olderNotKept}</div>`;
      case 'idle':
        return older.oldestId === 0
          ? nothing
          : html`<div class="older"><button type="button" class="load-older" @click=${() => this.askForOlder()}>${s.loadOlder}</button></div>`;
    }
  }

  /** A block's lines, with a day's name before the first line of each new day. */
  private renderBlock(lines: readonly LogLine[], lineBefore: LogLine | undefined): (TemplateResult | HTMLDivElement)[] {
    const out: (TemplateResult | HTMLDivElement)[] = [];
    let before = lineBefore;
    for (const line of lines) {
      if (before !== undefined && differentDays(before.time, line.time)) {
        out.push(html`<div class="day" role="separator">${formatDay(line.time, this.strings.dateLocale)}</div>`);
      }
      out.push(this.renderLine(line));
      before = line;
    }
    return out;
  }

  private onBlocksResized(entries: ResizeObserverEntry[]): void {
    this.stickNow();
    const { blocks, firstBlock } = this.log;
    let changed = false;
    for (const entry of entries) {
      const index = Number((entry.target as HTMLElement).dataset.block) - firstBlock;
      if (!blocks[index]?.length) continue;
      const height = entry.borderBoxSize[0]?.blockSize ?? entry.contentRect.height;
      if (this.blockHeights.measure(index, height)) changed = true;
    }
    if (!changed) return;
    this.blockHeights.reestimate(blocks);
    // Only the spacers change: next frame is soon enough, and saves a second layout in this one.
    this.updateNextFrame();
  }

  /** A link for a file, shared by its preview, its lightbox and its download while it is fresh. */
  private linkFor(fileId: string): Promise<FileLinkOutcome> {
    const ask = this.fileLink;
    if (ask === null) return Promise.resolve({ ok: false, error: 'not-connected', message: '' });
    const known = this.links.get(fileId);
    if (known !== undefined) {
      return known.then((outcome) => {
        if (outcome.ok && outcome.link.expiresAt - Date.now() > LINK_MARGIN_MS) return outcome;
        this.links.delete(fileId);
        return this.linkFor(fileId);
      });
    }
    if (this.links.size >= MAX_CACHED_LINKS) this.links.clear();
    const asked = ask(fileId).catch((): FileLinkOutcome => ({ ok: false, error: 'network', message: '' }));
    this.links.set(fileId, asked);
    // A refusal is not kept: the next look asks again.
    void asked.then((outcome) => {
      if (!outcome.ok && this.links.get(fileId) === asked) this.links.delete(fileId);
    });
    return asked;
  }

  private fileUnavailable(file: LineFile, error: UploadFailure): void {
    emit(this, 'file-unavailable', { name: file.name, reason: error });
  }

  private readonly fileActions: LineFileActions = {
    preview: (img, file) => {
      const show = (retry: boolean): void => {
        void this.linkFor(file.fileId).then((outcome) => {
          if (!outcome.ok) {
            img.title = this.strings.files.reasons[outcome.error];
            return;
          }
          // A link of a session that has ended since (a reconnect) is refused: one new link is asked for.
          if (retry) img.addEventListener('error', () => {
            if (this.links.get(file.fileId) !== undefined) this.links.delete(file.fileId);
            show(false);
          }, { once: true });
          img.src = outcome.link.url;
        });
      };
      show(true);
    },
    open: (file, from) => {
      void this.linkFor(file.fileId).then((outcome) => {
        if (!outcome.ok) return this.fileUnavailable(file, outcome.error);
        this.lightbox = { file, url: outcome.link.url, opener: from };
        void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('.lightbox .close-lightbox')?.focus());
      });
    },
    download: (file) => {
      void this.linkFor(file.fileId).then((outcome) => {
        if (!outcome.ok) return this.fileUnavailable(file, outcome.error);
        // The server answers every file but a picture as an attachment: a download, never a page.
        const a = document.createElement('a');
        a.href = outcome.link.url;
        a.download = file.name;
        a.rel = 'noopener noreferrer';
        a.click();
      });
    },
  };

  private closeLightbox(): void {
    const opener = this.lightbox?.opener;
    this.lightbox = null;
    if (opener?.isConnected) opener.focus();
    else this.scroller?.focus();
  }

  private renderLightbox(): TemplateResult | typeof nothing {
    const box = this.lightbox;
    if (box === null) return nothing;
    const onKey = (event: KeyboardEvent): void => {
      // Modal: Tab stays on its one control; Esc closes.
      if (event.key === 'Tab') event.preventDefault();
      if (event.key !== 'Escape') return;
      event.preventDefault();
      event.stopPropagation();
      this.closeLightbox();
    };
    const onClick = (event: MouseEvent): void => {
      if (event.target === event.currentTarget) this.closeLightbox();
    };
    return html`<div class="lightbox" role="dialog" aria-modal="true" aria-label=${box.file.name} @keydown=${onKey} @click=${onClick}>
      <img src=${box.url} alt=${box.file.name} />
      <button type="button" class="close-lightbox" aria-label=${this.strings.files.closePicture} title=${this.strings.files.closePicture}
        @click=${() => this.closeLightbox()}>×</button>
    </div>`;
  }

  private readonly activateNick = (user: Identity): void => {
    emit(this, 'nick-activated', { user });
  };

  private readonly activateQuote = (messageId: number): void => {
    emit(this, 'quote-activated', { messageId });
  };

  /** A name in a system line: clickable like a chat line's (see chat-line-element.ts). */
  private nick(user: Identity): TemplateResult {
    return html`<span role="button" class="nick" dir="auto" ${nickColor(user.userColor)} @click=${() => this.activateNick(user)}>${user.userName}</span>`;
  }

  private renderLine(line: LogLine): TemplateResult | HTMLDivElement {
    return line.kind === 'system' ? this.renderSystemLine(line) : createChatLineElement(line, this.strings, this.activateNick, this.activateQuote, this.fileActions);
  }

  private renderPendingLine(line: PendingLine, index: number): TemplateResult {
    const s = this.strings;
    const shown = line.to ?? line.from;
    const marker = line.to ? html`<span class="marker" title=${s.privateTo.replace('{name}', line.to.userName)}>&lt;</span> ` : nothing;
    const who = shown
      ? html`<span class="nick-static" dir="auto" ${nickColor(shown.userColor)}>${shown.userName}</span><span class="colon" ${nickColor(shown.userColor)}>:</span> `
      : nothing;
    return html`<div class="pending-line ${line.to ? 'private' : ''}" data-pending-id=${line.id}>
      <span class="content"><span class="time">${formatTimestamp(line.time)}</span> <span class="clock" aria-hidden="true"></span> ${marker}${who}${renderMessage(line.runs)}</span>
      <span class="pending-state">— ${line.sending ? s.sending : s.pending}</span>${line.sending
        ? nothing
        : html`<button type="button" class="cancel" aria-label=${s.cancelPendingLabel} @click=${() => this.cancelPending(line.id, index)}>${s.cancelPending}</button>`}
    </div>`;
  }

  private cancelPending(id: string, index: number): void {
    this.refocusPendingAt = index;
    emit(this, 'pending-cancel-requested', { id });
  }

  private renderSystemLine(line: SystemLine): TemplateResult {
    const { text, tone } = this.describe(line.event);
    return html`<div class="line system ${tone}" data-line=${line.id}><span class="time">${formatTimestamp(line.time)}</span> <span class="text">${text}</span></div>`;
  }

  private describe(event: SystemEvent): { text: unknown[]; tone: '' | 'good' | 'bad' } {
    const l = this.strings.log;
    const fill = (template: string, values: Record<string, unknown>) => fillTemplate<unknown>(template, values);
    switch (event.type) {
      case 'connecting':
        return {
          text: fill(event.attempt > 0 ? l.connectingAgain : l.connecting, {
            address: html`<b>${event.address}</b>`,
            attempt: String(event.attempt),
          }),
          tone: '',
        };
      case 'connected':
        return { text: [l.connected], tone: 'good' };
      case 'logged-in':
        return { text: fill(l.loggedIn, { nick: this.nick(event.self) }), tone: '' };
      case 'joined':
        return { text: fill((event.inRoom ? this.strings.sidebar.joinedRoom : l.joined)[event.user.gender], { nick: this.nick(event.user) }), tone: '' };
      case 'left':
        return { text: fill((event.inRoom ? this.strings.sidebar.leftRoom : l.left)[event.user.gender], { nick: this.nick(event.user) }), tone: '' };
      case 'lost':
        return { text: fill(l.lost, { nick: this.nick(event.user) }), tone: '' };
      case 'closed':
        if (event.byUser) return { text: [l.closedByUser], tone: '' };
        return {
          text: event.reason.trim() ? fill(l.closed, { reason: event.reason }) : [l.closedNoReason],
          tone: 'bad',
        };
      case 'error':
        return {
          text: fill(l.error, { message: (event.code && this.strings.errorCodes[event.code]) || event.message }),
          tone: 'bad',
        };
      case 'server-newer':
        return { text: fill(l.serverNewer, { action: event.action }), tone: 'bad' };
      case 'send-failed':
        return { text: fill(l.sendFailed, { reason: event.reason }), tone: 'bad' };
      case 'undelivered':
        return {
          text: event.to
            ? fill(l.undeliveredTo, { nick: this.nick(event.to), message: renderMessage(parseRichText(event.text)) })
            : fill(l.undelivered, { message: renderMessage(parseRichText(event.text)) }),
          tone: 'bad',
        };
      case 'private-ended':
        return { text: fill(l.privateEnded, { nick: this.nick(event.user) }), tone: '' };
      case 'hosting': {
        const addresses = html`${event.addresses.map((a, i) => html`${i > 0 ? ', ' : ''}<code>${a}</code>`)}`;
        const urls = html`${event.webUrls.map((a, i) => html`${i > 0 ? ', ' : ''}<code>${a}</code>`)}`;
        const main = fill(l.hosting, { port: String(event.port), addresses });
        return { text: event.webUrls.length > 0 ? [...main, ' ', ...fill(l.hostingWeb, { urls })] : main, tone: 'good' };
      }
      case 'hosting-failed':
        return { text: fill(l.hostingFailed, { port: String(event.port), message: event.message }), tone: 'bad' };
      case 'hosting-stopped':
        return { text: [l.hostingStopped], tone: '' };
      case 'buzz':
        return event.mine
          ? { text: fill(l.buzzOut, { nick: this.nick(event.to) }), tone: '' }
          : { text: fill(l.buzzIn, { nick: this.nick(event.from) }), tone: 'bad' };
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'chat-log': ChatLog;
  }
}
