import { LitElement, css, html, nothing } from 'lit';
import type { PropertyValues, TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { Gender, Identity } from '../../src-shared/protocol';
import { format } from '../i18n';
import type { Strings } from '../i18n';
import { en } from '../i18n/en';
import { parseRichText } from '../../src-shared/protocol';
import { NO_STATUSES, presenceOf } from '../state/statuses';
import type { Statuses } from '../state/statuses';
import { cssProperties, nickColor } from './css-properties';
import { splitForMiddleEllipsis } from '../format/middle-ellipsis';
import { emit } from './events';
import { statusDotStyles } from './status-colors';

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
  @property({ attribute: false }) accessor statuses: Statuses = NO_STATUSES;
  /** The connection is away: the list shows who was here, greyed, until the next login says who is. */
  @property({ type: Boolean, reflect: true }) accessor offline = false;

  /** A user's context menu, open at a point of the list (issue 13 §4: Buzz). */
  @state() private accessor menu: { user: Identity; x: number; y: number } | null = null;
  /** The user that holds the list's one tab stop. */
  @state() private accessor activeUserId: number | null = null;
  private focusAfterUpdate = false;

  static override styles = [statusDotStyles, css`
    :host {
      display: block;
      position: relative;
      min-height: 0;
    }
    :host([offline]) ul {
      opacity: 0.55;
      filter: grayscale(1);
    }
    /* The name first: the status text gets only the room the name leaves. */
    .status-text {
      flex: 1 1 0;
      min-width: 0;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
      color: var(--system, #7f8c8d);
      font-size: 12px;
    }
    li[aria-selected='true'] .status-text {
      color: var(--selected-text, #fff);
    }
    .menu {
      position: absolute;
      z-index: 10;
      display: flex;
      flex-direction: column;
      min-width: 120px;
      padding: 4px;
      background: var(--panel-bg, #fff);
      border: 1px solid var(--panel-border, #c8ccd0);
      border-radius: 6px;
      box-shadow: 0 2px 10px rgb(0 0 0 / 0.2);
    }
    .menu button {
      text-align: left;
      padding: 4px 10px;
      border: 0;
      border-radius: 4px;
      background: transparent;
      color: inherit;
      font: inherit;
      cursor: pointer;
    }
    .menu button:hover,
    .menu button:focus-visible {
      background: var(--hover-bg, #eef3f8);
      outline: none;
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
      color: var(--selected-text, #fff);
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
      display: inline-flex;
      min-width: 0;
      color: var(--nick-color, #34495e);
      overflow: hidden;
      white-space: nowrap;
    }
    .name .head {
      min-width: 0;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    .name .tail {
      flex: none;
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
      color: var(--selected-text, #fff);
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
  `];

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
          const presence = presenceOf(this.statuses, u.userId);
          const statusText = parseRichText(presence.text).map((run) => run.text).join('');
          const described = [me ? this.strings.you : '', this.strings.statuses[presence.status], statusText].filter((part) => part !== '').join(', ');
          return html`<li
            role="option"
            class=${me ? 'me' : ''}
            data-user-id=${u.userId}
            aria-label=${u.userName}
            aria-description=${described}
            aria-selected=${this.privateTarget?.userId === u.userId ? 'true' : 'false'}
            tabindex=${u.userId === this.activeUserId ? '0' : '-1'}
            @click=${(e: MouseEvent) => this.onClick(e, u)}
            @dblclick=${() => this.requestPrivate(u)}
            @contextmenu=${(e: MouseEvent) => this.onContextMenu(e, u)}
            @focus=${() => (this.activeUserId = u.userId)}
          >
            <img data-icon=${(GENDER_ICON[u.gender] ?? GENDER_ICON[0]).name} src=${(GENDER_ICON[u.gender] ?? GENDER_ICON[0]).src} alt="" draggable="false" />
            <span class="status-dot ${presence.status}" data-status=${presence.status} aria-hidden="true"></span>
            ${this.renderName(u)}
            ${statusText === '' ? nothing : html`<bdi class="status-text" aria-hidden="true">${statusText}</bdi>`}
            ${me ? html`<span class="me-tag" aria-hidden="true">(${this.strings.you})</span>` : nothing}
            ${me
              ? nothing
              : html`<button type="button" class="private" tabindex="-1" aria-label=${format(this.strings.privateMessageTo, { name: u.userName })}
                  @click=${(e: MouseEvent) => this.onPrivateButton(e, u)}>✉</button>`}
          </li>`;
        },
      )}
    </ul>${this.renderMenu()}`;
  }

  /** The whole name in a tooltip; a long one cut in the middle, so its end still tells it apart. */
  private renderName(u: Identity): TemplateResult {
    const { head, tail } = splitForMiddleEllipsis(u.userName);
    return html`<span class="name" dir="auto" title=${u.userName} ${nickColor(u.userColor)}><span class="head">${head}</span>${tail === ''
      ? nothing
      : html`<span class="tail">${tail}</span>`}</span>`;
  }

  private renderMenu(): TemplateResult | typeof nothing {
    const menu = this.menu;
    if (menu === null) return nothing;
    const name = menu.user.userName;
    const onKey = (event: KeyboardEvent): void => {
      if (event.key !== 'Escape' && event.key !== 'Tab') return;
      event.preventDefault();
      this.closeMenu(true);
    };
    return html`<div class="menu" role="menu" aria-label=${format(this.strings.userMenu, { name })}
        ${cssProperties({ left: `${menu.x}px`, top: `${menu.y}px` })} @keydown=${onKey} @focusout=${this.onMenuFocusOut}>
      <button type="button" role="menuitem" class="buzz" aria-label=${format(this.strings.buzzUser, { name })}
        @click=${() => this.buzz(menu.user)}>${this.strings.buzz}</button>
    </div>`;
  }

  private onContextMenu(event: MouseEvent, user: Identity): void {
    if (user.userId === this.self?.userId) return;
    event.preventDefault();
    const box = this.getBoundingClientRect();
    this.openMenu(user, event.clientX - box.left, event.clientY - box.top);
  }

  private openMenu(user: Identity, x: number, y: number): void {
    this.menu = { user, x: Math.max(0, x), y: Math.max(0, y) };
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('.menu button')?.focus());
  }

  private closeMenu(refocus: boolean): void {
    if (this.menu === null) return;
    const userId = this.menu.user.userId;
    this.menu = null;
    if (refocus) void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`li[data-user-id="${userId}"]`)?.focus());
  }

  private readonly onMenuFocusOut = (event: FocusEvent): void => {
    const next = event.relatedTarget as Node | null;
    if (next === null || !this.renderRoot.querySelector('.menu')?.contains(next)) this.closeMenu(false);
  };

  private buzz(user: Identity): void {
    this.closeMenu(true);
    emit(this, 'buzz-requested', { user });
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
      case 'ContextMenu':
      case 'F10':
        if (event.key === 'F10' && !event.shiftKey) return;
        event.preventDefault();
        if (user.userId !== this.self?.userId) {
          const row = this.renderRoot.querySelector<HTMLElement>(`li[data-user-id="${user.userId}"]`);
          const box = this.getBoundingClientRect();
          const at = row?.getBoundingClientRect();
          this.openMenu(user, at === undefined ? 8 : at.left - box.left + 24, at === undefined ? 8 : at.bottom - box.top);
        }
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
