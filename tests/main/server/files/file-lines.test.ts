import { describe, expect, it } from 'vitest';
import type { PrivateMessage, PublicMessage, ServerMessage } from '../../../../src-shared/protocol';
import { newIdentitySecret } from '../../../../src-shared/protocol/lasting-identity';
import { RawWebSocket, qtClientHandshake } from '../../../support/raw-websocket';
import { mustJoin } from '../rooms/room-helpers';
import { ATTACKER, PNG_1X1, VICTIM, download, nextErrorAfter, startFilesServer, tokenOf, until, upload } from './file-helpers';
import type { FilesServer } from './file-helpers';
import type { ChatClient } from '../../../support/chat-client';

/*
 * A chat line that carries a file: its `file` comes from the server's records, its text
 * is never empty, it works in the lobby, a room and a private dialog, and only those
 * who can see where it went can fetch it.
 */

async function uploaded(t: FilesServer, client: ChatClient, body: Buffer | string, name: string, from = VICTIM): Promise<string> {
  const answer = await upload(t.port, tokenOf(client), body, name, { from });
  expect(answer.status).toBe(201);
  return String(answer.json!.fileId);
}

const withFile = (fileId: string) => (m: ServerMessage): m is PublicMessage | PrivateMessage =>
  (m.action === 'PublicMessage' || m.action === 'PrivateMessage') && m.file?.fileId === fileId;

