import { css } from 'lit';

/** The look every plain button shares; a component adds its size (font-size, padding, border-radius). */
export const buttonStyles = css`
  button {
    font: inherit;
    border: 1px solid var(--panel-border, #c8ccd0);
    background: var(--button-bg, #fafafa);
    color: inherit;
    cursor: pointer;
  }
  button:hover {
    background: var(--hover-bg, #eef3f8);
  }
  button:focus-visible {
    outline: 2px solid var(--focus, #2980b9);
    outline-offset: 1px;
  }
`;
