import { LitElement, css, nothing, svg } from 'lit';
import type { TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';

type CreateQr = (typeof import('qrcode'))['create'];

/*
 * The encoder is a quarter of what a guest's first load would otherwise carry, for a
 * panel few open: it comes as its own chunk when the first code is drawn. The host
 * keeps its size meanwhile, so nothing moves when the code appears.
 */
let encoder: Promise<CreateQr> | undefined;

function loadEncoder(): Promise<CreateQr> {
  encoder ??= import('qrcode').then(
    // A CommonJS package: in a split bundle (as in Node) its exports are the default.
    (module) => (module.default ?? module).create,
    (error: unknown) => {
      encoder = undefined; // the next panel tries again
      throw error;
    },
  );
  return encoder;
}

/** Light modules around the code, as the QR standard asks, so phone cameras find its edges. */
const QUIET_ZONE = 4;

/**
 * A QR code of `url`, drawn here as one SVG path: no network, no image decoding, no
 * markup from strings (the path's `d` is built from the module grid alone).
 */
@customElement('invite-qr')
export class InviteQr extends LitElement {
  @property() accessor url = '';
  /** What a screen reader says for the picture. */
  @property() accessor label = '';
  @state() private accessor create: CreateQr | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.create !== undefined) return;
    loadEncoder().then(
      (create) => (this.create = create),
      // Without the chunk (the server went away mid-load) the panel still has its link.
      () => undefined,
    );
  }

  static override styles = css`
    :host {
      display: block;
      width: 168px;
      height: 168px;
    }
    svg {
      display: block;
      width: 100%;
      height: 100%;
    }
  `;

  protected override render(): TemplateResult | typeof nothing {
    if (this.url === '' || this.create === undefined) return nothing;
    const { modules } = this.create(this.url, { errorCorrectionLevel: 'M' });
    const size = modules.size;
    let d = '';
    for (let row = 0; row < size; row++) {
      for (let col = 0; col < size; col++) {
        if (modules.get(row, col)) d += `M${col + QUIET_ZONE} ${row + QUIET_ZONE}h1v1h-1z`;
      }
    }
    const full = size + 2 * QUIET_ZONE;
    return svg`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${full} ${full}" shape-rendering="crispEdges" role="img" aria-label=${this.label}>
      <rect width=${full} height=${full} fill="#fff"></rect>
      <path d=${d} fill="#000"></path>
    </svg>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'invite-qr': InviteQr;
  }
}
