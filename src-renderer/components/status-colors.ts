import { css } from 'lit';

/** The dot of each status (`.status-dot.<status>`), shared by the picker and the user list. */
export const statusDotStyles = css`
  .status-dot {
    display: inline-block;
    width: 9px;
    height: 9px;
    border-radius: 50%;
    flex: none;
    box-sizing: border-box;
  }
  .status-dot.online {
    background: #27ae60;
  }
  .status-dot.working {
    background: #2980b9;
  }
  .status-dot.resting {
    background: #8e44ad;
  }
  .status-dot.away {
    background: #f39c12;
  }
  .status-dot.busy {
    background: #c0392b;
  }
`;
