import { LitElement, css, html } from 'lit';
import type { PropertyValues, TemplateResult } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { format } from '../i18n';
import type { Strings } from '../i18n';
import { en } from '../i18n/en';
import { conversationOrder, sameConversation } from '../state/conversations';
import type { ConversationRef, DialogConversation, RoomConversation } from '../state/conversations';
import { emit } from './events';
import { overlayStyles } from './overlay-styles';

interface Choice {
  conversation: ConversationRef;
  label: string;
  unread: number;
}

/**
 * Ctrl+K (Cmd+K): a filter over the lobby, the rooms and the dialogs. Typing narrows
 * the list, Up/Down move in it, Enter goes to the chosen one, Esc closes. A combobox
 * with its listbox, the active option told by aria-activedescendant.
 */
@customElement('quick-switcher')
export class QuickSwitcher extends LitElement {
  @property({ type: Boolean }) accessor open = false;
  @property({ attribute: false }) accessor rooms: readonly RoomConversation[] = [];
  @property({ attribute: false }) accessor dialogs: readonly DialogConversation[] = [];
  @property({ attribute: false }) accessor current: ConversationRef = { kind: 'lobby' };
  @property({ attribute: false }) accessor strings: Strings = en;

  @state() private accessor filter = '';
  @state() private accessor active = 0;

  @query('dialog') private accessor dialog!: HTMLDialogElement | null;

  static override styles = [
    overlayStyles,
    css`
      li {
        display: flex;
        gap: 8px;
        padding: 4px 8px;
        border-radius: 4px;
        cursor: pointer;
      }
      li[aria-selected='true'] {
        background: var(--selected-bg, #2f8fd0);
        color: var(--selected-text, #fff);
      }
      li .unread {
        margin-left: auto;
        font-size: 12px;
      }
      .empty {
        color: var(--system, #7f8c8d);
      }
    `,
  ];

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('open') && this.open) {
      this.filter = '';
      const choices = this.choices();
      // The first choice is the conversation after the one shown: Ctrl+K, Enter goes on.
      const at = choices.findIndex((c) => sameConversation(c.conversation, this.current));
      this.active = choices.length > 1 && at >= 0 ? (at + 1) % choices.length : 0;
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    const dialog = this.dialog;
    if (!dialog || !changed.has('open')) return;
    if (this.open && !dialog.open) {
      dialog.showModal();
      this.renderRoot.querySelector<HTMLInputElement>('input')?.focus();
    } else if (!this.open && dialog.open) {
      dialog.close();
    }
  }

  private choices(): Choice[] {
    const s = this.strings.sidebar;
    const all = conversationOrder(this.rooms, this.dialogs).map((conversation): Choice => {
      if (conversation.kind === 'room') {
        const room = this.rooms.find((r) => r.name === conversation.room);
        return { conversation, label: `# ${conversation.room}`, unread: room?.unread ?? 0 };
      }
      if (conversation.kind === 'dialog') {
        const dialog = this.dialogs.find((d) => d.peer.userId === conversation.userId);
        return { conversation, label: dialog?.peer.userName ?? '', unread: dialog?.unread ?? 0 };
      }
      return { conversation, label: s.lobby, unread: 0 };
    });
    const filter = this.filter.trim().toLocaleLowerCase();
    return filter === '' ? all : all.filter((c) => c.label.toLocaleLowerCase().includes(filter));
  }

  protected override render(): TemplateResult {
    const s = this.strings.sidebar;
    const choices = this.choices();
    const active = Math.min(this.active, choices.length - 1);
    return html`<dialog aria-labelledby="switcher-title" @cancel=${this.onCancel} @close=${this.onClose}>
      <h2 id="switcher-title">${s.switcher}</h2>
      <input type="text" role="combobox" aria-expanded="true" aria-controls="switcher-list" aria-autocomplete="list"
        aria-labelledby="switcher-title" aria-describedby="switcher-hint" autocomplete="off" spellcheck="false"
        aria-activedescendant=${active >= 0 ? `choice-${active}` : ''}
        .value=${live(this.filter)} @input=${this.onInput} @keydown=${this.onKeyDown} />
      <p class="hint" id="switcher-hint">${s.switcherHint}</p>
      <ul id="switcher-list" role="listbox" aria-label=${s.conversations}>
        ${choices.length === 0
          ? html`<li class="empty" role="presentation">${s.nothingMatches}</li>`
          : choices.map(
              (c, i) => html`<li id="choice-${i}" role="option" aria-selected=${i === active ? 'true' : 'false'}
                  @click=${() => this.choose(c)} @mousemove=${() => (this.active = i)}>
                  <span dir="auto">${c.label}</span>
                  ${c.unread > 0 ? html`<span class="unread">${format(s.unread, { count: String(c.unread) })}</span>` : ''}
                </li>`,
            )}
      </ul>
    </dialog>`;
  }

  private onInput(event: Event): void {
    this.filter = (event.target as HTMLInputElement).value;
    this.active = 0;
  }

  private onKeyDown(event: KeyboardEvent): void {
    const choices = this.choices();
    switch (event.key) {
      case 'ArrowDown':
        event.preventDefault();
        if (choices.length > 0) this.active = (Math.min(this.active, choices.length - 1) + 1) % choices.length;
        return;
      case 'ArrowUp':
        event.preventDefault();
        if (choices.length > 0) this.active = (Math.min(this.active, choices.length - 1) - 1 + choices.length) % choices.length;
        return;
      case 'Enter': {
        event.preventDefault();
        const choice = choices[Math.min(this.active, choices.length - 1)];
        if (choice !== undefined) this.choose(choice);
        return;
      }
      default:
    }
  }

  private choose(choice: Choice): void {
    emit(this, 'conversation-chosen', { conversation: choice.conversation });
  }

  private onCancel(event: Event): void {
    event.preventDefault();
    emit(this, 'overlay-dismissed', {});
  }

  private onClose(): void {
    if (this.open) emit(this, 'overlay-dismissed', {});
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'quick-switcher': QuickSwitcher;
  }
}
