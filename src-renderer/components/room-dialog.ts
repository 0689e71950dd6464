import { LitElement, css, html, nothing } from 'lit';
import type { PropertyValues, TemplateResult } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { MAX_ROOM_KEY_LENGTH, MAX_ROOM_NAME_LENGTH, normalizeRoomName } from '../../src-shared/protocol';
import type { RoomSummary } from '../../src-shared/protocol';
import { format } from '../i18n';
import type { Strings } from '../i18n';
import { en } from '../i18n/en';
import { buttonStyles } from './button-styles';
import { emit } from './events';
import { overlayStyles } from './overlay-styles';

/**
 * "Join or create a room" (modal): a name and an optional key, and the server's rooms
 * (its RoomList) to pick a name from. Join hands the name and key up; Esc or Cancel
 * closes it. The key is never kept here after the dialog closes.
 */
@customElement('room-dialog')
export class RoomDialog extends LitElement {
  @property({ type: Boolean }) accessor open = false;
  /** The server's rooms; null while the list is on its way. */
  @property({ attribute: false }) accessor rooms: readonly RoomSummary[] | null = null;
  @property({ attribute: false }) accessor strings: Strings = en;
  /** A remembered locked room the server refused without its key: the dialog opens for it, asking for the key. */
  @property({ attribute: false }) accessor needsKey: string | null = null;

  @state() private accessor name = '';
  @state() private accessor key = '';
  @state() private accessor invalid = false;

  @query('dialog') private accessor dialog!: HTMLDialogElement | null;

  static override styles = [
    buttonStyles,
    overlayStyles,
    css`
      label {
        display: block;
        margin: 8px 0 4px;
      }
      [aria-invalid='true'] {
        border-color: var(--bad, #c0392b);
      }
      .room {
        display: flex;
        width: 100%;
        gap: 8px;
        padding: 4px 6px;
        border: none;
        border-radius: 4px;
        background: transparent;
        text-align: start;
      }
      .room .name {
        flex: 1;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .room .count {
        color: var(--system, #7f8c8d);
        font-size: 12px;
      }
      h3 {
        margin: 12px 0 0;
        font-size: 13px;
        font-weight: 600;
      }
      .join {
        background: var(--selected-bg, #2f8fd0);
        border-color: var(--selected-bg, #2f8fd0);
        color: var(--selected-text, #fff);
      }
    `,
  ];

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('open') && this.open) {
      this.name = this.needsKey ?? '';
      this.key = '';
      this.invalid = false;
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    const dialog = this.dialog;
    if (!dialog || !changed.has('open')) return;
    if (this.open && !dialog.open) {
      dialog.showModal();
      this.renderRoot.querySelector<HTMLInputElement>(this.needsKey === null ? '#room-name' : '#room-key')?.focus();
    } else if (!this.open && dialog.open) {
      dialog.close();
    }
  }

  protected override render(): TemplateResult {
    const s = this.strings.sidebar;
    return html`<dialog aria-labelledby="room-title" @cancel=${this.onCancel} @close=${this.onClose}>
      <form @submit=${this.onSubmit} novalidate>
        <h2 id="room-title">${s.joinRoom}</h2>
        <label for="room-name">${s.roomName}</label>
        <input id="room-name" type="text" autocomplete="off" spellcheck="false" maxlength=${MAX_ROOM_NAME_LENGTH} .value=${live(this.name)}
          aria-invalid=${this.invalid ? 'true' : 'false'}
          @input=${(e: Event) => {
            this.name = (e.target as HTMLInputElement).value;
            this.invalid = false;
          }} />
        <label for="room-key">${s.roomKey}</label>
        ${this.needsKey === null ? nothing : html`<p class="hint" id="room-needs-key" role="status">${format(s.roomNeedsKey, { room: this.needsKey })}</p>`}
        <input id="room-key" type="password" autocomplete="off" maxlength=${MAX_ROOM_KEY_LENGTH} aria-describedby=${this.needsKey === null ? 'room-key-hint' : 'room-needs-key room-key-hint'} .value=${live(this.key)}
          @input=${(e: Event) => (this.key = (e.target as HTMLInputElement).value)} />
        <p class="hint" id="room-key-hint">${s.roomKeyHint}</p>
        <h3 id="server-rooms">${s.serverRooms}</h3>
        ${this.renderRooms()}
        <div class="buttons">
          <button type="button" class="cancel" @click=${this.dismiss}>${this.strings.cancel}</button>
          <button type="submit" class="join">${s.join}</button>
        </div>
      </form>
    </dialog>`;
  }

  private renderRooms(): TemplateResult {
    const s = this.strings.sidebar;
    if (this.rooms === null) return html`<p class="hint" aria-live="polite">${s.loadingRooms}</p>`;
    if (this.rooms.length === 0) return html`<p class="hint">${s.noServerRooms}</p>`;
    return html`<ul aria-labelledby="server-rooms">
      ${this.rooms.map((r) => {
        const members = format(s.roomMembers, { count: String(r.users) });
        return html`<li>
          <button type="button" class="room" aria-label=${[r.room, members, ...(r.locked ? [s.locked] : [])].join(', ')} @click=${() => this.pick(r)}>
            <span class="name" dir="auto"># ${r.room}</span>
            ${r.locked ? html`<span aria-hidden="true">🔒</span>` : nothing}
            <span class="count" aria-hidden="true">${members}</span>
          </button>
        </li>`;
      })}
    </ul>`;
  }

  private pick(room: RoomSummary): void {
    this.name = room.room;
    this.invalid = false;
    // A locked room asks for its key next; an open one can be joined at once.
    const next = room.locked ? '#room-key' : '.join';
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(next)?.focus());
  }

  private onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    const room = normalizeRoomName(this.name);
    if (room === null) {
      this.invalid = true;
      this.renderRoot.querySelector<HTMLInputElement>('#room-name')?.focus();
      return;
    }
    emit(this, 'room-join-requested', { room, key: this.key });
    this.key = '';
  }

  private readonly dismiss = (): void => {
    this.key = '';
    emit(this, 'overlay-dismissed', {});
  };

  private onCancel(event: Event): void {
    event.preventDefault();
    this.dismiss();
  }

  private onClose(): void {
    if (this.open) this.dismiss();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'room-dialog': RoomDialog;
  }
}
