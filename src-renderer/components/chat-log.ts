import { LitElement, css, html, nothing } from 'lit';
import type { PropertyValues, TemplateResult } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { classMap } from 'lit/directives/class-map.js';
import { guard } from 'lit/directives/guard.js';
import { repeat } from 'lit/directives/repeat.js';
import { parseRichText } from '../../src-shared/protocol';
import type { Identity, RichTextRun } from '../../src-shared/protocol';
import { formatTimestamp } from '../format/time';
import { fillTemplate } from '../i18n';
import type { Strings } from '../i18n';
import { en } from '../i18n/en';
import { EMPTY_LOG } from '../state/log';
import type { ChatLine, LogLine, LogStore, SystemEvent, SystemLine } from '../state/log';
import { cssProperties, nickColor } from './css-properties';
import { emit } from './events';

/** Rendered around the viewport, so fast scrolling shows lines, not blanks. */
const OVERSCAN_VIEWPORTS = 1;
/** Within this many px of the end counts as "at the end": new lines then keep it in view. */
const BOTTOM_SLACK_PX = 8;

export function renderRuns(runs: readonly RichTextRun[]): (TemplateResult | string)[] {
  // Text bindings only: whatever a peer sent stays text.
  return runs.map((run) => (run.bold ? html`<b>${run.text}</b>` : run.text));
}

/**
 * The chat log: read-only, every line timestamped, system lines set apart, names
 * clickable. Virtual: only blocks of lines near the viewport are in the DOM, with
 * spacers of their measured (or estimated) height standing in for the rest, so a
 * log of 100 000 lines scrolls and grows as fast as a short one.
 */
@customElement('chat-log')
export class ChatLog extends LitElement {
  @property({ attribute: false }) accessor log: LogStore = EMPTY_LOG;
  @property({ attribute: false }) accessor strings: Strings = en;

  @state() private accessor hasUnseenLines = false;

  @query('.scroller') private accessor scroller!: HTMLElement | null;

