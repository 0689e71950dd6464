import { LitElement, css, html, nothing } from 'lit';
import type { TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { DownloadStatus } from '../../src-shared/bridge';
import type { UploadFailure } from '../../src-shared/protocol';
import { format } from '../i18n';
import type { Strings } from '../i18n';
import { en } from '../i18n/en';
import { formatSize } from '../format/size';
import { buttonStyles } from './button-styles';
import { emit } from './events';

/** One upload as the app follows it: under way (with its progress), or refused and waiting to be dismissed. */
export interface UploadItem {
  readonly id: string;
  readonly name: string;
  readonly size: number;
  readonly sent: number;
  /** Why it did not go; undefined while it goes. */
  readonly failure?: UploadFailure;
  /** The server's own words, for a refusal this app has no words of its own for. */
  readonly detail?: string;
}

/**
 * The transfers above the input. Uploads: a progress bar and Cancel for each one under
 * way, and for each refused one what went wrong, in words, until dismissed; once the
 * server has the file the line goes to the chat, and shows when its echo comes back.
 * Downloads (the desktop app's, into the Downloads folder): a progress bar, then
 * "Show in folder"; never anything that opens the file.
 */
@customElement('upload-list')
export class UploadList extends LitElement {
  @property({ attribute: false }) accessor uploads: readonly UploadItem[] = [];
  @property({ attribute: false }) accessor downloads: readonly DownloadStatus[] = [];
  @property({ attribute: false }) accessor strings: Strings = en;

  static override styles = [
    buttonStyles,
    css`
      :host {
        display: block;
      }
      :host([hidden]) {
        display: none;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: 4px;
      }
      li {
        display: flex;
        align-items: center;
        gap: 8px;
        padding: 4px 8px;
        border: 1px solid var(--panel-border, #c8ccd0);
        border-radius: 6px;
        background: var(--panel-bg, #fff);
        font-size: 13px;
      }
      li.refused {
        border-color: var(--bad, #c0392b);
        color: var(--bad, #c0392b);
      }
      .name {
        flex: 0 1 auto;
        min-width: 0;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
        font-weight: 600;
      }
      .size {
        flex: none;
        color: var(--system, #7f8c8d);
      }
      progress {
        flex: 1;
        min-width: 60px;
        height: 8px;
      }
      .why {
        flex: 1;
        min-width: 0;
      }
      button {
        flex: none;
        font-size: 12px;
        padding: 2px 8px;
        border-radius: 4px;
      }
      @media (max-width: 560px) {
        button {
          min-height: 44px;
          min-width: 44px;
        }
      }
    `,
  ];

  protected override render(): TemplateResult | typeof nothing {
    if (this.uploads.length === 0 && this.downloads.length === 0) return nothing;
    const s = this.strings.files;
    return html`<ul aria-label=${s.uploads}>
      ${repeat(
        this.uploads,
        (u) => u.id,
        (u) => (u.failure === undefined ? this.renderGoing(u) : this.renderRefused(u, u.failure)),
      )}
      ${repeat(
        this.downloads,
        (d) => d.downloadId,
        (d) => this.renderDownload(d),
      )}
    </ul>`;
  }

  private renderDownload(download: DownloadStatus): TemplateResult {
    const s = this.strings.files;
    const name = download.name;
    const dismiss = html`<button type="button" aria-label=${s.dismiss} title=${s.dismiss}
      @click=${() => emit(this, 'download-dismissed', { downloadId: download.downloadId })}>×</button>`;
    if (download.state === 'progressing') {
      return html`<li class="going download" data-download=${download.downloadId}>
        <bdi class="name">${name}</bdi>
        ${download.total > 0 ? html`<span class="size">${formatSize(download.total, s.units)}</span>` : nothing}
        <progress max=${Math.max(1, download.total)} .value=${download.received} aria-label=${format(s.downloading, { name })}></progress>
      </li>`;
    }
    if (download.state === 'completed') {
      return html`<li class="done download" data-download=${download.downloadId} role="status">
        <span class="why">${format(s.downloaded, { name })}</span>
        <button type="button" @click=${() => emit(this, 'download-show-requested', { downloadId: download.downloadId })}>${s.showInFolder}</button>
        ${dismiss}
      </li>`;
    }
    return html`<li class="refused download" data-download=${download.downloadId} role="alert">
      <span class="why">${format(s.downloadStopped, { name })}</span>
      ${dismiss}
    </li>`;
  }

  private renderGoing(upload: UploadItem): TemplateResult {
    const s = this.strings.files;
    return html`<li class="going" data-upload=${upload.id}>
      <bdi class="name">${upload.name}</bdi>
      <span class="size">${formatSize(upload.size, s.units)}</span>
      <progress max=${Math.max(1, upload.size)} .value=${upload.sent} aria-label=${format(s.uploading, { name: upload.name })}></progress>
      <button type="button" aria-label=${format(s.cancelUploadLabel, { name: upload.name })}
        @click=${() => emit(this, 'upload-cancel-requested', { uploadId: upload.id })}>${s.cancelUpload}</button>
    </li>`;
  }

  private renderRefused(upload: UploadItem, failure: UploadFailure): TemplateResult {
    const s = this.strings.files;
    // A code this app knows gets its own words; the server's message is kept for the tooltip.
    const reason = s.reasons[failure];
    return html`<li class="refused" data-upload=${upload.id} role="alert" title=${upload.detail ?? ''}>
      <span class="why">${format(s.refused, { name: upload.name, reason })}</span>
      <button type="button" aria-label=${s.dismiss} title=${s.dismiss}
        @click=${() => emit(this, 'upload-dismissed', { uploadId: upload.id })}>×</button>
    </li>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'upload-list': UploadList;
  }
}
