import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect as connectTls } from 'node:tls';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../../src-main/server/cli-args';
import { ChatClient, withTimeout } from '../../support/chat-client';
import { QT_CLIENT_HANDSHAKE } from '../../support/raw-websocket';
import { startTestServer } from './helpers';

// A self-signed certificate for localhost/127.0.0.1/::1, valid 2020–2120 (made with openssl for these tests).
const fixtures = join(__dirname, 'fixtures');
const cert = readFileSync(join(fixtures, 'tls-cert.pem'));
const key = readFileSync(join(fixtures, 'tls-key.pem'));

describe('TLS', () => {
  it('serves wss:// to a client that trusts the certificate', async () => {
    const t = await startTestServer({ tls: { cert, key } });
    expect(t.server.secure).toBe(true);
    const url = `wss://127.0.0.1:${t.port}/?userName=secure`;
    const a = await ChatClient.connect(url, { ca: cert });
    const b = await ChatClient.connect(url, { ca: cert });
    a.say('over tls');
    expect(await b.waitFor((m) => m.action === 'PublicMessage')).toMatchObject({ text: 'over tls', userName: 'secure' });
    expect(b.userName).toBe('secure (2)');
  });

  it('a client that does not trust the certificate fails with a certificate error; the server goes on', async () => {
    const t = await startTestServer({ tls: { cert, key } });
    const untrusting = ChatClient.open(`wss://127.0.0.1:${t.port}/?userName=x`);
    const error = await withTimeout(new Promise<Error>((resolve) => untrusting.ws.once('error', resolve)), 5000, 'the TLS error');
    expect((error as NodeJS.ErrnoException).code).toMatch(/SELF_SIGNED|CERT/);
    const fine = await ChatClient.connect(`wss://127.0.0.1:${t.port}/?userName=y`, { ca: cert });
    expect(fine.userName).toBe('y');
    fine.terminate();
  });

  it('the Qt client’s request line is mended inside TLS too', async () => {
    const t = await startTestServer({ tls: { cert, key } });
    const socket = connectTls({ host: '127.0.0.1', port: t.port, ca: cert, servername: 'localhost' });
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('secureConnect', () => socket.write(QT_CLIENT_HANDSHAKE));
    await withTimeout(
      new Promise<void>((resolve) => socket.on('data', () => received.includes('Authorized') && resolve())),
      5000,
      'Authorized over TLS',
    );
    expect(received).toMatch(/^HTTP\/1\.1 101 /);
    socket.destroy();
  });

  it('serves the web UI over https with its CSP', async () => {
    const t = await startTestServer({ tls: { cert, key }, webRoot: fixtures });
    const status = await withTimeout(
      new Promise<{ code: number; csp: string | undefined }>((resolve, reject) => {
        request({ host: '127.0.0.1', port: t.port, path: '/nothing.html', ca: cert }, (res) => {
          res.resume();
          resolve({ code: res.statusCode ?? 0, csp: res.headers['content-security-policy'] as string | undefined });
        })
          .on('error', reject)
          .end();
      }),
      5000,
      'the https answer',
    );
    expect(status.code).toBe(404);
    expect(status.csp).toContain("default-src 'self'");
  });

  it('has --tls-cert and --tls-key, only together', () => {
    expect(parseCliArgs(['--tls-cert', 'c.pem', '--tls-key', 'k.pem'])).toMatchObject({ kind: 'run', tlsFiles: { cert: 'c.pem', key: 'k.pem' } });
    expect(parseCliArgs(['--tls-cert', 'c.pem']).kind).toBe('usage-error');
  });
});
