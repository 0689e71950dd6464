import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../../src-shared/protocol';
import { ChatClient, chatUrl, withTimeout } from '../../support/chat-client';
import { ensureBuilt } from '../../support/build';
import { RawWebSocket, qtClientHandshake } from '../../support/raw-websocket';

const root = resolve(__dirname, '../../..');
const cli = join(root, 'dist/server/cli.js');

// `npm test` builds first; a targeted run builds the server itself when dist is missing or stale.
beforeAll(() => ensureBuilt('server'), 60_000);

interface Cli {
  child: ChildProcess;
  stdout: string[];
  stderr: () => string;
  /** Resolves with the first stdout line. */
  firstLine: Promise<string>;
  exited: Promise<number | null>;
  /** Resolves once a stdout line matches. */
  lineMatching(pattern: RegExp): Promise<string>;
}

const children = new Set<ChildProcess>();
afterEach(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
});

function runCli(args: string[]): Cli {
  const child = spawn(process.execPath, [cli, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const stdout: string[] = [];
  let stderr = '';
  let partial = '';
  const watchers: Array<() => void> = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    stdout.push(...lines);
    for (const wake of watchers.splice(0)) wake();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const lineMatching = async (pattern: RegExp): Promise<string> => {
    for (;;) {
      const line = stdout.find((l) => pattern.test(l));
      if (line !== undefined) return line;
      if (child.exitCode !== null) throw new Error(`exited (${child.exitCode}) before printing ${pattern}: ${stderr}`);
      await withTimeout(
        Promise.race([new Promise<void>((resolve) => watchers.push(resolve)), exited.then(() => undefined)]),
        10_000,
        `a line matching ${pattern}`,
      );
    }
  };
  const firstLine = (async () => {
    await lineMatching(/./);
    return stdout[0]!;
  })();
  firstLine.catch(() => {});
  return { child, stdout, stderr: () => stderr, firstLine, exited, lineMatching };
}

const LISTENING = /^SimpleChat server listening on ws:\/\/127\.0\.0\.1:(\d+)$/;

async function startCli(extra: string[] = []): Promise<{ cli: Cli; port: number }> {
  const cli = runCli(['--host', '127.0.0.1', '--port', '0', ...extra]);
  const first = await withTimeout(cli.firstLine, 10_000, 'the listening line');
  const match = LISTENING.exec(first);
  expect(match, `first line was: ${first}`).not.toBeNull();
  return { cli, port: Number(match![1]) };
}

describe('simplechat-server (the built CLI)', () => {
  it('prints exactly the listening line first, then one line per join and leave', async () => {
    const { cli, port } = await startCli(['--no-web-root']);
    const a = await ChatClient.connect(chatUrl(port, { userName: 'Аня' }));
    const b = await ChatClient.connect(chatUrl(port, { userName: 'Bob' }));
    a.say('hi');
    await b.waitFor((m) => m.action === 'PublicMessage' && m.text === 'hi');
    await cli.lineMatching(/join #1 "Аня" from 127\.0\.0\.1/);
    await b.close();
    await cli.lineMatching(/leave #2 "Bob"/);
    a.terminate();
  });

  it('--allow-peers 10.0.0.0/8 keeps loopback out with 4003 and the reason; --local-network-only lets it in', async () => {
    const { port } = await startCli(['--no-web-root', '--allow-peers', '10.0.0.0/8']);
    const outsider = ChatClient.open(chatUrl(port, { userName: 'Mallory' }));
    expect(await outsider.waitForClose()).toEqual({ code: CloseCode.forbidden, reason: 'This room accepts only the local network' });
    const local = await startCli(['--no-web-root', '--local-network-only']);
    const a = await ChatClient.connect(chatUrl(local.port, { userName: 'Ann' }));
    expect(a.userName).toBe('Ann');
    a.terminate();
  });

  it('serves the original Qt client’s handshake', async () => {
    const { port } = await startCli(['--no-web-root']);
    const qt = await RawWebSocket.open(port, qtClientHandshake());
    expect(await qt.waitForMessage((m) => m.action === 'Authorized')).toMatchObject({ userName: 'Инкогнито' });
    qt.destroy();
  });

  it('logs a loss after missed pings, with the ping interval flag', async () => {
    const { cli, port } = await startCli(['--ping-interval-ms', '50', '--no-web-root']);
    const silent = await ChatClient.connect(chatUrl(port, { userName: 'silent' }), { answerPings: false });
    await cli.lineMatching(/lost #1 "silent": 3 pings unanswered/);
    await silent.waitForClose();
  });

  it('on SIGTERM closes every client with 1001 and exits 0', async () => {
    const { cli, port } = await startCli(['--no-web-root']);
    const a = await ChatClient.connect(chatUrl(port, { userName: 'a' }));
    const b = await ChatClient.connect(chatUrl(port, { userName: 'b' }));
    cli.child.kill('SIGTERM');
    expect(await a.waitForClose()).toEqual({ code: CloseCode.goingAway, reason: 'Server shutting down' });
    expect((await b.waitForClose()).code).toBe(CloseCode.goingAway);
    expect(await withTimeout(cli.exited, 10_000, 'exit')).toBe(0);
  });

  it('keeps serving when whoever read its output goes away (a closed pipe)', async () => {
    const { cli, port } = await startCli(['--no-web-root']);
    cli.child.stdout!.destroy();
    for (const userName of ['a', 'b', 'c']) {
      const client = await ChatClient.connect(chatUrl(port, { userName }));
      await client.close();
    }
    const last = await ChatClient.connect(chatUrl(port, { userName: 'last' }));
    expect(last.userName).toBe('last');
    expect(cli.child.exitCode).toBeNull();
    cli.child.kill('SIGTERM');
    expect(await withTimeout(cli.exited, 10_000, 'exit')).toBe(0);
  });

  it('on SIGINT exits 0 too', async () => {
    const { cli } = await startCli(['--no-web-root']);
    cli.child.kill('SIGINT');
    expect(await withTimeout(cli.exited, 10_000, 'exit')).toBe(0);
  });

  it('says clearly that the port is in use and exits 1', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const cli = runCli(['--host', '127.0.0.1', '--port', String(port)]);
      expect(await withTimeout(cli.exited, 10_000, 'exit')).toBe(1);
      expect(cli.stderr()).toContain(`Port ${port} is already in use on 127.0.0.1`);
      expect(cli.stdout.filter((line) => line !== '')).toEqual([]);
    } finally {
      blocker.close();
    }
  });

  it('prints usage and exits 2 on a bad flag', async () => {
    const cli = runCli(['--port', 'eleven']);
    expect(await withTimeout(cli.exited, 10_000, 'exit')).toBe(2);
    expect(cli.stderr()).toContain('--port needs a whole number');
    expect(cli.stderr()).toContain('Usage: simplechat-server');
  });

  it('--help lists every flag and exits 0', async () => {
    const cli = runCli(['--help']);
    expect(await withTimeout(cli.exited, 10_000, 'exit')).toBe(0);
    const help = cli.stdout.join('\n');
    for (const flag of [
      '--host', '--port', '--ping-interval-ms', '--max-connections', '--max-connections-per-ip', '--max-sockets-per-ip', '--keep-alive-timeout-ms', '--rate-burst',
      '--rate-per-second', '--max-buffered-bytes', '--handshake-timeout-ms', '--max-frame-bytes',
      '--default-user-name', '--no-loopback-exemption', '--web-root', '--no-web-root', '--session-resume-ms', '--presence-grace-ms', '--state-file',
      '--room-key', '--allow-origin', '--tls-cert', '--tls-key', '--trust-proxy', '--join-burst', '--joins-per-second',
      '--key-tries-per-address', '--key-tries-per-room', '--key-try-window-ms', '--key-lockout-max-ms', '--local-network-only', '--allow-peers',
      '--db', '--history-max-lines', '--history-max-days',
    ]) {
      expect(help).toContain(flag);
    }
  });

  it('with --tls-cert and --tls-key listens on wss://', async () => {
    const fixtures = join(root, 'tests/main/server/fixtures');
    const cli = runCli(['--host', '127.0.0.1', '--port', '0', '--no-web-root', '--tls-cert', join(fixtures, 'tls-cert.pem'), '--tls-key', join(fixtures, 'tls-key.pem')]);
    const first = await withTimeout(cli.firstLine, 10_000, 'the listening line');
    const port = Number(/^SimpleChat server listening on wss:\/\/127\.0\.0\.1:(\d+)$/.exec(first)?.[1]);
    expect(port).toBeGreaterThan(0);
    const client = await ChatClient.connect(`wss://127.0.0.1:${port}/?userName=tls`, { ca: readFileSync(join(fixtures, 'tls-cert.pem')) });
    expect(client.userName).toBe('tls');
    client.terminate();
  });

  it('exits 2 when the TLS files cannot be read', async () => {
    const cli = runCli(['--port', '0', '--tls-cert', '/nonexistent/cert.pem', '--tls-key', '/nonexistent/key.pem']);
    expect(await withTimeout(cli.exited, 10_000, 'exit')).toBe(2);
    expect(cli.stderr()).toContain('cannot read the TLS files');
  });

  it('serves a web root given with --web-root', async () => {
    const { port } = await startCli(['--web-root', join(root, 'tests/main/server')]);
    const response = await fetch(`http://127.0.0.1:${port}/nothing-here.html`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
  });
});
