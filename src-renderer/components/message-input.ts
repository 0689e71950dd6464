import { LitElement, css, html, nothing } from 'lit';
import type { TemplateResult } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { MAX_TEXT_LENGTH, codePointLength } from '../../src-shared/protocol';
import type { Identity } from '../../src-shared/protocol';
import { fillTemplate, format } from '../i18n';
import type { Strings } from '../i18n';
import { en } from '../i18n/en';
import { nickColor } from './css-properties';
import { emit } from './events';

/** The counter shows when fewer characters than this are left. */
const LIMIT_SHOWN_WITHIN = 200;
/** A paste too long for a line, sent as a file instead. */
const PASTED_FILE_NAME = 'message.txt';

/**
 * Where a line is written: who it goes to ("Send to everyone", or "To Nick" with a
 * close button in private mode) and the message box. Enter sends, Shift+Enter starts
 * a new line, Esc leaves private mode. The draft belongs to the app; this only shows
 * and reports it.
 */
@customElement('message-input')
export class MessageInput extends LitElement {
  @property({ attribute: false }) accessor value = '';
  @property({ type: Boolean }) accessor enabled = false;
  /** Enabled while reconnecting: what is sent now waits in the outbox. */
  @property({ type: Boolean }) accessor queued = false;
  @property({ attribute: false }) accessor privateTarget: Identity | null = null;
  /** The room a public line goes to (issue 13 §6); null: the lobby. */
  @property({ attribute: false }) accessor room: string | null = null;
  /** What the next line answers (shown above the input, with ×). */
  @property({ attribute: false }) accessor replyTo: { userName: string; excerpt: string } | null = null;
  /** Enter saves an edit of one's own line instead of sending a new one. */
  @property({ type: Boolean }) accessor editing = false;
  @property({ attribute: false }) accessor strings: Strings = en;
  /** Files can go now (logged in to a server that takes them): the attach button and pasting files work. */
  @property({ type: Boolean }) accessor canAttach = false;

  @query('textarea') private accessor input!: HTMLTextAreaElement | null;
  /** Why the last Enter or paste did nothing, said under the input; a paste too long keeps its text to offer it as a file. */
  @state() private accessor refusal: { readonly message: string; readonly pasted: string | null } | null = null;

