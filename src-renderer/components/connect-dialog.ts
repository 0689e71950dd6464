import { LitElement, css, html, nothing } from 'lit';
import type { PropertyValues, TemplateResult } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import type { ConnectLink, ConnectProblem, FoundRoom, HostingStatus, Language, Settings, Theme } from '../../src-shared/bridge';
import { DEFAULT_SETTINGS, MAX_ROOM_NAME_LENGTH, cutRoomName, roomDisplayName, savedKeyFor } from '../../src-shared/bridge';
import { MAX_LOGIN_KEY_LENGTH, MAX_NAME_LENGTH, PALETTE, cleanUserName, isValidColor } from '../../src-shared/protocol';
import type { Gender } from '../../src-shared/protocol';
import { isValidServer, parsePort } from '../format/address';
import { format } from '../i18n';
import type { Strings } from '../i18n';
import { en } from '../i18n/en';
import './copy-link';
import './found-rooms';
import './invite-qr';
import { cssProperties, nickColor } from './css-properties';
import { emit } from './events';

/** Where the app connects when it hosts the room itself. */
export const LOCAL_SERVER = '127.0.0.1';

type Field = 'server' | 'port' | 'nickname';

/**
 * The connect dialog (modal): server, port, nickname, colour, gender, "host a room",
 * room key and language, prefilled from settings. Enter connects; Esc closes it only
 * when there is a connection to go back to.
 *
 * The key field shows the hosted room's key while "host a room" is on, and otherwise
 * the key saved for the server in the field: another server (typed, or a link's)
 * never gets a key that was saved for a different one (issue 18, hole 4).
 */
@customElement('connect-dialog')
export class ConnectDialog extends LitElement {
  @property({ type: Boolean }) accessor open = false;
  /** A connection exists, so the dialog may be closed without connecting. */
  @property({ type: Boolean }) accessor dismissible = false;
  @property({ type: Boolean }) accessor canHost = false;
  /**
   * A page served by a room (issue 19 §2): it can join only that room, so the form asks
   * only what a guest can change — name, colour, gender, and the key once the room asks for one.
   */
  @property({ type: Boolean }) accessor guest = false;
  /** Connect was pressed and is in progress. */
  @property({ type: Boolean }) accessor busy = false;
  @property({ attribute: false }) accessor settings: Settings = DEFAULT_SETTINGS as Settings;
  @property({ attribute: false }) accessor hosting: HostingStatus = { state: 'stopped' };
  /** What went wrong with the last Connect, for people. */
  @property({ attribute: false }) accessor error: string | null = null;
  /** What in the form `error` is about: it is said beside that field, with Retry. */
  @property({ attribute: false }) accessor problem: ConnectProblem | null = null;
  @property({ attribute: false }) accessor strings: Strings = en;
  /** A simplechat:// link's values, shown over the settings (not saved until Connect). */
  @property({ attribute: false }) accessor link: ConnectLink | null = null;
  /** Others in the room this computer hosts: connecting elsewhere would drop them, so it asks first. */
  @property({ type: Number }) accessor hostedPeople = 0;
  /** Rooms announced on the local network (desktop only). */
  @property({ attribute: false }) accessor foundRooms: readonly FoundRoom[] = [];

  @state() private accessor server = '';
  @state() private accessor portText = '';
  @state() private accessor nickname = '';
  @state() private accessor color: string = PALETTE[0];
  @state() private accessor gender: Gender = 0;
  @state() private accessor hostRoom = false;
  /** The key for the server in the field (joining). */
  @state() private accessor joinKey = '';
  /** The hosted room's key; empty: an open room. */
  @state() private accessor hostKey = '';
  @state() private accessor allowInternet = false;
  @state() private accessor visibleOnNetwork = true;
  /** The hosted room's name as typed; '' shows (and means) the default. */
  @state() private accessor roomName = '';
  @state() private accessor roomHistory = true;
  /** A locked room was chosen from the list and no key is known for it. */
  @state() private accessor keyNeeded = false;
  /** The room from the list the form was filled with, until the server or port is edited. */
  private chosenFound: FoundRoom | null = null;
  /** Connect was pressed while hosting others: the dialog asks before stopping the room. */
  @state() private accessor confirmingStop = false;
  @state() private accessor invalid: ReadonlySet<Field> = new Set();
  /** The field `problem` named was edited since: the error is about what it held before. */
  @state() private accessor problemEdited = false;
  /** A guest's room asked for a key: the key field stays from then on. */
  @state() private accessor keyAsked = false;

