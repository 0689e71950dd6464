import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { ClientRequest, IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { ServerConfig } from '../../../../src-main/server';
import { startTestServer } from '../helpers';
import type { TestServer } from '../helpers';
import type { ChatClient } from '../../../support/chat-client';
import type { ErrorMessage, ServerMessage } from '../../../../src-shared/protocol';

/*
 * Real HTTP(S) against a real server: uploads and downloads with node:http (no agent, so
 * every request is its own connection), from the attacker's or the victim's address.
 */

export const ATTACKER = '127.0.0.1';
export const VICTIM = '127.0.0.2';

const dirs: string[] = [];
afterEach(() => {
  // A database's checkpointer may still be closing its files: retried.
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
});

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'simplechat-files-test-'));
  dirs.push(dir);
  return dir;
}

export interface FilesServer extends TestServer {
  filesDir: string;
  /** Every name in the files folder (partial uploads included). */
  onDisk(): string[];
}

export async function startFilesServer(config: Partial<ServerConfig> = {}): Promise<FilesServer> {
  const filesDir = config.filesDir ?? join(tempDir(), 'files');
  const t = await startTestServer({ exemptLoopbackFromIpLimit: false, presenceGraceMs: 0, filesDir, ...config });
  return { ...t, filesDir, onDisk: () => readdirSync(filesDir).sort() };
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The body as JSON, or null. */
  json: Record<string, unknown> | null;
}

export interface RequestOptions {
  method?: string;
  headers?: OutgoingHttpHeaders;
  body?: Buffer | string;
  from?: string;
  secure?: boolean;
}

export function httpCall(port: number, path: string, options: RequestOptions = {}): Promise<HttpAnswer> {
  const make = options.secure === true ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = make(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers,
        localAddress: options.from ?? VICTIM,
        agent: false,
        rejectUnauthorized: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          let json: Record<string, unknown> | null = null;
          try {
            json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
          } catch {
            json = null;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export function upload(
  port: number,
  token: string | null,
  body: Buffer | string,
  name = 'file.bin',
  options: RequestOptions & { type?: string } = {},
): Promise<HttpAnswer> {
  const headers: OutgoingHttpHeaders = { 'Content-Type': options.type ?? 'application/octet-stream', 'X-File-Name': encodeURIComponent(name), ...options.headers };
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  return httpCall(port, '/files', { ...options, method: 'POST', headers, body });
}

export function download(port: number, url: string, token: string | null, options: RequestOptions = {}): Promise<HttpAnswer> {
  const headers: OutgoingHttpHeaders = { ...options.headers };
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  return httpCall(port, url, { ...options, headers });
}

export function tokenOf(client: ChatClient): string {
  const token = client.authorized.sessionToken;
  if (token === undefined) throw new Error('no session token in Authorized');
  return token;
}

/** A 1×1 PNG. */
export const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

export function nextErrorAfter(client: ChatClient, after: number): Promise<ErrorMessage> {
  return client.waitFor((m: ServerMessage): m is ErrorMessage => m.action === 'Error', undefined, 'an Error', after);
}

/** An upload whose body the test writes itself: headers go at once; `answer` resolves when the server answers (or the connection ends). */
export function openUpload(
  port: number,
  token: string,
  headers: OutgoingHttpHeaders,
  from = VICTIM,
): { req: ClientRequest; answer: Promise<HttpAnswer | 'closed'> } {
  const req = httpRequest({
    host: '127.0.0.1',
    port,
    path: '/files',
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'X-File-Name': 'slow.bin', ...headers },
    localAddress: from,
    agent: false,
  });
  const answer = new Promise<HttpAnswer | 'closed'>((resolve) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      const done = (): void => {
        const body = Buffer.concat(chunks);
        let json: Record<string, unknown> | null = null;
        try {
          json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
        } catch {
          json = null;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
      };
      res.on('end', done);
      res.on('error', done);
    });
    req.on('error', () => resolve('closed'));
    req.on('close', () => setTimeout(() => resolve('closed'), 50));
  });
  req.flushHeaders();
  return { req, answer };
}

/** Waits (bounded) until the files folder holds exactly `names`. */
export async function untilOnDisk(t: FilesServer, names: string[], timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const want = [...names].sort();
  for (;;) {
    const now = t.onDisk();
    if (JSON.stringify(now) === JSON.stringify(want)) return;
    if (Date.now() > deadline) throw new Error(`files folder holds ${JSON.stringify(now)}, not ${JSON.stringify(want)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits (bounded) until `condition` holds. */
export async function until(condition: () => boolean, timeoutMs = 5_000, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
