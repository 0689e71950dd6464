import type { Strings } from '../i18n';

/** What can be done with a chat line from the log. */
export type LineAction = 'reply' | 'edit' | 'delete';

/**
 * The actions a rendered chat line offers, read from the classes chat-line-element.ts
 * gives it: Reply on every public line the server gave an id, Edit and Delete too on
 * one's own (private lines are not kept by the server, so they are neither quoted nor changed).
 */
export function actionsOf(line: HTMLElement): LineAction[] {
  const classes = line.classList;
  if (line.dataset.messageId === undefined || classes.contains('private') || classes.contains('deleted')) return [];
  return classes.contains('mine') ? ['reply', 'edit', 'delete'] : ['reply'];
}

export function actionLabel(action: LineAction, strings: Strings): string {
  return action === 'reply' ? strings.reply : action === 'edit' ? strings.edit : strings.delete;
}

/**
 * The one hover toolbar of the log, moved into whichever line is hovered or focused
 * (one per line would be three buttons times 100 000 lines). Built with the DOM like
 * the lines it sits in; its names are plain attributes.
 */
export class LineToolbar {
  readonly element: HTMLDivElement;
  #line: HTMLElement | null = null;

  constructor(onAction: (action: LineAction, line: HTMLElement) => void) {
    const bar = document.createElement('div');
    bar.className = 'toolbar';
    bar.setAttribute('role', 'toolbar');
    bar.addEventListener('click', (event) => {
      const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-action]');
      if (button === null || this.#line === null) return;
      event.stopPropagation();
      onAction(button.dataset.action as LineAction, this.#line);
    });
    // A click on the toolbar is not a click on the line's name or quote.
    bar.addEventListener('mousedown', (event) => event.stopPropagation());
    this.element = bar;
  }

  get line(): HTMLElement | null {
    return this.#line;
  }

  /** Puts the toolbar into `line` with the actions it offers; none: it goes away. */
  show(line: HTMLElement, strings: Strings): void {
    const actions = actionsOf(line);
    if (actions.length === 0) {
      this.hide();
      return;
    }
    if (this.#line === line && this.element.parentElement === line) return;
    this.element.setAttribute('aria-label', strings.lineActions);
    this.element.replaceChildren(
      ...actions.map((action) => {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = `action ${action}`;
        button.dataset.action = action;
        // The visible word comes from the label by CSS: generated text is not the line's text (innerText, copying).
        button.setAttribute('aria-label', actionLabel(action, strings));
        return button;
      }),
    );
    this.#line = line;
    line.append(this.element);
  }

  hide(): void {
    this.#line = null;
    this.element.remove();
  }

  contains(node: Node | null): boolean {
    return node !== null && this.element.contains(node);
  }
}
