import { it } from 'vitest';
import { ChatClient, chatUrl } from '../../support/chat-client';
import { ProbedServer } from '../../support/probed-server';
it('diag', async () => {
  const server = await ProbedServer.start({ sessionResumeMs: 500, pingIntervalMs: 1000 });
  let serial = 0;
  const join = () => ChatClient.connect(chatUrl(server.port, { userName: `churn ${serial++}` }), {}, 10_000);
  const settle = async () => { while ((await server.memory()).connections > 0) await new Promise(r => setTimeout(r, 50)); await new Promise(r => setTimeout(r, 2600)); return server.memory(); };
  for (let round = 0; round < 4; round++) {
    const crowd: ChatClient[] = [];
    for (let g = 0; g < 10; g++) crowd.push(...(await Promise.all(Array.from({ length: 50 }, join))));
    for (let i = 0; i < 210; i++) crowd[i % crowd.length]!.say(`m ${round} ${i}`);
    await crowd[0]!.waitFor((m) => m.action === 'PublicMessage' && m.text === `m ${round} 209`, 10_000);
    await Promise.all(crowd.map((c, i) => i % 2 ? c.close() : (c.terminate(), Promise.resolve())));
    const m = await settle();
    await server.heapSnapshot('/tmp/snap-' + round + '.heapsnapshot');
    console.log(round, (m.heapUsed/1048576).toFixed(3), JSON.stringify(Object.fromEntries(Object.entries(m.spaces).map(([k,v]) => [k, (v/1024).toFixed(0)]))));
  }
  await server.stop();
}, 120000);
