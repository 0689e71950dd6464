import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createMdnsTransport, startAdvertiser, startBrowsing } from '../../../src-main/discovery';
import type { AdvertisedRoom, Advertiser } from '../../../src-main/discovery';

/*
 * Runs inside a private network namespace (netns.ts): advertises, browses and starts
 * servers on the parent's orders (one JSON line each on stdin) and reports on stdout,
 * one JSON line per event.
 */

type Order =
  | { do: 'browse' }
  | { do: 'advertise'; id: number; room: AdvertisedRoom }
  | { do: 'unadvertise'; id: number }
  | { do: 'server'; cli: string; args: string[] }
  | { do: 'stop-server' };

const say = (event: object): void => void process.stdout.write(`${JSON.stringify(event)}\n`);
const warn = (message: string): void => say({ warning: message });
const advertisers = new Map<number, Advertiser>();
let server: ChildProcess | null = null;

createInterface({ input: process.stdin }).on('line', (line) => {
  const order = JSON.parse(line) as Order;
  switch (order.do) {
    case 'browse':
      startBrowsing(createMdnsTransport(warn), (rooms) => say({ rooms }));
      break;
    case 'advertise':
      advertisers.set(order.id, startAdvertiser(order.room, createMdnsTransport(warn)));
      say({ advertised: order.id });
      break;
    case 'unadvertise':
      void advertisers.get(order.id)?.stop().then(() => say({ unadvertised: order.id }));
      break;
    case 'server': {
      const child = spawn(process.execPath, [order.cli, ...order.args], { stdio: ['ignore', 'pipe', 'inherit'] });
      server = child;
      createInterface({ input: child.stdout }).on('line', (text) => say({ server: text }));
      child.on('exit', (code) => say({ serverExit: code }));
      break;
    }
    case 'stop-server':
      server?.kill('SIGTERM');
      break;
  }
});
process.stdin.on('end', () => {
  if (server === null || server.exitCode !== null) process.exit(0);
  server.once('exit', () => process.exit(0));
  server.kill('SIGKILL');
});
