import type { ErrorCode, ServerMessage } from '../../src-shared/protocol';
import { frameText } from './broadcast';

/** `{"action":"Error","code","message"}` as a ready frame: what a peer's bad request earns it. */
export function errorFrame(code: ErrorCode, message: string): Buffer {
  const error: ServerMessage = { action: 'Error', code, message };
  return frameText(JSON.stringify(error));
}