  @query('dialog') private accessor dialog!: HTMLDialogElement | null;

  static override styles = css`
    dialog {
      border: none;
      border-radius: 10px;
      padding: 0;
      width: min(480px, calc(100vw - 32px));
      max-height: calc(100vh - 32px);
      box-shadow: 0 12px 40px rgb(0 0 0 / 0.3);
      color: var(--text, #2c3e50);
      background: var(--dialog-bg, #f7f8f9);
      font-size: 14px;
    }
    dialog::backdrop {
      background: rgb(30 40 50 / 0.35);
    }
    form {
      display: grid;
      grid-template-columns: auto 1fr;
      gap: 10px 12px;
      align-items: center;
      padding: 18px 20px 16px;
    }
    h2 {
      grid-column: 1 / -1;
      margin: 0 0 4px;
      font-size: 17px;
      font-weight: 600;
    }
    label,
    .label {
      white-space: nowrap;
    }
    .row {
      display: flex;
      gap: 8px;
      align-items: center;
      min-width: 0;
    }
    input[type='text'],
    input[type='password'],
    select {
      box-sizing: border-box;
      width: 100%;
      min-width: 0;
      font: inherit;
      padding: 6px 8px;
      border: 1px solid var(--panel-border, #c8ccd0);
      border-radius: 5px;
      background: var(--field-bg, #fff);
      color: inherit;
    }
    input:disabled {
      background: var(--disabled-bg, #eceeef);
      color: var(--system, #5f6b6c);
    }
    #port {
      width: 7ch;
      flex: none;
      box-sizing: content-box;
    }
    [aria-invalid='true'] {
      border-color: var(--bad, #c0392b);
      outline-color: var(--bad, #c0392b);
    }
    .hint,
    .problem {
      grid-column: 2;
      margin: -6px 0 0;
      font-size: 12px;
      color: var(--system, #7f8c8d);
    }
    .problem {
      color: var(--bad, #c0392b);
    }
    .problem.failed {
      display: flex;
      gap: 8px;
      align-items: center;
      justify-content: space-between;
      margin: -4px 0 0;
      font-size: 13px;
    }
    button.action.retry {
      min-width: 0;
      flex: none;
      padding: 2px 10px;
    }
    .swatches {
      display: flex;
      flex-wrap: wrap;
      gap: 4px;
      align-items: center;
    }
    .swatch {
      box-sizing: border-box;
      width: 20px;
      height: 20px;
      padding: 0;
      border-radius: 50%;
      border: 2px solid var(--panel-bg, #fff);
      box-shadow: 0 0 0 1px rgb(0 0 0 / 0.25);
      background: var(--swatch, #34495e);
      cursor: pointer;
    }
    .swatch[aria-checked='true'] {
      box-shadow: 0 0 0 2px var(--swatch, #34495e);
    }
    input[type='color'] {
      width: 30px;
      height: 24px;
      padding: 0 2px;
      border: 1px solid var(--panel-border, #c8ccd0);
      border-radius: 5px;
      background: var(--field-bg, #fff);
      cursor: pointer;
    }
    .custom[data-checked] {
      box-shadow: 0 0 0 2px var(--swatch, #34495e);
    }
    .preview-row {
      margin-top: -4px;
    }
    .preview {
      font-size: 14px;
      font-weight: 700;
      text-decoration: underline;
      color: var(--nick-color, #34495e);
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .check {
      grid-column: 1 / -1;
      display: flex;
      gap: 8px;
      align-items: center;
    }
    .check + .hint {
      grid-column: 1 / -1;
      margin-left: 26px;
    }
    .found {
      grid-column: 1 / -1;
    }
    .hosting {
      grid-column: 1 / -1;
      display: flex;
      flex-direction: column;
      gap: 4px;
      font-size: 13px;
      background: var(--good-bg, #eaf6ef);
      border-radius: 6px;
      padding: 6px 10px;
    }
    .hosting p,
    .hosting h3 {
      margin: 0;
    }
    .hosting h3 {
      font-size: 14px;
      font-weight: 600;
    }
    .qr-row {
      display: flex;
      gap: 10px;
      align-items: center;
    }
    .hosting .apps {
      font-size: 12px;
      color: var(--system, #7f8c8d);
      overflow-wrap: anywhere;
    }
    .hosting code {
      user-select: all;
    }
    .hint.warning {
      color: var(--warn, #9a5b00);
    }
    .confirm {
      grid-column: 1 / -1;
      display: flex;
      flex-direction: column;
      gap: 8px;
      padding: 8px 10px;
      border-radius: 6px;
      background: var(--warn-bg, #fff4e0);
      border: 1px solid var(--warn-edge, #e0b060);
    }
    .confirm p {
      margin: 0;
    }
    button.danger {
      background: var(--bad, #c0392b);
      border-color: var(--bad, #c0392b);
      color: var(--on-accent, #fff);
      font-weight: 600;
    }
    .error {
      grid-column: 1 / -1;
      margin: 0;
      padding: 6px 10px;
      border-radius: 6px;
      background: var(--bad-bg, #fbeaea);
      color: var(--bad, #c0392b);
    }
    hr {
      grid-column: 1 / -1;
      width: 100%;
      border: none;
      border-top: 1px solid var(--panel-border, #c8ccd0);
      margin: 2px 0;
    }
    .buttons {
      grid-column: 1 / -1;
      display: flex;
      justify-content: flex-end;
      gap: 8px;
    }
    .buttons .left {
      margin-right: auto;
    }
    button.action {
      font: inherit;
      min-width: 90px;
      padding: 6px 14px;
      border-radius: 6px;
      border: 1px solid var(--panel-border, #c8ccd0);
      background: var(--button-bg, #fff);
      color: inherit;
      cursor: pointer;
    }
    button.primary {
      background: var(--accent, #2980b9);
      border-color: var(--accent, #2980b9);
      color: var(--on-accent, #fff);
      font-weight: 600;
    }
    button:disabled {
      opacity: 0.6;
      cursor: default;
    }
    :focus-visible {
      outline: 2px solid var(--focus, #2980b9);
      outline-offset: 2px;
    }
  `;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('error') || changed.has('problem')) this.problemEdited = false;
    if (changed.has('problem') && this.problem === 'key') this.keyAsked = true;
    const opening = changed.has('open') && this.open;
    if (opening || (changed.has('settings') && !this.open) || (changed.has('link') && this.link)) this.loadFromSettings();
  }

  protected override updated(changed: PropertyValues<this>): void {
    const dialog = this.dialog;
    // A failed attempt: the field to change has the focus.
    if (this.open && changed.has('error') && this.shownProblem() !== null) {
      this.renderRoot.querySelector<HTMLElement>(this.shownProblem() === 'key' ? '#room-key' : '#server')?.focus();
    }
    if (!dialog || !changed.has('open')) return;
    if (this.open && !dialog.open) {
      dialog.showModal();
      this.firstEmptyField()?.focus();
    } else if (!this.open && dialog.open) {
      dialog.close();
    }
  }

  private loadFromSettings(): void {
    const s = this.settings;
    this.server = s.server;
    this.hostRoom = this.canHost && s.hostRoom;
    this.portText = String(this.hostRoom ? s.hostPort : s.port);
    this.nickname = s.userName;
    this.color = s.userColor;
    this.gender = s.gender;
    this.hostKey = s.roomKey;
    this.allowInternet = s.allowInternet;
    this.visibleOnNetwork = s.visibleOnNetwork ?? true;
    this.roomName = s.roomName ?? '';
    this.roomHistory = s.roomHistory ?? true;
    this.keyNeeded = false;
    this.chosenFound = null;
    this.joinKey = savedKeyFor(s.roomKeys, s.server, s.port);
    this.invalid = new Set();
    this.confirmingStop = false;
    const link = this.link;
    if (link) {
      this.hostRoom = false;
      this.server = link.server;
      this.portText = String(link.port);
      if (link.userName !== undefined) this.nickname = link.userName;
      // The link's own key, or the one saved for the link's server: never the last server's.
      this.joinKey = link.roomKey ?? savedKeyFor(s.roomKeys, link.server, link.port);
    }
  }

  /** The error belongs beside a field (and the field is there to change). */
  private shownProblem(): ConnectProblem | null {
    if (this.error === null || this.problemEdited || this.problem === null) return null;
    // No address field to change: a guest's room that does not answer is said at the foot.
    if (this.problem === 'address' && (this.hostRoom || this.guest)) return null;
    return this.problem;
  }

  /** The error beside its field, with Retry. */
  private renderProblem(problem: ConnectProblem, id: string): TemplateResult | typeof nothing {
    if (this.shownProblem() !== problem) return nothing;
    return html`<p class="problem failed" id=${id} role="alert"><span>${this.error}</span>
      <button type="button" class="action retry" ?disabled=${this.busy} @click=${() => this.submit(false)}>${this.strings.retry}</button></p>`;
  }

  /** The server or port changed: the key field holds what is saved for the new one, or nothing. */
  private serverChanged(): void {
    if (this.problem === 'address') this.problemEdited = true;
    this.confirmingStop = false;
    this.keyNeeded = false;
    this.chosenFound = null;
    if (this.hostRoom) return;
    const port = parsePort(this.portText);
    this.joinKey = port === null ? '' : savedKeyFor(this.settings.roomKeys, this.server.trim(), port);
  }

  private firstEmptyField(): HTMLElement | null {
    const id = this.nickname.trim() === '' ? 'nickname' : 'connect';
    return this.renderRoot.querySelector<HTMLElement>(`#${id}`);
  }

  protected override render(): TemplateResult {
    const s = this.strings;
    const cleaned = cleanUserName(this.nickname, '');
    const problem = this.shownProblem();
    const invalid = (f: Field) => (this.invalid.has(f) || (problem === 'address' && (f === 'server' || f === 'port')) ? 'true' : 'false');
    const inPalette = (PALETTE as readonly string[]).includes(this.color.toLowerCase());
    return html`<dialog aria-labelledby="title" @cancel=${this.onCancel} @close=${this.onClose} @keydown=${this.onKeyDown}>
      <form novalidate @submit=${this.onSubmit}>
        <h2 id="title">${s.dialogTitle}</h2>
        ${this.guest ? nothing : this.renderWhere()}

        <label for="nickname">${s.nickname}</label>
        <input id="nickname" type="text" autocomplete="nickname" spellcheck="false" maxlength=${MAX_NAME_LENGTH}
          aria-invalid=${invalid('nickname')} aria-describedby="nickname-note"
          .value=${live(this.nickname)}
          @input=${(e: Event) => (this.nickname = (e.target as HTMLInputElement).value)} />
        ${this.invalid.has('nickname')
          ? html`<p class="problem" id="nickname-note">${s.emptyNickname}</p>`
          : cleaned !== '' && cleaned !== this.nickname.trim()
            ? html`<p class="hint" id="nickname-note">${format(s.nicknameCleaned, { name: cleaned })}</p>`
            : nothing}

        <span class="label">${s.color}</span>
        <div class="row">
          <div class="swatches" role="radiogroup" aria-label=${s.color} @keydown=${this.onSwatchKey}>
            ${PALETTE.map((c) => {
              const checked = this.color.toLowerCase() === c;
              return html`<button type="button" class="swatch" role="radio" data-color=${c} aria-label=${s.colorNames[c]} title=${s.colorNames[c]}
                aria-checked=${checked ? 'true' : 'false'}
                tabindex=${checked || (!inPalette && c === PALETTE[0]) ? '0' : '-1'}
                ${cssProperties({ '--swatch': c })}
                @click=${() => (this.color = c)}></button>`;
            })}
            <input type="color" class="custom" aria-label=${s.customColor} title=${s.customColor}
              ?data-checked=${!inPalette}
              ${cssProperties({ '--swatch': isValidColor(this.color) ? this.color : PALETTE[0] })}
              .value=${live(toSixDigits(this.color))}
              @input=${(e: Event) => (this.color = (e.target as HTMLInputElement).value)} />
          </div>
        </div>
        ${cleaned === ''
          ? nothing
          : html`<p class="hint preview-row" aria-hidden="true"><span class="preview" ${nickColor(this.color)}>${cleaned}</span></p>`}

        <label for="gender">${s.gender}</label>
        <select id="gender" .value=${live(String(this.gender))}
          @change=${(e: Event) => (this.gender = Number((e.target as HTMLSelectElement).value) as Gender)}>
          ${([0, 1, 2] as const).map((g) => html`<option value=${g} ?selected=${this.gender === g}>${s.genders[g]}</option>`)}
        </select>

        ${this.guest && !this.keyAsked && this.joinKey === '' ? nothing : this.renderKeyField(problem)}

        ${this.guest ? nothing : this.renderHostCheck()}
        ${this.hostRoom
          ? html`<label for="room-name">${s.roomName}</label>
              <input id="room-name" type="text" autocomplete="off" maxlength=${MAX_ROOM_NAME_LENGTH}
                placeholder=${roomDisplayName({ roomName: '', userName: cleaned })}
                .value=${live(this.roomName)}
                @input=${(e: Event) => (this.roomName = (e.target as HTMLInputElement).value)} />
              <label class="check">
                <input id="allow-internet" type="checkbox" .checked=${live(this.allowInternet)} aria-describedby="allow-internet-hint"
                  @change=${(e: Event) => (this.allowInternet = (e.target as HTMLInputElement).checked)} />
                ${s.allowInternet}
              </label>
              <p class=${this.allowInternet ? 'hint warning' : 'hint'} id="allow-internet-hint">
                ${this.allowInternet ? s.allowInternetWarning : s.allowInternetHint}</p>
              <label class="check">
                <input id="visible" type="checkbox" .checked=${live(this.visibleOnNetwork)} aria-describedby="visible-hint"
                  @change=${(e: Event) => (this.visibleOnNetwork = (e.target as HTMLInputElement).checked)} />
                ${s.visibleOnNetwork}
              </label>
              <p class="hint" id="visible-hint">${s.visibleOnNetworkHint}</p>
              <label class="check">
                <input id="room-history" type="checkbox" .checked=${live(this.roomHistory)} aria-describedby="room-history-hint"
                  @change=${(e: Event) => (this.roomHistory = (e.target as HTMLInputElement).checked)} />
                ${s.roomHistory}
              </label>
              <p class="hint" id="room-history-hint">${s.roomHistoryHint}</p>`
          : nothing}
        ${this.renderHosting()}

        <label for="language">${s.language}</label>
        <select id="language" .value=${live(this.settings.language)} @change=${this.onLanguage}>
          <option value="auto" ?selected=${this.settings.language === 'auto'}>${s.languageAuto}</option>
          <option value="en" ?selected=${this.settings.language === 'en'}>English</option>
          <option value="ru" ?selected=${this.settings.language === 'ru'}>Русский</option>
        </select>

        <label for="theme">${s.theme}</label>
        <select id="theme" .value=${live(this.settings.theme)} @change=${this.onTheme}>
          <option value="system" ?selected=${this.settings.theme === 'system'}>${s.themeSystem}</option>
          <option value="light" ?selected=${this.settings.theme === 'light'}>${s.themeLight}</option>
          <option value="dark" ?selected=${this.settings.theme === 'dark'}>${s.themeDark}</option>
        </select>

        ${this.error && problem === null ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        ${this.confirmingStop ? this.renderStopConfirm() : nothing}
        <hr />
        <div class="buttons">
          ${this.dismissible
            ? html`<button type="button" class="action left" @click=${() => emit(this, 'disconnect-requested', {})}>${s.disconnect}</button>
                <button type="button" class="action" @click=${() => emit(this, 'dialog-dismissed', {})}>${s.close}</button>`
            : nothing}
          <button id="connect" type="submit" class="action primary" ?disabled=${this.busy || this.confirmingStop}>${this.busy ? s.connectingNow : s.connect}</button>
        </div>
      </form>
    </dialog>`;
  }

  /** Where to connect: the rooms found on the network, the server and its port. */
  private renderWhere(): TemplateResult {
    const s = this.strings;
    const invalid = (f: Field) => (this.invalid.has(f) || (this.shownProblem() === 'address' && (f === 'server' || f === 'port')) ? 'true' : 'false');
    return html`${this.canHost && !this.hostRoom
          ? html`<found-rooms class="found" .rooms=${this.foundRooms} .strings=${s} @found-room-chosen=${this.onFoundRoom}></found-rooms>`
          : nothing}

        <label for="server">${s.server}</label>
        <div class="row">
          <input id="server" type="text" autocomplete="off" spellcheck="false"
            aria-invalid=${invalid('server')} aria-describedby="server-problem"
            ?disabled=${this.hostRoom}
            .value=${live(this.hostRoom ? LOCAL_SERVER : this.server)}
            @input=${(e: Event) => {
              this.server = (e.target as HTMLInputElement).value;
              this.serverChanged();
            }} />
          <label for="port">${s.port}</label>
          <input id="port" type="text" inputmode="numeric" autocomplete="off" maxlength="5"
            aria-invalid=${invalid('port')} aria-describedby="port-problem"
            .value=${live(this.portText)}
            @input=${(e: Event) => {
              this.portText = (e.target as HTMLInputElement).value;
              this.serverChanged();
            }} />
        </div>
        ${this.invalid.has('server') ? html`<p class="problem" id="server-problem">${s.invalidServer}</p>` : this.renderProblem('address', 'server-problem')}
        ${this.invalid.has('port') ? html`<p class="problem" id="port-problem">${s.invalidPort}</p>` : nothing}`;
  }

  private renderKeyField(problem: ConnectProblem | null): TemplateResult {
    const s = this.strings;
    return html`<label for="room-key">${s.roomKey}</label>
        <input id="room-key" type=${this.hostRoom ? 'text' : 'password'} autocomplete="off" spellcheck="false" maxlength=${MAX_LOGIN_KEY_LENGTH}
          aria-describedby="room-key-hint" aria-invalid=${problem === 'key' ? 'true' : 'false'}
          .value=${live(this.hostRoom ? this.hostKey : this.joinKey)}
          @input=${(e: Event) => {
            const value = (e.target as HTMLInputElement).value;
            if (this.problem === 'key') this.problemEdited = true;
            if (this.hostRoom) this.hostKey = value;
            else this.joinKey = value;
          }} />
        ${this.renderKeyHint()}`;
  }

  private renderHostCheck(): TemplateResult {
    const s = this.strings;
    return html`<label class="check">
          <input id="host" type="checkbox" ?disabled=${!this.canHost} .checked=${live(this.hostRoom)}
            aria-describedby="host-hint" @change=${this.onHostToggled} />
          ${s.hostRoom}
        </label>
        <p class="hint" id="host-hint">${this.canHost ? s.hostRoomHint : s.hostRoomUnavailable}</p>`;
  }

  private renderKeyHint(): TemplateResult {
    const s = this.strings;
    // The server's reason for refusing the key, where the key is typed.
    if (this.shownProblem() === 'key') return this.renderProblem('key', 'room-key-hint') as TemplateResult;
    if (!this.hostRoom && this.keyNeeded && this.joinKey === '') return html`<p class="hint warning" id="room-key-hint">${s.foundRoomNeedsKey}</p>`;
    if (!this.hostRoom) return html`<p class="hint" id="room-key-hint">${s.roomKeyHint}</p>`;
    if (this.hostKey !== '') return html`<p class="hint" id="room-key-hint">${s.hostKeyHint}</p>`;
    return html`<p class="hint warning" id="room-key-hint">${this.allowInternet ? s.roomOpenToInternet : s.roomOpen}</p>`;
  }

  /** Connecting elsewhere would stop the hosted room with people in it: said, and asked. */
  private renderStopConfirm(): TemplateResult {
    const s = this.strings;
    const n = this.hostedPeople;
    return html`<div class="confirm" role="alertdialog" aria-labelledby="stop-text">
      <p id="stop-text">${n === 1 ? s.stopHostedRoomOne : format(s.stopHostedRoom, { count: String(n) })}</p>
      <div class="buttons">
        <button id="keep-room" type="button" class="action" @click=${this.cancelStop}>${s.cancel}</button>
        <button id="stop-room" type="button" class="action danger" @click=${this.confirmStop}>${s.stopAndConnect}</button>
      </div>
    </div>`;
  }

  private cancelStop(): void {
    this.confirmingStop = false;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('#connect')?.focus());
  }

  private confirmStop(): void {
    this.confirmingStop = false;
    this.submit(true);
  }

  /** Where others join while this computer hosts: the web links to copy (the first is the share link), then the app addresses. */
  private renderHosting(): TemplateResult | typeof nothing {
    const h = this.hosting;
    if (h.state !== 'running' || h.addresses.length + h.webUrls.length === 0) return nothing;
    const s = this.strings;
    const share = h.webUrls[0];
    return html`<section class="hosting" aria-labelledby="invite-title">
      <h3 id="invite-title">${s.invite}</h3>
      ${share === undefined
        ? nothing
        : html`<div class="qr-row"><invite-qr .url=${share} .label=${s.inviteQr}></invite-qr><p class="apps">${s.inviteHint}</p></div>`}
      <p>${s.hostingAt}:</p>
      ${h.webUrls.map((url) => html`<copy-link show-url .url=${url} .strings=${s}></copy-link>`)}
      ${h.addresses.length > 0
        ? html`<p class="apps">${h.webUrls.length > 0 ? s.hostingInApp : s.hostingAt}:
            ${h.addresses.map((a, i) => html`${i > 0 ? ' · ' : ''}<code>${a}</code>`)}</p>`
        : nothing}
    </section>`;
  }

  private onHostToggled(event: Event): void {
    this.hostRoom = (event.target as HTMLInputElement).checked;
    this.confirmingStop = false;
    // One port field: the room's port when hosting, the server's otherwise.
    if (parsePort(this.portText) === null) this.portText = String(this.hostRoom ? this.settings.hostPort : this.settings.port);
    // Joining again: the key for the server and port now in the fields, not one read for others.
    if (!this.hostRoom) this.serverChanged();
  }

  /** A found room fills the form, and the key field when the room is locked; Connect stays the user's. */
  private onFoundRoom(event: CustomEvent<{ room: FoundRoom }>): void {
    const { room } = event.detail;
    this.hostRoom = false;
    this.server = room.tls ? `wss://${room.id}` : room.host;
    this.portText = String(room.port);
    this.serverChanged();
    this.chosenFound = room;
    this.keyNeeded = room.locked && this.joinKey === '';
    const focus = this.keyNeeded ? '#room-key' : '#connect';
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(focus)?.focus());
  }

  private onTheme(event: Event): void {
    emit(this, 'theme-changed', { theme: (event.target as HTMLSelectElement).value as Theme });
  }

  private onLanguage(event: Event): void {
    emit(this, 'language-changed', { language: (event.target as HTMLSelectElement).value as Language });
  }

  private onSwatchKey(event: KeyboardEvent): void {
    const step = event.key === 'ArrowRight' || event.key === 'ArrowDown' ? 1 : event.key === 'ArrowLeft' || event.key === 'ArrowUp' ? -1 : 0;
    if (step === 0 || !(event.target as HTMLElement).classList.contains('swatch')) return;
    event.preventDefault();
    const index = Math.max(0, (PALETTE as readonly string[]).indexOf(this.color.toLowerCase()));
    const next = PALETTE[(index + step + PALETTE.length) % PALETTE.length]!;
    this.color = next;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`.swatch[data-color="${next}"]`)?.focus());
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (event.key === 'Escape') {
      // Handled here so the browser's own close request never closes an undismissible dialog.
      event.preventDefault();
      if (this.confirmingStop) this.cancelStop();
      else if (this.dismissible) emit(this, 'dialog-dismissed', {});
    } else if (event.key === 'Enter' && !event.isComposing) {
      const target = event.composedPath()[0] as HTMLElement;
      if (target.tagName === 'BUTTON' || target.tagName === 'SELECT' || (target as HTMLInputElement).type === 'color') return;
      event.preventDefault();
      this.renderRoot.querySelector('form')?.requestSubmit();
    }
  }

  private onCancel(event: Event): void {
    event.preventDefault();
    if (this.dismissible) emit(this, 'dialog-dismissed', {});
  }

  private onClose(): void {
    // A close the app did not ask for (the platform's close request): stay open.
    if (this.open) this.dialog?.showModal();
  }

  private onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    this.submit(false);
  }

  private submit(stopConfirmed: boolean): void {
    if (this.busy || this.confirmingStop) return;
    const port = parsePort(this.portText);
    const userName = cleanUserName(this.nickname, '');
    const server = this.server.trim();
    const invalid = new Set<Field>();
    if (!this.hostRoom && !isValidServer(server)) invalid.add('server');
    if (port === null) invalid.add('port');
    if (userName === '') invalid.add('nickname');
    this.invalid = invalid;
    if (invalid.size > 0) {
      const first = (['server', 'port', 'nickname'] as const).find((f) => invalid.has(f))!;
      void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`#${first}`)?.focus());
      return;
    }
    if (!this.hostRoom && this.hosting.state === 'running' && this.hostedPeople > 0 && !stopConfirmed) {
      this.confirmingStop = true;
      void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('#keep-room')?.focus());
      return;
    }
    emit(this, 'connect-requested', {
      server: this.hostRoom ? LOCAL_SERVER : server,
      port: port!,
      userName,
      userColor: isValidColor(this.color) ? this.color : PALETTE[0],
      gender: this.gender,
      hostRoom: this.hostRoom,
      roomKey: this.hostRoom ? this.hostKey : this.joinKey,
      allowInternet: this.hostRoom && this.allowInternet,
      visibleOnNetwork: this.visibleOnNetwork,
      roomName: cutRoomName(this.roomName),
      roomHistory: this.roomHistory,
      ...(this.chosenFound !== null && !this.hostRoom ? { foundRoom: this.chosenFound.id } : {}),
    });
  }
}

/** `<input type=color>` speaks only `#rrggbb`. */
function toSixDigits(color: string): string {
  if (!isValidColor(color)) return PALETTE[0];
  if (color.length === 7) return color.toLowerCase();
  return `#${[...color.slice(1)].map((c) => c + c).join('')}`.toLowerCase();
}

declare global {
  interface HTMLElementTagNameMap {
    'connect-dialog': ConnectDialog;
  }
}
