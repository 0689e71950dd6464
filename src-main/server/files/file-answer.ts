import type { ServerResponse } from 'node:http';
import type { FileErrorCode } from '../../../src-shared/protocol';

/*
 * The JSON answers of the files endpoints: `{"error":"<code>","message":"…"}` for every
 * refusal, with headers that keep a browser from reading any of it as a page.
 */

const JSON_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'application/json; charset=utf-8',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "sandbox; default-src 'none'",
  'Cache-Control': 'no-store',
};

export function answerJson(res: ServerResponse, status: number, body: object, extra: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const bytes = Buffer.from(JSON.stringify(body), 'utf8');
  res.writeHead(status, { ...JSON_HEADERS, 'Content-Length': String(bytes.length), ...extra });
  res.end(res.req.method === 'HEAD' ? undefined : bytes);
}

/**
 * A refusal. `close`: the request's body is not read (too large, too slow), so the
 * connection cannot carry another request: it is closed once the answer is out.
 */
export function refuseFile(
  res: ServerResponse,
  status: number,
  error: FileErrorCode,
  message: string,
  options: { close?: boolean; headers?: Record<string, string> } = {},
): void {
  const extra = { ...options.headers };
  if (options.close === true) extra.Connection = 'close';
  answerJson(res, status, { error, message }, extra);
}
