/**
 * Issue 14's file figures, on their own (`node scripts/build.mjs server bench && node
 * dist/bench/files-bench.js [--quick]`):
 *  - upload MB/s: a 100 MiB file with curl to the real server's POST /files, and to a plain
 *    Node http server that discards the body, in the same run; the server's RSS sampled
 *    during the upload (it should stay flat: the body is streamed, never held);
 *  - fan-out p99 while 25 MiB uploads run, against the same fan-out without them (target:
 *    no worse than 110%).
 * Prints one JSON object and a few lines for people; the exit code says whether the
 * targets held.
 */
import { execFile, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { ServerProcess, killAllChildren } from './server-process';

const quick = process.argv.includes('--quick');
const BIG_MIB = quick ? 20 : 100;
const FANOUT_FILE_MIB = 25;
const FANOUT_CLIENTS = quick ? 20 : 100;
const FANOUT_RATE_PER_SEC = 200;
const FANOUT_WINDOW_MS = quick ? 1_500 : 4_000;
const MIB = 1024 * 1024;

async function writeRandomFile(path: string, mib: number): Promise<void> {
  const out = createWriteStream(path);
  const chunk = randomBytes(MIB);
  for (let i = 0; i < mib; i++) if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

/** curl's upload time and speed (bytes/s) for a POST of `file`. */
function curlUpload(url: string, file: string, headers: string[]): Promise<{ seconds: number; bytesPerSec: number; status: number }> {
  const args = ['-s', '-o', '/dev/null', '-w', '%{time_total} %{speed_upload} %{http_code}', '--data-binary', `@${file}`, '-H', 'Content-Type: application/octet-stream'];
  for (const h of headers) args.push('-H', h);
  args.push(url);
  return new Promise((resolve, reject) => {
    execFile('curl', args, { maxBuffer: 1 << 20 }, (error, stdout) => {
      if (error) return reject(error);
      const [t, s, code] = stdout.trim().split(' ');
      resolve({ seconds: Number(t), bytesPerSec: Number(s), status: Number(code) });
    });
  });
}

/** A plain Node http server that reads and drops every body: the yardstick for upload speed. */
function startSink(): Promise<{ port: number; stop: () => void }> {
  const code = "require('http').createServer((q,s)=>{q.resume();q.on('end',()=>s.end('ok'))}).listen(0,'127.0.0.1',function(){console.log(this.address().port)})";
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => {
    child.stdout.once('data', (d: Buffer) => resolve({ port: Number(String(d).trim()), stop: () => child.kill('SIGKILL') }));
  });
}

function connect(url: string): Promise<{ ws: WebSocket; token: string; userId: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('error', reject);
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { action: string; sessionToken?: string; userId?: number };
      if (m.action === 'Ping') ws.send('{"action":"Pong"}');
      if (m.action === 'Authorized') resolve({ ws, token: m.sessionToken!, userId: m.userId! });
    });
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Sends timed lines from one client for `ms` and collects every receiver's latency (ms). */
async function fanoutWindow(sender: WebSocket, receivers: WebSocket[], ms: number, during: () => Promise<void>): Promise<number[]> {
  const latencies: number[] = [];
  const onMessage = (data: WebSocket.RawData): void => {
    const text = String(data);
    const at = text.indexOf('"text":"t');
    if (at < 0) return;
    const sentAt = Number(text.slice(at + 9, text.indexOf('"', at + 9)));
    latencies.push(performance.now() - sentAt);
  };
  for (const r of receivers) r.on('message', onMessage);
  let sending = true;
  const sendLoop = (async () => {
    while (sending) {
      sender.send(JSON.stringify({ action: 'Message', text: `t${performance.now()}`, toUserId: 0 }));
      await new Promise((r) => setTimeout(r, 1000 / FANOUT_RATE_PER_SEC));
    }
  })();
  const load = during();
  await new Promise((r) => setTimeout(r, ms));
  sending = false;
  await sendLoop;
  await load;
  await new Promise((r) => setTimeout(r, 200));
  for (const r of receivers) r.off('message', onMessage);
  return latencies.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'simplechat-files-bench-'));
  const sink = await startSink();
  const server = await ServerProcess.start({
    script: 'dist/server/cli.js',
    args: [
      '--host', '127.0.0.1', '--port', '0', '--no-web-root', '--files-dir', join(dir, 'files'),
      '--rate-burst', '10000', '--rate-per-second', '100000', '--max-file-size', String(200 * MIB),
      '--files-quota-per-user', String(100 * 1024 * MIB), '--files-max-total', String(100 * 1024 * MIB),
      '--upload-burst', '1000', '--uploads-per-minute', '100000', '--max-parallel-uploads', '100',
    ],
    inspect: true,
  });
  try {
    const base = server.url;
    const httpBase = base.replace('ws://', 'http://');
    const big = join(dir, 'big.bin');
    await writeRandomFile(big, BIG_MIB);
    const uploader = await connect(`${base}/?userName=uploader`);
    const auth = [`Authorization: Bearer ${uploader.token}`, 'X-File-Name: big.bin'];

    const before = await server.settledMemory();
    const rssBefore = before.rssKiB;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, server.rssKiB())), 20);
    const ours = await curlUpload(`${httpBase}/files`, big, auth);
    clearInterval(sampler);
    const after = await server.settledMemory();
    const plain = await curlUpload(`http://127.0.0.1:${sink.port}/`, big, []);

    const medium = join(dir, 'medium.bin');
    await writeRandomFile(medium, FANOUT_FILE_MIB);
    const clients = await Promise.all(Array.from({ length: FANOUT_CLIENTS }, (_, i) => connect(`${base}/?userName=c${i}`)));
    const sender = clients[0]!.ws;
    const receivers = clients.slice(1).map((c) => c.ws);
    const calm = await fanoutWindow(sender, receivers, FANOUT_WINDOW_MS, async () => {});
    let uploads = 0;
    const busy = await fanoutWindow(sender, receivers, FANOUT_WINDOW_MS, async () => {
      const end = performance.now() + FANOUT_WINDOW_MS;
      while (performance.now() < end && uploads < 12) {
        await curlUpload(`${httpBase}/files`, medium, auth);
        uploads++;
      }
    });
    for (const c of [...clients, uploader]) c.ws.close();

    const result = {
      upload: {
        mib: BIG_MIB,
        status: ours.status,
        simplechatMBps: ours.bytesPerSec / 1e6,
        plainNodeMBps: plain.bytesPerSec / 1e6,
        ratio: ours.bytesPerSec / plain.bytesPerSec,
        rssBeforeMiB: rssBefore / 1024,
        rssPeakMiB: rssPeak / 1024,
        rssAfterGcMiB: after.rssKiB / 1024,
        heapBeforeMiB: (before.heapUsedKiB ?? NaN) / 1024,
        heapAfterGcMiB: (after.heapUsedKiB ?? NaN) / 1024,
      },
      fanout: {
        clients: FANOUT_CLIENTS,
        ratePerSec: FANOUT_RATE_PER_SEC,
        uploadsDuring: uploads,
        calm: { n: calm.length, p50: percentile(calm, 50), p99: percentile(calm, 99) },
        busy: { n: busy.length, p50: percentile(busy, 50), p99: percentile(busy, 99) },
        p99Ratio: percentile(busy, 99) / percentile(calm, 99),
      },
    };
    console.log(JSON.stringify(result));
    console.log(
      `upload ${BIG_MIB} MiB: SimpleChat ${result.upload.simplechatMBps.toFixed(0)} MB/s, plain Node ${result.upload.plainNodeMBps.toFixed(0)} MB/s ` +
        `(${(result.upload.ratio * 100).toFixed(0)}%); RSS ${result.upload.rssBeforeMiB.toFixed(0)} → peak ${result.upload.rssPeakMiB.toFixed(0)} → ` +
        `${result.upload.rssAfterGcMiB.toFixed(0)} MiB after a GC; heap ${result.upload.heapBeforeMiB.toFixed(1)} → ${result.upload.heapAfterGcMiB.toFixed(1)} MiB`,
    );
    console.log(
      `fan-out p99 ${result.fanout.calm.p99.toFixed(2)} ms calm, ${result.fanout.busy.p99.toFixed(2)} ms during ${uploads} × ${FANOUT_FILE_MIB} MiB uploads ` +
        `(${(result.fanout.p99Ratio * 100).toFixed(0)}%; target ≤ 110%)`,
    );
    process.exitCode = ours.status === 201 && result.fanout.p99Ratio <= 1.1 ? 0 : 1;
  } finally {
    await server.stop();
    sink.stop();
    killAllChildren();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  killAllChildren();
  process.exit(70);
});
