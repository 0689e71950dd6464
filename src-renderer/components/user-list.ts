import { LitElement, css, html, nothing } from 'lit';
import type { PropertyValues, TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { Gender, Identity } from '../../src-shared/protocol';
import { format } from '../i18n';
import type { Strings } from '../i18n';
import { en } from '../i18n/en';
import { nickColor } from './css-properties';
import { emit } from './events';

import femaleIcon from '../../assets/gender-female.svg';
import maleIcon from '../../assets/gender-male.svg';
import unknownIcon from '../../assets/gender-unknown.svg';

// Built into app.js as data: URLs, so the list never needs the network to show an
// icon (a user who joins while the server is away still gets one).
const GENDER_ICON: Record<Gender, { name: string; src: string }> = {
  0: { name: 'gender-unknown', src: unknownIcon },
  1: { name: 'gender-male', src: maleIcon },
  2: { name: 'gender-female', src: femaleIcon },
};

/**
 * Everyone online, in join order, as a listbox: click (or Space) mentions a user,
 * double-click (or Enter) talks to them privately. The private target is the
 * selected option. Arrow keys, Home and End move between users.
 */
@customElement('user-list')
export class UserList extends LitElement {
  @property({ attribute: false }) accessor users: readonly Identity[] = [];
  @property({ attribute: false }) accessor self: Identity | null = null;
  @property({ attribute: false }) accessor privateTarget: Identity | null = null;
  @property({ attribute: false }) accessor strings: Strings = en;

  /** The user that holds the list's one tab stop. */
  @state() private accessor activeUserId: number | null = null;
  private focusAfterUpdate = false;

  static override styles = css`
    :host {
      display: block;
      min-height: 0;
    }
    ul {
      box-sizing: border-box;
      height: 100%;
      margin: 0;
      padding: 4px;
      list-style: none;
      overflow-y: auto;
      background: var(--panel-bg, #fff);
      border: 1px solid var(--panel-border, #c8ccd0);
      border-radius: 6px;
    }
    ul:focus-visible {
      outline: 2px solid var(--focus, #2980b9);
    }
    li {
      display: flex;
      align-items: center;
      gap: 8px;
      padding: 3px 6px;
      border-radius: 4px;
      cursor: pointer;
      user-select: none;
      font-size: 14px;
    }
    li:hover {
      background: var(--hover-bg, #eef3f8);
    }
    li[aria-selected='true'] {
      background: var(--selected-bg, #2f8fd0);
    }
    li[aria-selected='true'] .name {
      color: #fff;
    }
    li:focus-visible {
      outline: 2px solid var(--focus, #2980b9);
      outline-offset: -2px;
    }
    img {
      width: 24px;
      height: 24px;
      flex: none;
    }
    .name {
      color: var(--nick-color, #34495e);
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .me .name {
      font-weight: 700;
    }
    .me-tag {
      color: var(--system, #7f8c8d);
      font-size: 12px;
      flex: none;
    }
    li[aria-selected='true'] .me-tag {
      color: #e8f2fa;
    }
    /* A phone has no double-click: each row there gets its own way into private mode. */
    .private {
      display: none;
    }
    @media (max-width: 560px) {
      li {
        min-height: 44px;
      }
      .private {
        display: inline-flex;
        align-items: center;
        justify-content: center;
        flex: none;
        margin-left: auto;
        min-width: 44px;
        min-height: 44px;
        border: 1px solid var(--panel-border, #c8ccd0);
        border-radius: 6px;
        background: transparent;
        color: inherit;
        font: inherit;
      }
    }
  `;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('users') && !this.users.some((u) => u.userId === this.activeUserId)) {
      this.activeUserId = this.users[0]?.userId ?? null;
    }
  }

  protected override render(): TemplateResult {
    const selfId = this.self?.userId;
    return html`<ul role="listbox" aria-label=${this.strings.users} @keydown=${this.onKeyDown}>
      ${repeat(
        this.users,
        (u) => u.userId,
        (u) => {
          const me = u.userId === selfId;
          return html`<li
            role="option"
            class=${me ? 'me' : ''}
            data-user-id=${u.userId}
            aria-label=${u.userName}
            aria-description=${me ? this.strings.you : nothing}
            aria-selected=${this.privateTarget?.userId === u.userId ? 'true' : 'false'}
            tabindex=${u.userId === this.activeUserId ? '0' : '-1'}
            @click=${(e: MouseEvent) => this.onClick(e, u)}
            @dblclick=${() => this.requestPrivate(u)}
            @focus=${() => (this.activeUserId = u.userId)}
          >
            <img data-icon=${(GENDER_ICON[u.gender] ?? GENDER_ICON[0]).name} src=${(GENDER_ICON[u.gender] ?? GENDER_ICON[0]).src} alt="" draggable="false" />
            <span class="name" dir="auto" ${nickColor(u.userColor)}>${u.userName}</span>
            ${me ? html`<span class="me-tag" aria-hidden="true">(${this.strings.you})</span>` : nothing}
            ${me
              ? nothing
              : html`<button type="button" class="private" tabindex="-1" aria-label=${format(this.strings.privateMessageTo, { name: u.userName })}
                  @click=${(e: MouseEvent) => this.onPrivateButton(e, u)}>✉</button>`}
          </li>`;
        },
      )}
    </ul>`;
  }

  protected override updated(): void {
    if (!this.focusAfterUpdate) return;
    this.focusAfterUpdate = false;
    this.renderRoot.querySelector<HTMLElement>(`li[data-user-id="${this.activeUserId}"]`)?.focus();
  }

  private onClick(event: MouseEvent, user: Identity): void {
    // The second click of a double-click is not a second mention.
    if (event.detail > 1) return;
    emit(this, 'nick-activated', { user });
  }

  private onPrivateButton(event: MouseEvent, user: Identity): void {
    // Not also a click on the row, which would insert a mention.
    event.stopPropagation();
    this.requestPrivate(user);
  }

  private requestPrivate(user: Identity): void {
    emit(this, 'private-requested', { user });
  }

  private onKeyDown(event: KeyboardEvent): void {
    const index = this.users.findIndex((u) => u.userId === this.activeUserId);
    const user = this.users[index];
    if (!user) return;
    let next = index;
    switch (event.key) {
      case 'ArrowDown':
        next = Math.min(this.users.length - 1, index + 1);
        break;
      case 'ArrowUp':
        next = Math.max(0, index - 1);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = this.users.length - 1;
        break;
      case 'Enter':
        event.preventDefault();
        this.requestPrivate(user);
        return;
      case ' ':
        event.preventDefault();
        emit(this, 'nick-activated', { user });
        return;
      default:
        return;
    }
    event.preventDefault();
    this.activeUserId = this.users[next]!.userId;
    this.focusAfterUpdate = true;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'user-list': UserList;
  }
}
