/**
 * The load generator: a child process of bench/run.ts that runs one scenario
 * against one server and reports over IPC. It lives in its own process (pinned to
 * its own core when taskset exists) so it never shares a core with the server.
 */
import type { CheckpointName, FromGenerator, LoadResult, ToGenerator } from './types';
import { runFanout, runIdle, runStorm } from './load/scenarios';

function tell(message: FromGenerator): void {
  process.send?.(message);
}

let answerCheckpoint: (() => void) | undefined;

function checkpoint(name: CheckpointName): Promise<void> {
  return new Promise((resolve) => {
    answerCheckpoint = resolve;
    tell({ type: 'checkpoint', name });
  });
}

async function run(url: string, spec: Extract<ToGenerator, { type: 'run' }>['spec']): Promise<LoadResult> {
  switch (spec.kind) {
    case 'fanout':
      return runFanout(url, spec, checkpoint);
    case 'storm':
      return runStorm(url, spec, checkpoint);
    case 'idle':
      return runIdle(url, spec, checkpoint);
  }
}

if (!process.send) {
  console.error('load-generator: run me from bench/run (I need an IPC channel)');
  process.exit(2);
}

// The orchestrator gone (or done with us) means nobody wants more figures: stop at once.
process.on('disconnect', () => process.exit(1));

process.on('message', (message: ToGenerator) => {
  if (message.type === 'continue') {
    const answer = answerCheckpoint;
    answerCheckpoint = undefined;
    answer?.();
    return;
  }
  // Either way the clients stay open until the orchestrator has stopped the server and ends this process.
  run(message.url, message.spec).then(
    (result) => tell({ type: 'result', result }),
    (error: unknown) => tell({ type: 'failed', message: error instanceof Error ? error.message : String(error) }),
  );
});