  static override styles = css`
    :host {
      display: flex;
      flex-direction: column;
      gap: 6px;
    }
    .target {
      display: flex;
      align-items: center;
      gap: 6px;
      min-height: 26px;
      padding: 0 4px;
      font-size: 14px;
      color: var(--text, #2c3e50);
    }
    .target .nick {
      font-weight: 700;
      color: var(--nick-color, #34495e);
    }
    .close {
      font: inherit;
      width: 24px;
      height: 24px;
      padding: 0;
      line-height: 1;
      border: 1px solid var(--panel-border, #c8ccd0);
      border-radius: 4px;
      background: var(--button-bg, #fafafa);
      cursor: pointer;
    }
    .close:hover {
      background: var(--hover-bg, #eef3f8);
    }
    .close:focus-visible,
    textarea:focus-visible {
      outline: 2px solid var(--focus, #2980b9);
      outline-offset: 1px;
    }
    textarea {
      box-sizing: border-box;
      display: block;
      width: 100%;
      resize: none;
      overflow-y: hidden;
      line-height: 1.35;
      font: inherit;
      font-size: 14px;
      padding: 7px 10px;
      border: 1px solid var(--panel-border, #c8ccd0);
      border-radius: 6px;
      background: var(--panel-bg, #fff);
      color: var(--text, #2c3e50);
    }
    textarea:disabled {
      background: var(--disabled-bg, #f1f2f3);
    }
    .row {
      display: flex;
      gap: 6px;
    }
    .row textarea {
      flex: 1;
      min-width: 0;
    }
    .attach {
      font: inherit;
      font-size: 16px;
      width: 36px;
      flex: none;
      padding: 0;
      border: 1px solid var(--panel-border, #c8ccd0);
      border-radius: 6px;
      background: var(--button-bg, #fafafa);
      cursor: pointer;
    }
    /* Drawn, not an emoji: a system without an emoji font would show a box. */
    .attach::before {
      content: '';
      display: block;
      width: 18px;
      height: 18px;
      margin: auto;
      background: url("data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24' fill='none' stroke='%2334495e' stroke-width='2' stroke-linecap='round' stroke-linejoin='round'><path d='M21 11.5l-8.6 8.6a5.5 5.5 0 0 1-7.8-7.8l8.6-8.6a3.7 3.7 0 0 1 5.2 5.2l-8.6 8.6a1.8 1.8 0 0 1-2.6-2.6l7.9-7.9'/></svg>") center / contain no-repeat;
    }
    .attach:hover:not(:disabled) {
      background: var(--hover-bg, #eef3f8);
    }
    .attach:focus-visible {
      outline: 2px solid var(--focus, #2980b9);
      outline-offset: 1px;
    }
    .attach:disabled {
      cursor: default;
      opacity: 0.5;
    }
    .private-mode textarea {
      border-color: var(--private-edge, #8e44ad);
    }
    .editing textarea {
      border-color: var(--accent, #2980b9);
      background: var(--editing-bg, #f4f9fd);
    }
    .bar {
      display: flex;
      align-items: center;
      gap: 6px;
      min-height: 26px;
      padding: 0 4px 0 8px;
      border-left: 3px solid var(--accent, #2980b9);
      font-size: 13px;
      color: var(--system, #7f8c8d);
      overflow: hidden;
    }
    .bar .what {
      flex: 1;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .bar .nick {
      font-weight: 700;
      color: var(--text, #2c3e50);
    }
    .limit {
      display: flex;
      align-items: center;
      justify-content: flex-end;
      gap: 8px;
      margin: 2px 0 0;
      font-size: 13px;
      color: var(--system, #5f6b6c);
    }
    .limit .over,
    .limit .refused {
      color: var(--bad, #c0392b);
    }
    .limit button {
      font: inherit;
    }
    /* A phone (issue 16 §3): a × is a touch target of 44 px, as chat-app's buttons are. */
    @media (max-width: 560px) {
      .close,
      .attach {
        width: 44px;
        height: 44px;
      }
      /* Under 16 px, iOS Safari zooms the page in when the box takes the focus. */
      textarea {
        min-height: 44px;
        font-size: 16px;
      }
    }
  `;

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('value')) this.fit();
  }

  /** The box grows with its lines, up to a third of the window, then scrolls. */
  private fit(): void {
    const box = this.input;
    if (!box) return;
    box.style.height = 'auto';
    const borders = box.offsetHeight - box.clientHeight;
    const wanted = box.scrollHeight + borders;
    const most = Math.max(box.offsetHeight, Math.floor(window.innerHeight / 3));
    box.style.height = `${Math.min(wanted, most)}px`;
    box.style.overflowY = wanted > most ? 'auto' : 'hidden';
  }

  /** Puts the caret at the end of the input. */
  focusInput(): void {
    const input = this.input;
    if (!input || input.disabled) return;
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  }

  protected override render(): TemplateResult {
    const s = this.strings;
    const target = this.privateTarget;
    return html`
      ${this.editing
        ? html`<div class="bar editing-bar"><span class="what">${s.editing}</span>
            <button type="button" class="close" aria-label=${s.cancelEdit} title=${s.cancelEdit} @click=${this.cancelEdit}>×</button></div>`
        : this.replyTo
          ? html`<div class="bar reply-bar"><span class="what">${fillTemplate<unknown>(s.replyingTo, {
              nick: html`<span class="nick" dir="auto">${this.replyTo.userName}</span>`,
            })}: <bdi>${this.replyTo.excerpt}</bdi></span>
              <button type="button" class="close" aria-label=${s.cancelReply} title=${s.cancelReply} @click=${this.cancelReply}>×</button></div>`
          : nothing}
      <div class="target" id="target">
        ${target
          ? html`<button type="button" class="close" aria-label=${s.closePrivateMode} title=${s.closePrivateMode}
                @click=${this.closePrivate}>×</button>
              <span>${fillTemplate<unknown>(s.sendTo, {
                nick: html`<span class="nick" dir="auto" ${nickColor(target.userColor)}>${target.userName}</span>`,
              })}</span>`
          : html`<span dir="auto">${this.room === null ? s.sendToEveryone : format(s.sidebar.sendToRoom, { room: this.room })}</span>`}
      </div>
      <div class="row ${this.editing ? 'editing' : target ? 'private-mode' : ''}">
        <textarea
          rows="1"
          aria-label=${s.message}
          aria-describedby="target"
          autocomplete="off"
          enterkeyhint="send"
          spellcheck="true"
          placeholder=${!this.enabled ? s.messagePlaceholderOffline : this.queued ? s.messagePlaceholderQueued : s.messagePlaceholder}
          ?disabled=${!this.enabled}
          .value=${live(this.value)}
          @input=${this.onInput}
          @keydown=${this.onKeyDown}
          @paste=${this.onPaste}
        ></textarea>
        <button type="button" class="attach" aria-label=${s.files.attach} title=${s.files.attach}
          ?disabled=${!this.enabled || !this.canAttach || this.editing} @click=${this.pickFiles}></button>
      </div>
      ${this.renderLimit()}
    `;
  }

  /**
   * Near the limit, what is left (never cut silently, as maxlength would); past it, by
   * how much, and Enter says why it does not send. A paste that would not fit is refused
   * whole, and offered as a file where files can go.
   */
  private renderLimit(): TemplateResult | typeof nothing {
    const s = this.strings;
    const left = MAX_TEXT_LENGTH - codePointLength(this.value);
    const refusal = this.refusal;
    if (left >= LIMIT_SHOWN_WITHIN && refusal === null) return nothing;
    return html`<div class="limit">
      ${refusal === null
        ? nothing
        : html`<span class="refused" role="alert">${refusal.message}</span>
            ${refusal.pasted !== null && this.canAttach && !this.editing
              ? html`<button type="button" @click=${this.sendPastedAsFile}>${s.sendAsFile}</button>`
              : nothing}`}
      ${left < LIMIT_SHOWN_WITHIN
        ? html`<span class=${left < 0 ? 'over' : 'left'} role="status" aria-live="polite">${format(left < 0 ? s.charactersOver : s.charactersLeft, { count: Math.abs(left) })}</span>`
        : nothing}
    </div>`;
  }

  private sendPastedAsFile(): void {
    const text = this.refusal?.pasted;
    if (text === null || text === undefined) return;
    this.refusal = null;
    emit(this, 'files-chosen', { files: [new File([text], PASTED_FILE_NAME, { type: 'text/plain' })] });
    this.focusInput();
  }

  /** The system's file chooser, from a picker made for this click (none in the DOM: the input stays the one input here). */
  private pickFiles(): void {
    const picker = document.createElement('input');
    picker.type = 'file';
    picker.multiple = true;
    picker.addEventListener('change', () => {
      const files = [...(picker.files ?? [])];
      if (files.length > 0) emit(this, 'files-chosen', { files });
      this.focusInput();
    });
    picker.click();
  }

  /**
   * A picture or a file copied to the clipboard is sent as a file; text pastes as text, even
   * when the clipboard holds a picture of it too (office programs copy both).
   */
  private onPaste(event: ClipboardEvent): void {
    const data = event.clipboardData;
    const pasted = data?.getData('text/plain') ?? '';
    const input = event.target as HTMLTextAreaElement;
    const replaced = input.value.slice(input.selectionStart, input.selectionEnd);
    const kept = codePointLength(input.value) - codePointLength(replaced);
    if (pasted !== '' && kept + codePointLength(pasted) > MAX_TEXT_LENGTH) {
      event.preventDefault();
      this.refusal = { message: format(this.strings.pasteTooLong, { count: codePointLength(pasted), limit: MAX_TEXT_LENGTH }), pasted };
      return;
    }
    const files = [...(data?.files ?? [])];
    if (files.length === 0 || !this.canAttach || this.editing || (data?.getData('text/plain') ?? '') !== '') return;
    event.preventDefault();
    emit(this, 'files-chosen', { files });
  }

  private onInput(event: InputEvent): void {
    this.refusal = null;
    this.fit();
    emit(this, 'draft-changed', { text: (event.target as HTMLTextAreaElement).value });
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (event.isComposing) return;
    // Shift+Enter is the textarea's own new line; Enter alone sends.
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      const text = (event.target as HTMLTextAreaElement).value;
      if (codePointLength(text) > MAX_TEXT_LENGTH) {
        this.refusal = { message: format(this.strings.messageTooLong, { count: codePointLength(text), limit: MAX_TEXT_LENGTH }), pasted: null };
        return;
      }
      this.refusal = null;
      if (text.trim() !== '') emit(this, 'message-submitted', { text });
    } else if (event.key === 'Escape' && this.editing) {
      event.preventDefault();
      this.cancelEdit();
    } else if (event.key === 'Escape' && this.replyTo) {
      event.preventDefault();
      this.cancelReply();
    } else if (event.key === 'Escape' && this.privateTarget) {
      event.preventDefault();
      this.closePrivate();
    } else if (event.key === 'ArrowUp' && !this.editing && (event.target as HTMLTextAreaElement).value === '') {
      // As in Slack and Discord: Up in an empty input edits one's last line.
      event.preventDefault();
      emit(this, 'edit-last-requested', {});
    }
  }

  private cancelEdit(): void {
    emit(this, 'edit-cancelled', {});
    this.focusInput();
  }

  private cancelReply(): void {
    emit(this, 'reply-cancelled', {});
    this.focusInput();
  }

  private closePrivate(): void {
    emit(this, 'private-closed', {});
    this.focusInput();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'message-input': MessageInput;
  }
}
