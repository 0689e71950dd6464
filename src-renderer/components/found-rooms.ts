import { LitElement, css, html, nothing } from 'lit';
import type { TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { FoundRoom } from '../../src-shared/bridge';
import type { Strings } from '../i18n';
import { en } from '../i18n/en';
import { emit } from './events';

/**
 * Rooms found on the local network (desktop only), live. Every field came from an
 * unauthenticated neighbour: shown as text only, with the address always beside the
 * name, and choosing one only fills the form: nothing joins without Connect.
 */
@customElement('found-rooms')
export class FoundRooms extends LitElement {
  @property({ attribute: false }) accessor rooms: readonly FoundRoom[] = [];
  @property({ attribute: false }) accessor strings: Strings = en;

  static override styles = css`
    :host {
      display: flex;
      flex-direction: column;
      gap: 4px;
      font-size: 13px;
    }
    p {
      margin: 0;
    }
    .none {
      font-size: 12px;
      color: var(--system, #7f8c8d);
    }
    ul {
      list-style: none;
      margin: 0;
      padding: 0;
      max-height: 9.5em;
      overflow-y: auto;
      border: 1px solid var(--panel-border, #c8ccd0);
      border-radius: 5px;
      background: var(--dialog-bg, #fff);
    }
    button {
      display: flex;
      gap: 8px;
      align-items: baseline;
      width: 100%;
      min-height: 28px;
      padding: 4px 8px;
      border: none;
      background: none;
      font: inherit;
      color: inherit;
      text-align: left;
      cursor: pointer;
    }
    button:hover,
    button:focus-visible {
      background: var(--hover-bg, #eef3f7);
    }
    .name {
      font-weight: 600;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
      min-width: 0;
    }
    .where {
      margin-left: auto;
      font-family: ui-monospace, monospace;
      font-size: 12px;
      color: var(--system, #7f8c8d);
      white-space: nowrap;
    }
    .mark {
      font-size: 11px;
      white-space: nowrap;
    }
    .alike {
      color: var(--warn, #9a5b00);
    }
  `;

  protected override render(): TemplateResult {
    const s = this.strings;
    return html`<p id="found-title">${s.foundRooms}</p>
      ${this.rooms.length === 0
        ? html`<p class="none">${s.foundRoomsNone}</p>`
        : html`<ul aria-labelledby="found-title">
            ${this.rooms.map((room) => html`<li>${this.renderRoom(room)}</li>`)}
          </ul>`}`;
  }

  private renderRoom(room: FoundRoom): TemplateResult {
    const s = this.strings;
    return html`<button type="button" class="room" data-id=${room.id} title=${room.lookAlike ? s.foundRoomLookAlike : room.id}
      @click=${() => emit(this, 'found-room-chosen', { room })}>
      <span class="name">${room.name}</span>
      ${room.locked ? html`<span class="mark lock" role="img" aria-label=${s.foundRoomLocked} title=${s.foundRoomLocked}>🔒</span>` : nothing}
      ${room.tls ? html`<span class="mark tls" title=${s.foundRoomTls}>TLS</span>` : nothing}
      ${room.lookAlike ? html`<span class="mark alike" role="img" aria-label=${s.foundRoomLookAlike}>⚠</span>` : nothing}
      <span class="where">${room.id}</span>
    </button>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'found-rooms': FoundRooms;
  }
}
