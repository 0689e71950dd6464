import { noChange, nothing } from 'lit';
import { Directive, PartType, directive } from 'lit/directive.js';
import type { ElementPart, PartInfo } from 'lit/directive.js';
import { DEFAULT_USER_COLOR, isValidColor } from '../../src-shared/protocol';
import { nickColorValue } from './theme';

/*
 * Sets style properties through the CSSOM (`style.setProperty`), never through a
 * `style` attribute: the page's CSP forbids inline style attributes, and Lit's own
 * styleMap writes one on first render. Values must already be safe; for colours
 * from peers use `nickColor`, which validates.
 */
class CssPropertiesDirective extends Directive {
  private previous = new Set<string>();

  constructor(partInfo: PartInfo) {
    super(partInfo);
    if (partInfo.type !== PartType.ELEMENT) throw new Error('cssProperties() belongs on an element: <div ${cssProperties(…)}>');
  }

  render(_properties: Readonly<Record<string, string>>): typeof nothing {
    return nothing;
  }

  override update(part: ElementPart, [properties]: [Readonly<Record<string, string>>]): typeof noChange {
    const style = (part.element as HTMLElement).style;
    for (const name of this.previous) if (!(name in properties)) style.removeProperty(name);
    for (const [name, value] of Object.entries(properties)) {
      if (style.getPropertyValue(name) !== value) style.setProperty(name, value);
    }
    this.previous = new Set(Object.keys(properties));
    return noChange;
  }
}

export const cssProperties = directive(CssPropertiesDirective);

/** A peer's colour if it is `#rgb`/`#rrggbb`, else the default: the only way a peer's colour reaches CSS. */
export function safeColor(color: string): string {
  return isValidColor(color) ? color : DEFAULT_USER_COLOR;
}

/** The custom property the log's and the list's styles colour a peer's name by. */
const NICK_COLOR = '--nick-color';

/** `--nick-color` for an element showing a peer's name: their colour, made readable on the theme's rows. */
export const nickColor = (color: string) => cssProperties({ [NICK_COLOR]: nickColorValue(safeColor(color)) });

/** The same, for an element built without a template (the log's chat lines). */
export function setNickColor(element: HTMLElement, color: string): void {
  element.style.setProperty(NICK_COLOR, nickColorValue(safeColor(color)));
}
