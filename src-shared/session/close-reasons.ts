import type { ConnectProblem } from '../bridge/contract';
import { CloseCode, LOCAL_NETWORK_ONLY_REASON } from '../protocol/limits';

/*
 * What a lost connection means for the user: a sentence, and whether trying again
 * can help. Close codes and texts come from the peer, so they are only ever shown.
 */

export interface LossVerdict {
  reason: string;
  /** The server refused us for good: trying again cannot help until something changes. */
  final: boolean;
  /** What the user would change to get in. */
  about?: ConnectProblem;
}

const FINAL_CLOSE_CODES: ReadonlyMap<number, string> = new Map([
  [CloseCode.forbidden, 'The server refused to let us in: the room key is missing or wrong.'],
  [CloseCode.policyViolation, 'The server refused the connection.'],
  // Our own session logged in from elsewhere; coming back would throw that one out.
  [CloseCode.replaced, 'This session was taken over by another connection.'],
]);

/** Close reasons travel in at most 123 bytes; longer or control-laden ones are trimmed for display. */
function cleanReason(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, 200);
}

/** Our server's 4029 reason; only its number is taken from the peer. */
const KEY_LOCKOUT = /^Too many wrong room keys( from your address)?: try again in (\d{1,6}) s$/;

function keyLockoutReason(said: string): string {
  const ours = KEY_LOCKOUT.exec(said);
  if (ours !== null) return `Too many wrong room keys${ours[1] ?? ''}: try again in ${Number(ours[2])} s.`;
  return said ? `Too many wrong room keys from your address: try again later (the server says: ${said}).` : 'Too many wrong room keys from your address: try again later.';
}

export function describeClose(code: number, reasonText: string): LossVerdict {
  const said = cleanReason(typeof reasonText === 'string' ? reasonText : '');
  // Final: the lockout outlasts any quick retry, and each retry with a key would only meet it again.
  if (code === CloseCode.tooManyKeyTries) return { reason: keyLockoutReason(said), final: true, about: 'key' };
  if (code === CloseCode.forbidden && said === LOCAL_NETWORK_ONLY_REASON) {
    return {
      reason: 'This room accepts only computers on its local network. Its host can allow connections from the internet.',
      final: true,
    };
  }
  const final = FINAL_CLOSE_CODES.get(code);
  if (final !== undefined) {
    const verdict: LossVerdict = { reason: said ? `${final.slice(0, -1)}: ${said}` : final, final: true };
    if (code === CloseCode.forbidden) verdict.about = 'key';
    return verdict;
  }
  if (code === 1006) return { reason: 'The connection was lost.', final: false };
  if (code === CloseCode.tryLater) {
    return { reason: said ? `The server is busy: ${said}. Trying again later.` : 'The server is busy. Trying again later.', final: false };
  }
  if (code === CloseCode.goingAway) return { reason: said ? `The server is going away: ${said}` : 'The server is going away.', final: false };
  return { reason: said ? `The server closed the connection: ${said} (code ${code}).` : `The server closed the connection (code ${code}).`, final: false };
}

/** ws's error events carry `message` and the cause's `error.code`; a browser's carry neither. */
function errorDetail(event: unknown): { message: string; code: string } {
  const record = typeof event === 'object' && event !== null ? (event as Record<string, unknown>) : {};
  const cause = typeof record.error === 'object' && record.error !== null ? (record.error as Record<string, unknown>) : {};
  const message = typeof record.message === 'string' ? record.message : typeof cause.message === 'string' ? cause.message : '';
  const code = typeof cause.code === 'string' ? cause.code : typeof record.code === 'string' ? record.code : '';
  return { message: cleanReason(message), code };
}

const CERTIFICATE = /CERT|SELF_SIGNED|ERR_TLS|certificate/i;
const HTTP_STATUS = /Unexpected server response: (\d{3})/;

/** A socket error before the connection opened. */
export function describeUnreachable(url: string, errorEvent: unknown): LossVerdict {
  const shown = url.split('?')[0]!;
  const { message, code } = errorDetail(errorEvent);
  const status = HTTP_STATUS.exec(message);
  if (status) {
    const http = Number(status[1]);
    if (http === 401 || http === 403) {
      return { reason: `The server at ${shown} refused to let us in (HTTP ${http}): the room key may be missing or wrong.`, final: true, about: 'key' };
    }
    return { reason: `The server at ${shown} answered HTTP ${http} instead of opening a chat connection.`, final: false, about: 'address' };
  }
  if (CERTIFICATE.test(code) || CERTIFICATE.test(message)) {
    // Never silently accepted, never retried in a loop that hides it.
    return { reason: `The server at ${shown} has a certificate that cannot be trusted: ${message || code}.`, final: true, about: 'address' };
  }
  const detail = message ? ` (${message})` : '';
  return { reason: `Could not reach the server at ${shown}${detail}.`, final: false, about: 'address' };
}
