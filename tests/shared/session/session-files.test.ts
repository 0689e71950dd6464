import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ANNA, REQUEST, harness } from './fake-socket';

/*
 * A line with a file through the session (issue 14 §3): its frame carries only the file's
 * id, its echo settles it whatever text the server wrote, a refusal of the file drops it
 * with a notice, and the files endpoints' address and token are the login's.
 */

const TOKEN = { sessionToken: 'tok-1' };
const FILE = { fileId: 'AbC_-123', name: 'shot.png' };
const lineFile = { fileId: FILE.fileId, name: 'shot.png', size: 10, type: 'image/png', url: `/files/${FILE.fileId}`, width: 2, height: 2 };

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('file lines in the session', () => {
  it('sends {"file":{"fileId"}} only, with an empty text, and takes the echo by the file id', () => {
    const h = harness();
    h.session.connect(REQUEST);
    const socket = h.login(ANNA, TOKEN);
    h.session.send({ text: '', toUserId: 0, file: FILE });
    expect(socket.sent.map((f) => JSON.parse(f) as unknown).filter((m) => (m as { action: string }).action === 'Message')).toEqual([
      { action: 'Message', text: '', toUserId: 0, file: { fileId: FILE.fileId } },
    ]);
    expect(h.session.outbox).toMatchObject([{ text: '', file: FILE, sending: true }]);
    socket.receiveJson({ action: 'PublicMessage', ...ANNA, messageId: 1, text: '📎 shot.png (10 B) /files/AbC_-123', file: lineFile });
    expect(h.session.outbox).toEqual([]);
  });

  it('a refused file drops the line and says so, naming the file', () => {
    const h = harness();
    const notices: string[] = [];
    h.session.on('notice', (n) => notices.push(n.kind === 'send-failed' ? n.reason : n.kind));
    h.session.connect(REQUEST);
    const socket = h.login(ANNA, TOKEN);
    h.session.send({ text: '', toUserId: 0, file: FILE });
    socket.receiveJson({ action: 'Error', code: 'unknown-file', message: 'That file is not yours to send.' });
    expect(h.session.outbox).toEqual([]);
    expect(notices).toEqual(['“📎 shot.png” was not sent: That file is not yours to send.']);
  });

  it('gives the files endpoints’ origin and the token while logged in only', () => {
    const h = harness();
    expect(h.session.fileAccess).toBeUndefined();
    h.session.connect({ ...REQUEST, server: 'wss://chat.example.org:8443/chat' });
    h.login(ANNA, TOKEN);
    expect(h.session.fileAccess).toEqual({ origin: 'https://chat.example.org:8443', sessionToken: 'tok-1' });
    h.session.disconnect();
    expect(h.session.fileAccess).toBeUndefined();
  });
});
