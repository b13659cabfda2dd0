// A task module with a bad start-up: it needs a file that is not there yet (a volume not
// mounted, a model not downloaded) and throws while loading, before it can answer anything
// or say it is ready. worker-pool.ts uses it to show the pool's respawn backoff, its crash-loop
// breaker, and the probe that closes the breaker once the file appears.
import { existsSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { ReadyMessage } from './worker-pool.ts';

const modelFile = process.env.POOL_DEMO_MODEL_FILE ?? '';
if (!existsSync(modelFile)) {
  throw Object.assign(new Error(`model file ${modelFile === '' ? '(not configured)' : 'missing'}`), { code: 'ERR_CONFIG' });
}
parentPort?.on('message', (task: { id: number }) => parentPort?.postMessage({ id: task.id, ok: true, value: 1 }));
parentPort?.postMessage({ ready: true } satisfies ReadyMessage);