  /** Measured height of each block, px; 0 until it has been on screen. */
  private blockHeights: number[] = [];
  private estimatedLineHeight = 20;
  private stickToBottom = true;
  private readonly resizeObserver = new ResizeObserver((entries) => this.onBlocksResized(entries));

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
    }
    .scroller:focus-visible {
      outline: 2px solid var(--focus, #2980b9);
      outline-offset: 1px;
    }
    .line {
      padding: 1px 10px;
      overflow-wrap: anywhere;
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
      all: unset;
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
    .nick:focus-visible {
      outline: 2px solid var(--focus, #2980b9);
      outline-offset: 1px;
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
      color: #fff;
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
  }

  /** Scrolls to the newest line and keeps following new ones. */
  scrollToEnd(): void {
    this.stickToBottom = true;
    this.hasUnseenLines = false;
    this.requestUpdate();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const previous = changed.get('log') as LogStore | undefined;
    if (previous !== undefined && this.log.count > previous.count && !this.stickToBottom) this.hasUnseenLines = true;
    if (this.blockHeights.length > this.log.blocks.length) this.blockHeights.length = this.log.blocks.length;
  }

  protected override render(): TemplateResult {
    const { first, last, above, below } = this.visibleBlocks();
    const indices: number[] = [];
    for (let i = first; i <= last; i++) indices.push(i);
    const blocks = this.log.blocks;
    return html`
      <div class="scroller" role="log" aria-label=${this.strings.chatLog} tabindex="0" @scroll=${this.onScroll}>
        <div class="spacer" ${cssProperties({ height: `${above}px` })}></div>
        ${repeat(
          indices,
          (i) => i,
          (i) => html`<div class="block" data-block=${i}>
            ${guard([blocks[i], this.strings], () => blocks[i]!.map((line) => this.renderLine(line)))}
          </div>`,
        )}
        <div class="spacer" ${cssProperties({ height: `${below}px` })}></div>
      </div>
      ${this.hasUnseenLines
        ? html`<button class="jump" type="button" @click=${() => this.scrollToEnd()}>${this.strings.jumpToLatest} ↓</button>`
        : nothing}
    `;
  }

  protected override updated(): void {
    const scroller = this.scroller;
    if (!scroller) return;
    this.resizeObserver.disconnect();
    for (const block of scroller.querySelectorAll('.block')) this.resizeObserver.observe(block);
    if (this.stickToBottom) scroller.scrollTop = scroller.scrollHeight;
  }

  private blockHeight(i: number): number {
    return this.blockHeights[i] || this.log.blocks[i]!.length * this.estimatedLineHeight;
  }

  private visibleBlocks(): { first: number; last: number; above: number; below: number } {
    const count = this.log.blocks.length;
    if (count === 0) return { first: 0, last: -1, above: 0, below: 0 };
    const heights = Array.from({ length: count }, (_, i) => this.blockHeight(i));
    const total = heights.reduce((a, b) => a + b, 0);
    const viewport = this.scroller?.clientHeight || 600;
    const top = this.stickToBottom ? Math.max(0, total - viewport) : (this.scroller?.scrollTop ?? 0);
    const from = top - viewport * OVERSCAN_VIEWPORTS;
    const to = top + viewport * (1 + OVERSCAN_VIEWPORTS);
    let first = -1;
    let last = -1;
    let offset = 0;
    let above = 0;
    for (let i = 0; i < count; i++) {
      const h = heights[i]!;
      if (offset + h > from && offset < to) {
        if (first === -1) {
          first = i;
          above = offset;
        }
        last = i;
      }
      offset += h;
    }
    if (first === -1) {
      // Past the end (the log shrank under a stale scroll position): show the end.
      first = last = count - 1;
      above = total - heights[count - 1]!;
    }
    let below = 0;
    for (let i = last + 1; i < count; i++) below += heights[i]!;
    return { first, last, above, below };
  }

  private onScroll(): void {
    const s = this.scroller!;
    const atBottom = s.scrollHeight - s.scrollTop - s.clientHeight <= BOTTOM_SLACK_PX;
    this.stickToBottom = atBottom;
    if (atBottom) this.hasUnseenLines = false;
    this.requestUpdate();
  }

  private onBlocksResized(entries: ResizeObserverEntry[]): void {
    let changed = false;
    for (const entry of entries) {
      const index = Number((entry.target as HTMLElement).dataset.block);
      const lines = this.log.blocks[index]?.length;
      const height = entry.borderBoxSize[0]?.blockSize ?? entry.contentRect.height;
      if (!lines || height <= 0) continue;
      if (Math.abs((this.blockHeights[index] ?? 0) - height) > 0.5) {
        this.blockHeights[index] = height;
        changed = true;
      }
    }
    if (!changed) return;
    let measuredLines = 0;
    let measuredHeight = 0;
    this.blockHeights.forEach((h, i) => {
      if (h) {
        measuredLines += this.log.blocks[i]?.length ?? 0;
        measuredHeight += h;
      }
    });
    if (measuredLines > 0) this.estimatedLineHeight = measuredHeight / measuredLines;
    this.requestUpdate();
  }

  private activate(user: Identity): void {
    emit(this, 'nick-activated', { user });
  }

  private nick(user: Identity): TemplateResult {
    return html`<button type="button" class="nick" tabindex="-1" ${nickColor(user.userColor)} @click=${() => this.activate(user)}>${user.userName}</button>`;
  }

  private renderLine(line: LogLine): TemplateResult {
    return line.kind === 'system' ? this.renderSystemLine(line) : this.renderChatLine(line);
  }

  private renderChatLine(line: ChatLine): TemplateResult {
    const s = this.strings;
    const classes = {
      line: true,
      chat: true,
      mention: line.mentionsMe,
      private: line.direction !== 'public',
      mine: line.mine,
      replayed: line.replayed,
    };
    const shown = line.direction === 'private-out' ? line.peer! : line.from;
    const marker =
      line.direction === 'private-in'
        ? html`<span class="marker" title=${s.privateFrom.replace('{name}', shown.userName)}>&gt;</span> `
        : line.direction === 'private-out'
          ? html`<span class="marker" title=${s.privateTo.replace('{name}', shown.userName)}>&lt;</span> `
          : nothing;
    return html`<div class=${classMap(classes)}><span class="time">${formatTimestamp(line.time)}</span> ${marker}${this.nick(shown)}<span class="colon" ${nickColor(shown.userColor)}>:</span> ${renderRuns(line.runs)}</div>`;
  }

  private renderSystemLine(line: SystemLine): TemplateResult {
    const { text, tone } = this.describe(line.event);
    return html`<div class="line system ${tone}"><span class="time">${formatTimestamp(line.time)}</span> <span class="text">${text}</span></div>`;
  }

  private describe(event: SystemEvent): { text: unknown[]; tone: '' | 'good' | 'bad' } {
    const l = this.strings.log;
    const fill = (template: string, values: Record<string, unknown>) => fillTemplate<unknown>(template, values);
    const seconds = (ms: number) => String(Math.max(1, Math.round(ms / 1000)));
    const reason = (r: string) => r.trim() || '—';
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
        return { text: fill(l.joined[event.user.gender], { nick: this.nick(event.user) }), tone: '' };
      case 'left':
        return { text: fill(l.left[event.user.gender], { nick: this.nick(event.user) }), tone: '' };
      case 'lost':
        return { text: fill(l.lost, { nick: this.nick(event.user) }), tone: '' };
      case 'closed':
        if (event.byUser) return { text: [l.closedByUser], tone: '' };
        return {
          text: event.reason.trim() ? fill(l.closed, { reason: event.reason }) : [l.closedNoReason],
          tone: 'bad',
        };
      case 'reconnecting':
        return event.afterFailedAttempt
          ? {
              text: fill(l.connectFailed, { reason: reason(event.reason), seconds: seconds(event.delayMs), attempt: String(event.attempt) }),
              tone: 'bad',
            }
          : { text: fill(l.reconnecting, { seconds: seconds(event.delayMs), attempt: String(event.attempt) }), tone: '' };
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
            ? fill(l.undeliveredTo, { nick: this.nick(event.to), message: renderRuns(parseRichText(event.text)) })
            : fill(l.undelivered, { message: renderRuns(parseRichText(event.text)) }),
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
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'chat-log': ChatLog;
  }
}
