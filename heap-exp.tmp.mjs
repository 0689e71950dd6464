import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
const N = Number(process.argv[2] ?? 2000);
const dir = mkdtempSync(join(tmpdir(), 'heap-'));
const script = process.argv[3] ?? 'dist/server/cli.js';
const args = script.includes('yardstick') ? ['--host', '127.0.0.1', '--port', '0'] : ['--host', '127.0.0.1', '--port', '0', '--no-web-root'];
const server = spawn(process.execPath, ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`, script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise((res) => server.stdout.on('data', (d) => { const m = /:(\d+)/.exec(String(d)); if (m) res(Number(m[1])); }));
console.log('port', port);
async function snap(label) {
  const before = new Set(readdirSync(dir));
  server.kill('SIGUSR2');
  for (;;) { await new Promise((r) => setTimeout(r, 500)); const f = readdirSync(dir).find((x) => !before.has(x) && x.endsWith('.heapsnapshot')); if (f) { await new Promise((r) => setTimeout(r, 3000)); return join(dir, f); } }
}
function summarize(file) {
  const s = JSON.parse(readFileSync(file, 'utf8'));
  const f = s.snapshot.meta.node_fields; const types = s.snapshot.meta.node_types[0];
  const nf = f.length; const iType = f.indexOf('type'), iName = f.indexOf('name'), iSize = f.indexOf('self_size');
  const agg = new Map();
  for (let i = 0; i < s.nodes.length; i += nf) {
    const key = types[s.nodes[i + iType]] + ':' + (types[s.nodes[i + iType]] === 'string' ? '' : s.strings[s.nodes[i + iName]].slice(0, 50));
    const a = agg.get(key) ?? [0, 0]; a[0]++; a[1] += s.nodes[i + iSize]; agg.set(key, a);
  }
  return agg;
}
const base = summarize(await snap('base'));
const clients = [];
for (let i = 0; i < N; i++) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/?userName=u${i}&gender=1&userColor=%23112233`);
  ws.on('message', (d) => { const t = String(d); if (t.includes('"Ping"')) ws.send('{"action":"Pong"}'); });
  await new Promise((r) => ws.once('open', r));
  clients.push(ws);
}
await new Promise((r) => setTimeout(r, 3000));
const full = summarize(await snap('full'));
const rows = [];
for (const [k, [c, b]] of full) { const [c0, b0] = base.get(k) ?? [0, 0]; rows.push([k, (c - c0) / N, (b - b0) / N]); }
rows.sort((a, b) => b[2] - a[2]);
let total = 0; for (const r of rows) total += r[2];
console.log('bytes/conn total', Math.round(total));
for (const r of rows.slice(0, 45)) console.log(r[2].toFixed(0).padStart(6), r[1].toFixed(2).padStart(6), r[0]);
server.kill('SIGTERM');
process.exit(0);