describe('a file line', () => {
  it('in the lobby: everyone gets the file from the server’s records (not the client’s), and a text with its name, size and url', async () => {
    const t = await startFilesServer();
    const anna = await t.join('Anna', { localAddress: VICTIM });
    const bob = await t.join('Bob', { localAddress: VICTIM });
    const fileId = await uploaded(t, anna, PNG_1X1, 'cat.png');
    anna.send({ action: 'Message', text: '', toUserId: 0, file: { fileId } });
    const line = await bob.waitFor(withFile(fileId));
    expect(line.file).toEqual({ fileId, name: 'cat.png', size: PNG_1X1.length, type: 'image/png', url: `/files/${fileId}`, width: 1, height: 1 });
    expect(line.text).toBe(`📎 cat.png (${PNG_1X1.length} B) /files/${fileId}`);
    await anna.waitFor(withFile(fileId));
    // Bob sees the lobby: he may fetch it; so may Anna.
    expect((await download(t.port, `/files/${fileId}`, tokenOf(bob))).body.equals(PNG_1X1)).toBe(true);
    expect((await download(t.port, `/files/${fileId}`, tokenOf(anna))).status).toBe(200);
    // A typed text stays the text; the file is beside it.
    const second = await uploaded(t, anna, 'notes', 'notes.txt');
    anna.send({ action: 'Message', text: 'my {Bob} notes', toUserId: 0, file: { fileId: second } });
    const typed = await bob.waitFor(withFile(second));
    expect(typed.text).toBe('my <b>Bob</b> notes');
    expect(typed.file).toMatchObject({ name: 'notes.txt', type: 'application/octet-stream', size: 5 });
  });

  it('the original Qt client reads its name, size and address in the text, under the typed text', async () => {
    const t = await startFilesServer();
    const qt = await RawWebSocket.open(t.port, qtClientHandshake());
    await qt.waitForMessage((m) => m.action === 'Authorized');
    const anna = await t.join('Anna', { localAddress: VICTIM });
    const fileId = await uploaded(t, anna, 'report body', 'report.pdf');
    anna.send({ action: 'Message', text: 'the report', toUserId: 0, file: { fileId } });
    const line = await qt.waitForMessage((m) => m.action === 'PublicMessage');
    expect(line.text).toBe(`the report<br>📎 report.pdf (11 B) /files/${fileId}`);
    // Privately too.
    const other = await uploaded(t, anna, 'x', 'x.txt');
    anna.send({ action: 'Message', text: '', toUserId: 1, file: { fileId: other } });
    const secret = await qt.waitForMessage((m) => m.action === 'PrivateMessage');
    expect(secret.text).toBe(`📎 x.txt (1 B) /files/${other}`);
    qt.destroy();
  });

  it('a `file` that is a string, a number, an array or an object with more fields gets invalid-file, to the sender only', async () => {
    const t = await startFilesServer();
    const mallory = await t.join('Mallory', { localAddress: ATTACKER });
    const victim = await t.join('Victim', { localAddress: VICTIM });
    const fileId = await uploaded(t, mallory, 'x', 'x.txt', ATTACKER);
    const junk: unknown[] = [fileId, 42, [fileId], { fileId, url: 'https://evil.example/x', name: 'free.exe' }, { fileId: 7 }, { id: fileId }, {}];
    for (const file of junk) {
      const at = mallory.mark();
      mallory.send({ action: 'Message', text: 'look', toUserId: 0, file });
      expect((await nextErrorAfter(mallory, at)).code, JSON.stringify(file)).toBe('invalid-file');
    }
    const at = victim.mark();
    victim.say('after the junk');
    await victim.waitFor((m) => m.action === 'PublicMessage' && m.text === 'after the junk', undefined, 'own line', at);
    expect(victim.all('PublicMessage').map((m) => m.text)).toEqual(['after the junk']);
  });

  it('someone else’s file id, an unknown one, or one already sent (to another room) gets unknown-file; nothing is sent', async () => {
    const t = await startFilesServer();
    const anna = await t.join('Anna', { localAddress: VICTIM });
    const mallory = await t.join('Mallory', { localAddress: ATTACKER });
    await mustJoin(anna, 'Ops');
    await mustJoin(anna, 'Dev');
    await mustJoin(mallory, 'Dev');
    const annas = await uploaded(t, anna, 'secret plans', 'plans.txt');
    anna.send({ action: 'Message', text: '', toUserId: 0, room: 'Ops', file: { fileId: annas } });
    await anna.waitFor(withFile(annas));
    const tries: object[] = [
      { action: 'Message', text: 'mine now', toUserId: 0, file: { fileId: annas } },
      { action: 'Message', text: 'mine now', toUserId: 0, room: 'Dev', file: { fileId: annas } },
      { action: 'Message', text: 'mine now', toUserId: 0, file: { fileId: 'A'.repeat(22) } },
    ];
    for (const message of tries) {
      const at = mallory.mark();
      mallory.send(message);
      expect((await nextErrorAfter(mallory, at)).code).toBe('unknown-file');
    }
    // Anna herself may not carry her Ops file into Dev (where Mallory is).
    const at = anna.mark();
    anna.send({ action: 'Message', text: 'oops', toUserId: 0, room: 'Dev', file: { fileId: annas } });
    expect((await nextErrorAfter(anna, at)).code).toBe('unknown-file');
    expect(mallory.messages.some(withFile(annas))).toBe(false);
    expect((await download(t.port, `/files/${annas}`, tokenOf(mallory), { from: ATTACKER })).status).toBe(404);
  });

  it('goes in one line only, and deleting that line deletes its file: gone from disk, 404 for everyone', async () => {
    const t = await startFilesServer();
    const anna = await t.join('Anna', { localAddress: VICTIM });
    const bob = await t.join('Bob', { localAddress: VICTIM });
    const fileId = await uploaded(t, anna, PNG_1X1, 'regret.png');
    anna.send({ action: 'Message', text: 'oops', toUserId: 0, file: { fileId } });
    const line = await bob.waitFor(withFile(fileId));
    let at = anna.mark();
    anna.send({ action: 'Message', text: 'again', toUserId: 0, file: { fileId } });
    expect((await nextErrorAfter(anna, at)).code).toBe('unknown-file');
    // Bob may not delete it (not his line): the file stays.
    at = bob.mark();
    bob.send({ action: 'Delete', messageId: line.messageId });
    expect((await nextErrorAfter(bob, at)).code).toBe('not-author');
    expect((await download(t.port, `/files/${fileId}`, tokenOf(bob))).status).toBe(200);
    at = bob.mark();
    anna.send({ action: 'Delete', messageId: line.messageId });
    await bob.waitFor((m) => m.action === 'MessageDeleted' && m.messageId === line.messageId, undefined, 'the deletion', at);
    expect((await download(t.port, `/files/${fileId}`, tokenOf(bob))).status).toBe(404);
    expect((await download(t.port, `/files/${fileId}`, tokenOf(anna))).status).toBe(404);
    await until(() => t.onDisk().length === 0, 5_000, 'the file to be deleted');
    at = bob.mark();
    bob.send({ action: 'History', before: (line.messageId ?? 0) + 1, limit: 5 });
    const history = await bob.waitFor((m) => m.action === 'History', undefined, 'the History', at);
    expect(JSON.stringify(history)).not.toContain(fileId);
  });

  it('permissions between two rooms and a dialog: only who can see where a file went may fetch it; the rest get the same 404', async () => {
    const t = await startFilesServer();
    const anna = await t.join({ userName: 'Anna', identity: newIdentitySecret() }, { localAddress: VICTIM });
    const bob = await t.join({ userName: 'Bob', identity: newIdentitySecret() }, { localAddress: VICTIM });
    const mallory = await t.join({ userName: 'Mallory', identity: newIdentitySecret() }, { localAddress: ATTACKER });
    await mustJoin(anna, 'Ops');
    await mustJoin(bob, 'Ops');
    await mustJoin(mallory, 'Dev');
    const inOps = await uploaded(t, anna, 'ops file', 'ops.txt');
    anna.send({ action: 'Message', text: '', toUserId: 0, room: 'Ops', file: { fileId: inOps } });
    await bob.waitFor(withFile(inOps));
    const inDialog = await uploaded(t, anna, 'just for bob', 'bob.txt');
    anna.send({ action: 'Message', text: 'for you', toUserId: bob.userId, file: { fileId: inDialog } });
    const dialogLine = await bob.waitFor(withFile(inDialog));
    expect(dialogLine).toMatchObject({ action: 'PrivateMessage', delivery: 'delivered' });
    const notSent = await uploaded(t, anna, 'draft', 'draft.txt');
    for (const fileId of [inOps, inDialog]) expect((await download(t.port, `/files/${fileId}`, tokenOf(bob))).status).toBe(200);
    const unknown = await download(t.port, `/files/${'B'.repeat(22)}`, tokenOf(mallory), { from: ATTACKER });
    expect(unknown.status).toBe(404);
    for (const fileId of [inOps, inDialog, notSent]) {
      const got = await download(t.port, `/files/${fileId}`, tokenOf(mallory), { from: ATTACKER });
      expect(got.status).toBe(404);
      expect(got.body.equals(unknown.body)).toBe(true);
    }
    expect((await download(t.port, `/files/${notSent}`, tokenOf(bob))).status).toBe(404);
    // Bob leaves Ops: its file is no longer his to fetch; the dialog's still is.
    bob.send({ action: 'LeaveRoom', room: 'Ops' });
    await bob.waitFor((m) => m.action === 'RoomLeft');
    expect((await download(t.port, `/files/${inOps}`, tokenOf(bob))).status).toBe(404);
    expect((await download(t.port, `/files/${inDialog}`, tokenOf(bob))).status).toBe(200);
    // The bare url, and a url with a made-up signature, grant nothing.
    expect((await download(t.port, `/files/${inOps}`, null, { from: ATTACKER })).status).toBe(401);
    const forged = `/files/${inOps}?u=${anna.userId}&exp=${Date.now() + 60_000}&sig=${'A'.repeat(43)}`;
    expect((await download(t.port, forged, null, { from: ATTACKER })).status).toBe(403);
  });
});
