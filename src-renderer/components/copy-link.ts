import { LitElement, css, html, nothing } from 'lit';
import type { PropertyValues, TemplateResult } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { format } from '../i18n';
import type { Strings } from '../i18n';
import { en } from '../i18n/en';
import { buttonStyles } from './button-styles';

/** How long "Copied" stays after a copy. */
const COPIED_SHOWN_MS = 2_500;

type Outcome = 'idle' | 'copied' | 'refused';

/**
 * A link with a "Copy link" button. The clipboard is written with
 * `navigator.clipboard.writeText` inside the click (Electron and http://localhost
 * allow it); where it is missing or refused (a page from another computer over
 * plain http, a denied permission) the link is shown selected instead, with the
 * keys that copy it: the user can always take it.
 */
@customElement('copy-link')
export class CopyLink extends LitElement {
  @property() accessor url = '';
  /** Show the link itself (the dialog); the hosting bar shows only the button until a copy is refused. */
  @property({ type: Boolean, attribute: 'show-url' }) accessor showUrl = false;
  @property({ attribute: false }) accessor strings: Strings = en;

  @state() private accessor outcome: Outcome = 'idle';

  @query('input') private accessor field!: HTMLInputElement | null;

  private resetTimer: ReturnType<typeof setTimeout> | undefined;

  static override styles = [
    buttonStyles,
    css`
      :host {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 4px 6px;
        min-width: 0;
      }
      input {
        flex: 1 1 16ch;
        min-width: 0;
        box-sizing: border-box;
        font: 12px ui-monospace, 'Cascadia Mono', 'DejaVu Sans Mono', monospace;
        padding: 3px 6px;
        border: 1px solid var(--panel-border, #c8ccd0);
        border-radius: 4px;
        background: var(--dialog-bg, #fff);
        color: inherit;
      }
      button {
        font-size: 12px;
        padding: 2px 8px;
        border-radius: 4px;
        white-space: nowrap;
      }
      input:focus-visible {
        outline: 2px solid var(--focus, #2980b9);
        outline-offset: 1px;
      }
      .feedback {
        font-size: 12px;
        color: var(--good, #1e8449);
      }
      .feedback.refused {
        flex-basis: 100%;
        color: var(--text, #2c3e50);
      }
      .feedback:empty {
        display: none;
      }
    `,
  ];

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.clearReset();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Another link: what was said about the last one no longer holds.
    if (changed.has('url') && changed.get('url') !== undefined) {
      this.clearReset();
      this.outcome = 'idle';
    }
  }

  protected override render(): TemplateResult {
    const s = this.strings;
    const fieldShown = this.showUrl || this.outcome === 'refused';
    return html`${fieldShown
        ? html`<input id="url" type="text" readonly spellcheck="false" aria-label=${s.shareLink} .value=${this.url} @focus=${this.selectField} />`
        : nothing}<button type="button" aria-label=${s.copyLink} title=${this.url} aria-describedby=${fieldShown ? 'url' : nothing} @click=${this.copy}>
        ${s.copyLink}</button
      ><span class="feedback ${this.outcome}" aria-live="polite">${this.feedback()}</span>`;
  }

  private feedback(): string {
    switch (this.outcome) {
      case 'idle':
        return '';
      case 'copied':
        return `✓ ${this.strings.copied}`;
      case 'refused':
        return format(this.strings.copyRefused, { keys: copyKeys() });
    }
  }

  private async copy(): Promise<void> {
    const url = this.url;
    this.clearReset();
    try {
      const clipboard = (navigator as Navigator & { clipboard?: Clipboard }).clipboard;
      // No clipboard at all (a plain-http page from another computer) is a refusal too.
      if (clipboard === undefined || typeof clipboard.writeText !== 'function') throw new Error('no clipboard');
      await clipboard.writeText(url);
      if (url !== this.url) return;
      this.outcome = 'copied';
      this.resetTimer = setTimeout(() => {
        this.resetTimer = undefined;
        this.outcome = 'idle';
      }, COPIED_SHOWN_MS);
    } catch {
      if (url !== this.url) return;
      this.outcome = 'refused';
      await this.updateComplete;
      this.field?.focus();
      this.selectField();
    }
  }

  private selectField(): void {
    this.field?.select();
  }

  private clearReset(): void {
    if (this.resetTimer === undefined) return;
    clearTimeout(this.resetTimer);
    this.resetTimer = undefined;
  }
}

function copyKeys(): string {
  const platform = (navigator as Navigator & { userAgentData?: { platform?: string } }).userAgentData?.platform ?? navigator.platform;
  return /mac|iphone|ipad/i.test(platform) ? '⌘C' : 'Ctrl+C';
}

declare global {
  interface HTMLElementTagNameMap {
    'copy-link': CopyLink;
  }
}
