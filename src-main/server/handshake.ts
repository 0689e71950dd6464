import { cleanUserName, isIdentitySecret, normalizeColor, normalizeGender } from '../../src-shared/protocol';
import type { Gender } from '../../src-shared/protocol';

/** What a client asked for in its handshake URL, made safe. */
export interface HandshakeRequest {
  userName: string;
  userColor: string;
  gender: Gender;
  /** Ours (reconnect): the token from a previous `Authorized`. */
  sessionToken: string | null;
  /** Ours: the room key, when the room has one. */
  roomKey: string | null;
  /** Ours: the client's lasting secret (identities.ts), when well-formed; a malformed one is a problem. */
  identity: string | null;
  /** What was wrong with the parameters, for people; the values above are the fallbacks. */
  problems: string[];
}

const PARAMETERS = ['userName', 'userColor', 'gender', 'sessionToken', 'key', 'identity'] as const;
type Parameter = (typeof PARAMETERS)[number];
const KNOWN = new Set<string>(PARAMETERS);
/** `userName[]=x` and `userName[a]=x`: PHP's array syntax, which crashed the original. */
const ARRAY_FORM = /^([^[\]]+)\[[^\]]*\]$/;
/** Longer values are not names, colours or tokens; they are cut off before cleaning. */
const MAX_PARAMETER_LENGTH = 1024;

/**
 * Reads `userName`, `userColor`, `gender` (and our `sessionToken`, `key`) from a
 * request target like `/?userName=…`. `+` is a space and bad percent-escapes are
 * read leniently, as the original's PHP did. Never throws.
 */
export function readHandshake(target: string, defaultUserName: string): HandshakeRequest {
  const question = target.indexOf('?');
  const query = question === -1 ? '' : target.slice(question + 1);
  const values = new Map<Parameter, string>();
  const problems: string[] = [];
  for (const [rawKey, value] of new URLSearchParams(query)) {
    const arrayForm = ARRAY_FORM.exec(rawKey);
    if (arrayForm !== null && KNOWN.has(arrayForm[1]!)) {
      problems.push(`${arrayForm[1]} was sent as an array and was ignored.`);
      continue;
    }
    if (!KNOWN.has(rawKey)) continue;
    const key = rawKey as Parameter;
    if (values.has(key)) {
      problems.push(`${key} was sent more than once; the first value was used.`);
      continue;
    }
    values.set(key, value.length > MAX_PARAMETER_LENGTH ? value.slice(0, MAX_PARAMETER_LENGTH) : value);
  }
  const userColor = values.get('userColor');
  const identity = values.get('identity') ?? null;
  if (identity !== null && !isIdentitySecret(identity)) {
    problems.push('identity must be 43 characters of base64url (a 256-bit secret); this login has no lasting identity.');
  }
  return {
    userName: cleanUserName(values.get('userName'), defaultUserName),
    userColor: normalizeColor(userColor),
    gender: normalizeGender(values.get('gender')),
    sessionToken: values.get('sessionToken') ?? null,
    roomKey: values.get('key') ?? null,
    identity: identity !== null && isIdentitySecret(identity) ? identity : null,
    problems: [...new Set(problems)],
  };
}
