// A task module with a bad release that fails just after loading: it posts its ready message
// before its asynchronous set-up (here a database connect) has finished, tasks wait for the
// connection, and the connect fails 10 ms later, which kills the thread. worker-pool.ts uses it
// to show that such a thread still counts as a start-up crash: it never answered anything.
import { parentPort } from 'node:worker_threads';
import type { ReadyMessage } from './worker-pool.ts';

const waiting: { id: number }[] = []; // tasks that arrived before the connection (never, here)
parentPort?.on('message', (task: { id: number }) => waiting.push(task));
parentPort?.postMessage({ ready: true } satisfies ReadyMessage); // the bug: too early
setTimeout(() => {
  throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
}, 10);
