import type { ClientMessage, ErrorCode, ServerMessage } from '../../src-shared/protocol';
import { frameText } from './broadcast';

/**
 * `{"action":"Error","code","message"}` as a ready frame: what a peer's bad request earns
 * it. `refused` names the action refused when it is not a chat line (see ErrorMessage).
 */
export function errorFrame(code: ErrorCode, message: string, refused?: ClientMessage['action']): Buffer {
  const error: ServerMessage = refused === undefined ? { action: 'Error', code, message } : { action: 'Error', code, message, refused };
  return frameText(JSON.stringify(error));
}
