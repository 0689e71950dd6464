import { LitElement, css, html, nothing } from 'lit';
import type { TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { format } from '../i18n';
import type { Strings } from '../i18n';
import type { Identity } from '../../src-shared/protocol';
import { en } from '../i18n/en';
import { LOBBY, sameConversation } from '../state/conversations';
import type { ConversationRef, DialogConversation, RoomConversation } from '../state/conversations';
import { buttonStyles } from './button-styles';
import { emit } from './events';

/**
 * The conversations of the server, in the Qt client's spirit: the lobby, the rooms
 * joined (unread count, a marker for a mention, leave) and the private dialogs open
 * (unread count, close), and the button to join or create a room. Each row is a
 * button named with its counts, the one shown marked `aria-current`.
 */
@customElement('conversation-sidebar')
export class ConversationSidebar extends LitElement {
  @property({ attribute: false }) accessor rooms: readonly RoomConversation[] = [];
  @property({ attribute: false }) accessor dialogs: readonly DialogConversation[] = [];
  /** Everyone online: a dialog with someone else is marked offline (still openable). */
  @property({ attribute: false }) accessor online: readonly Identity[] = [];
  @property({ attribute: false }) accessor current: ConversationRef = LOBBY;
  @property({ attribute: false }) accessor lobbyUnread = 0;
  @property({ attribute: false }) accessor lobbyMentioned = false;
  @property({ type: Boolean }) accessor enabled = false;
  @property({ attribute: false }) accessor strings: Strings = en;

  static override styles = [
    buttonStyles,
    css`
      :host {
        display: block;
      }
      nav {
        display: flex;
        flex-direction: column;
        gap: 2px;
        max-height: 40vh;
        overflow-y: auto;
        padding: 4px;
        background: var(--panel-bg, #fff);
        border: 1px solid var(--panel-border, #c8ccd0);
        border-radius: 6px;
      }
      h3 {
        margin: 6px 4px 2px;
        font-size: 11px;
        font-weight: 600;
        text-transform: uppercase;
        letter-spacing: 0.04em;
        color: var(--system, #7f8c8d);
      }
      ul {
        margin: 0;
        padding: 0;
        list-style: none;
      }
      li {
        display: flex;
        align-items: center;
        gap: 2px;
      }
      .go {
        flex: 1;
        min-width: 0;
        display: flex;
        align-items: center;
        gap: 6px;
        padding: 3px 6px;
        border: none;
        border-radius: 4px;
        background: transparent;
        text-align: start;
        font-size: 14px;
      }
      .go[aria-current='page'] {
        background: var(--selected-bg, #2f8fd0);
        color: var(--selected-text, #fff);
      }
      .name {
        flex: 1;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .unread {
        flex: none;
        min-width: 18px;
        padding: 0 5px;
        border-radius: 9px;
        background: var(--selected-bg, #2f8fd0);
        color: var(--selected-text, #fff);
        font-size: 11px;
        line-height: 18px;
        text-align: center;
      }
      .mention {
        flex: none;
        color: var(--bad, #c0392b);
        font-weight: 700;
      }
      .go.offline .name {
        opacity: 0.6;
      }
      .lock {
        flex: none;
        font-size: 11px;
      }
      .close {
        flex: none;
        width: 22px;
        height: 22px;
        padding: 0;
        border: none;
        border-radius: 4px;
        background: transparent;
        color: var(--system, #7f8c8d);
        font-size: 14px;
        line-height: 1;
      }
      .join {
        margin-top: 6px;
        padding: 3px 8px;
        border-radius: 5px;
        font-size: 13px;
      }
      @media (max-width: 560px) {
        nav {
          max-height: none;
        }
        .go,
        .close,
        .join {
          min-height: 44px;
        }
        .close {
          width: 44px;
        }
      }
    `,
  ];

  protected override render(): TemplateResult {
    const s = this.strings.sidebar;
    return html`<nav aria-label=${s.conversations}>
      <ul>
        ${this.row(LOBBY, s.lobby, this.lobbyUnread, this.lobbyMentioned, false)}
      </ul>
      ${this.rooms.length === 0
        ? nothing
        : html`<h3 id="rooms-heading">${s.rooms}</h3>
            <ul aria-labelledby="rooms-heading">
              ${repeat(
                this.rooms,
                (r) => r.name,
                (r) => this.row({ kind: 'room', room: r.name }, r.name, r.unread, r.mentioned, r.locked, format(s.leaveRoom, { room: r.name }), () =>
                  emit(this, 'room-leave-requested', { room: r.name }),
                ),
              )}
            </ul>`}
      ${this.dialogs.length === 0
        ? nothing
        : html`<h3 id="dialogs-heading">${s.dialogs}</h3>
            <ul aria-labelledby="dialogs-heading">
              ${repeat(
                this.dialogs,
                (d) => d.peer.userId,
                (d) =>
                  this.row({ kind: 'dialog', userId: d.peer.userId }, d.peer.userName, d.unread, false, false, format(s.closeDialog, { name: d.peer.userName }), () =>
                    emit(this, 'dialog-close-requested', { userId: d.peer.userId }),
                  this.enabled && !this.online.some((u) => u.userId === d.peer.userId),
                  ),
              )}
            </ul>`}
      <button type="button" class="join" aria-haspopup="dialog" ?disabled=${!this.enabled} @click=${() => emit(this, 'room-dialog-requested', {})}>
        ${s.joinRoom}
      </button>
    </nav>`;
  }

  private row(
    conversation: ConversationRef,
    name: string,
    unread: number,
    mentioned: boolean,
    locked: boolean,
    closeLabel?: string,
    onClose?: () => void,
    offline = false,
  ): TemplateResult {
    const s = this.strings.sidebar;
    const shown = sameConversation(conversation, this.current);
    const parts = [name];
    if (offline) parts.push(s.offline);
    if (locked) parts.push(s.locked);
    if (unread > 0) parts.push(format(s.unread, { count: String(unread) }));
    if (mentioned) parts.push(s.mentioned);
    return html`<li>
      <button type="button" class=${offline ? 'go offline' : 'go'} data-conversation=${conversation.kind === 'room' ? `room:${conversation.room}` : conversation.kind === 'dialog' ? `dialog:${conversation.userId}` : 'lobby'}
        aria-label=${parts.join(', ')} aria-current=${shown ? 'page' : 'false'}
        @click=${() => emit(this, 'conversation-chosen', { conversation })}>
        <span class="name" dir="auto">${conversation.kind === 'room' ? `# ${name}` : name}</span>
        ${locked ? html`<span class="lock" aria-hidden="true">🔒</span>` : nothing}
        ${mentioned ? html`<span class="mention" aria-hidden="true">@</span>` : nothing}
        ${unread > 0 ? html`<span class="unread" aria-hidden="true">${unread > 999 ? '999+' : unread}</span>` : nothing}
      </button>
      ${onClose === undefined ? nothing : html`<button type="button" class="close" aria-label=${closeLabel ?? ''} title=${closeLabel ?? ''} @click=${onClose}>×</button>`}
    </li>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'conversation-sidebar': ConversationSidebar;
  }
}
