import { LitElement, css, html, nothing } from 'lit';
import type { PropertyValues, TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { MAX_STATUS_TEXT_LENGTH, USER_STATUSES, parseRichText } from '../../src-shared/protocol';
import type { Identity, UserStatus } from '../../src-shared/protocol';
import type { Strings } from '../i18n';
import { en } from '../i18n/en';
import type { Presence } from '../state/statuses';
import { ONLINE } from '../state/statuses';
import { nickColor } from './css-properties';
import { emit } from './events';
import { statusDotStyles } from './status-colors';

/** A status text as typed (the server's is escaped). */
const plain = (escaped: string): string => parseRichText(escaped).map((run) => run.text).join('');

/**
 * One's own name with a status picker beside it (issue 13 §3): the status, an optional
 * text (sent on Enter or when the field is left), and whether others may buzz us.
 */
@customElement('status-picker')
export class StatusPicker extends LitElement {
  @property({ attribute: false }) accessor self: Identity | null = null;
  /** One's status as the server last said it. */
  @property({ attribute: false }) accessor presence: Presence = ONLINE;
  @property({ type: Boolean }) accessor allowBuzz = true;
  @property({ attribute: false }) accessor strings: Strings = en;

  @state() private accessor text = '';
  /** The text last sent (Enter, then leaving the field, is one change). */
  private sentText: string | null = null;
  /** The status menu is open. */
  @state() private accessor open = false;

  static override styles = [
    statusDotStyles,
    css`
      :host {
        display: block;
        font-size: 13px;
      }
      .row {
        display: flex;
        align-items: center;
        gap: 6px;
        min-width: 0;
      }
      .name {
        flex: 1;
        min-width: 0;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
        font-weight: 700;
        color: var(--nick-color, #34495e);
      }
      select,
      input[type='text'] {
        font: inherit;
        min-width: 0;
      }
      input[type='text'] {
        box-sizing: border-box;
        width: 100%;
        margin-top: 4px;
      }
      .picker {
        position: relative;
        flex: none;
      }
      .status-button {
        display: inline-flex;
        align-items: center;
        gap: 4px;
        font: inherit;
        padding: 2px 6px;
        border: 1px solid var(--panel-border, #c8ccd0);
        border-radius: 5px;
        background: var(--panel-bg, #fff);
        color: inherit;
        cursor: pointer;
      }
      [role='menu'] {
        position: absolute;
        right: 0;
        top: 100%;
        z-index: 10;
        display: flex;
        flex-direction: column;
        min-width: 130px;
        padding: 4px;
        background: var(--panel-bg, #fff);
        border: 1px solid var(--panel-border, #c8ccd0);
        border-radius: 6px;
        box-shadow: 0 2px 10px rgb(0 0 0 / 0.2);
      }
      [role='menuitemradio'] {
        display: flex;
        align-items: center;
        gap: 6px;
        padding: 4px 8px;
        border: 0;
        border-radius: 4px;
        background: transparent;
        color: inherit;
        font: inherit;
        text-align: left;
        cursor: pointer;
      }
      [role='menuitemradio']:hover,
      [role='menuitemradio']:focus-visible {
        background: var(--hover-bg, #eef3f8);
        outline: none;
      }
      [role='menuitemradio'][aria-checked='true'] {
        font-weight: 700;
      }
      label.buzz {
        display: flex;
        align-items: center;
        gap: 4px;
        margin-top: 2px;
        color: var(--system, #7f8c8d);
        font-size: 12px;
      }
    `,
  ];

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('presence')) {
      this.text = plain(this.presence.text);
      this.sentText = null;
    }
  }

  protected override render(): TemplateResult | typeof nothing {
    const self = this.self;
    if (self === null) return nothing;
    const s = this.strings;
    const status = this.presence.status;
    return html`<div role="group" aria-label=${s.myStatus}>
      <div class="row">
        <span class="status-dot ${status}" aria-hidden="true"></span>
        <span class="name" dir="auto" ${nickColor(self.userColor)}>${self.userName}</span>
        <span class="picker" @focusout=${this.onFocusOut}>
          <button type="button" class="status-button" aria-haspopup="menu" aria-expanded=${this.open ? 'true' : 'false'}
            aria-label=${`${s.statusLabel}: ${s.statuses[status]}`} @click=${this.toggle} @keydown=${this.onButtonKey}>
            ${s.statuses[status]} ▾
          </button>
          ${this.open ? this.renderMenu(status) : nothing}
        </span>
      </div>
      <input
        type="text"
        dir="auto"
        aria-label=${s.statusText}
        placeholder=${s.statusTextPlaceholder}
        maxlength=${MAX_STATUS_TEXT_LENGTH}
        .value=${this.text}
        @input=${(e: Event) => (this.text = (e.target as HTMLInputElement).value)}
        @keydown=${this.onTextKey}
        @change=${this.commitText}
      />
      <label class="buzz"><input type="checkbox" aria-label=${s.allowBuzz} .checked=${this.allowBuzz} @change=${this.onAllowBuzz} />${s.allowBuzz}</label>
    </div>`;
  }

  private renderMenu(current: UserStatus): TemplateResult {
    const s = this.strings;
    return html`<div role="menu" aria-label=${s.statusLabel} @keydown=${this.onMenuKey}>
      ${USER_STATUSES.map(
        (value) => html`<button type="button" role="menuitemradio" data-status=${value} aria-checked=${value === current ? 'true' : 'false'}
          tabindex="-1" @click=${() => this.pick(value)}><span class="status-dot ${value}" aria-hidden="true"></span>${s.statuses[value]}</button>`,
      )}
    </div>`;
  }

  private choose(status: UserStatus, text: string): void {
    emit(this, 'status-chosen', { status, text: text.trim() });
  }

  private items(): HTMLButtonElement[] {
    return [...this.renderRoot.querySelectorAll<HTMLButtonElement>('[role="menuitemradio"]')];
  }

  private async openMenu(): Promise<void> {
    this.open = true;
    await this.updateComplete;
    const items = this.items();
    (items.find((item) => item.getAttribute('aria-checked') === 'true') ?? items[0])?.focus();
  }

  private closeMenu(refocus: boolean): void {
    this.open = false;
    if (refocus) void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('.status-button')?.focus());
  }

  private readonly toggle = (): void => {
    if (this.open) this.closeMenu(false);
    else void this.openMenu();
  };

  private pick(status: UserStatus): void {
    this.closeMenu(true);
    this.choose(status, this.text);
  }

  private readonly onButtonKey = (event: KeyboardEvent): void => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    void this.openMenu();
  };

  private readonly onMenuKey = (event: KeyboardEvent): void => {
    const items = this.items();
    const at = items.indexOf((this.renderRoot as ShadowRoot).activeElement as HTMLButtonElement);
    if (event.key === 'Escape' || event.key === 'Tab') {
      event.preventDefault();
      this.closeMenu(true);
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const next = (at + (event.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length;
      items[next]?.focus();
    } else if (event.key === 'Home' || event.key === 'End') {
      event.preventDefault();
      items[event.key === 'Home' ? 0 : items.length - 1]?.focus();
    }
  };

  private readonly onFocusOut = (event: FocusEvent): void => {
    const next = event.relatedTarget as Node | null;
    const picker = this.renderRoot.querySelector('.picker');
    if (this.open && (next === null || !picker?.contains(next))) this.closeMenu(false);
  };

  private readonly onTextKey = (event: KeyboardEvent): void => {
    if (event.key === 'Enter') {
      event.preventDefault();
      this.commitText();
    } else if (event.key === 'Escape') {
      this.text = plain(this.presence.text);
    }
  };

  private readonly commitText = (): void => {
    const text = this.text.trim();
    if (text === plain(this.presence.text) || text === this.sentText) return;
    this.sentText = text;
    this.choose(this.presence.status, text);
  };

  private readonly onAllowBuzz = (event: Event): void => {
    emit(this, 'allow-buzz-changed', { allow: (event.target as HTMLInputElement).checked });
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'status-picker': StatusPicker;
  }
}
