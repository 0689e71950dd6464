import { css } from 'lit';

/** The look of the small modal dialogs over the chat (join a room, the quick switcher). */
export const overlayStyles = css`
  dialog {
    border: none;
    border-radius: 10px;
    padding: 16px 18px;
    width: min(420px, calc(100vw - 32px));
    max-height: calc(100vh - 32px);
    box-sizing: border-box;
    box-shadow: 0 12px 40px rgb(0 0 0 / 0.3);
    color: var(--text, #2c3e50);
    background: var(--dialog-bg, #f7f8f9);
    font-size: 14px;
  }
  dialog::backdrop {
    background: rgb(30 40 50 / 0.35);
  }
  h2 {
    margin: 0 0 10px;
    font-size: 16px;
    font-weight: 600;
  }
  input {
    box-sizing: border-box;
    width: 100%;
    font: inherit;
    padding: 6px 8px;
    border: 1px solid var(--panel-border, #c8ccd0);
    border-radius: 5px;
    background: var(--dialog-bg, #fff);
    color: inherit;
  }
  .hint {
    margin: 4px 0 0;
    font-size: 12px;
    color: var(--system, #7f8c8d);
  }
  ul {
    margin: 6px 0 0;
    padding: 0;
    list-style: none;
    max-height: 40vh;
    overflow-y: auto;
  }
  .buttons {
    display: flex;
    justify-content: flex-end;
    gap: 8px;
    margin-top: 14px;
  }
  .buttons button {
    padding: 4px 12px;
    border-radius: 5px;
  }
  @media (max-width: 560px) {
    button,
    input {
      min-height: 44px;
    }
  }
`;
