// Error classes with `cause`, AggregateError, classification at the edge, and one JSON log
// line per failure that carries the request's context (AsyncLocalStorage) and the whole
// chain of causes.
import { AsyncLocalStorage } from 'node:async_hooks';
import { readFile } from 'node:fs/promises';
import { AppError, UpstreamError, ValidationError, describeChain, isRetryable, serializeError } from './lib/errors.ts';

const context = new AsyncLocalStorage<{ requestId: string; route: string }>();

function logError(message: string, error: unknown): void {
  // A real logger adds time, pid and host, and keeps the stack; it is left out here so that
  // the output is the same on every run.
  const line = { level: 'error', msg: message, ...context.getStore(), err: serializeError(error, { stack: false }) };
  console.log(JSON.stringify(line));
}

// 1. A system error from Node: the fields that matter are properties, not the message.
async function loadConfig(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new AppError(`cannot load config ${path}`, { code: 'CONFIG_UNREADABLE', cause: error });
  }
}
try {
  await loadConfig('service-config.json'); // does not exist in the temporary working folder
} catch (error) {
  const cause = (error as AppError).cause as NodeJS.ErrnoException;
  console.log('1.', describeChain(error));
  console.log(`   cause.code=${cause.code} cause.syscall=${cause.syscall} retryable=${isRetryable(error)}`);
  console.log(`   JSON.stringify(error) = ${JSON.stringify(error)}`);
  console.log(`   JSON.stringify(new Error('x')) = ${JSON.stringify(new Error('x'))}`);
}

// 2. Wrapping at a boundary keeps the low-level error and adds meaning.
async function reserveStock(sku: string): Promise<void> {
  const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', syscall: 'read' });
  throw new UpstreamError('inventory', `reserve ${sku} failed`, { retryable: isRetryable(reset), cause: reset });
}

// 3. Two replicas, both failing: Promise.any rejects with an AggregateError of every reason.
async function readFromAnyReplica(): Promise<string> {
  const replica = async (name: string, error: Error): Promise<string> => {
    throw new UpstreamError(name, `${name} unavailable`, { retryable: true, cause: error });
  };
  return Promise.any([
    replica('replica-a', new Error('connect ECONNREFUSED')),
    replica('replica-b', new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
  ]);
}

// The edge of the service: the only place that turns errors into responses and log lines.
async function handle(route: string, requestId: string, work: () => Promise<unknown>): Promise<void> {
  await context.run({ requestId, route }, async () => {
    try {
      await work();
      console.log(`   ${requestId} -> 200`);
    } catch (error) {
      if (error instanceof AppError) {
        logError('request failed', error);
        console.log(`   ${requestId} -> ${error.status} ${error.code} (retryable: ${error.retryable})`);
      } else {
        // Not an error we modelled: a bug. Answer 500 without details, log everything, and
        // count it; a process that keeps hitting these should be replaced (see the lesson).
        logError('unexpected error', error);
        console.log(`   ${requestId} -> 500 INTERNAL`);
      }
    }
  });
}

console.log('2. wrapped upstream failure');
await handle('POST /orders', 'req-1', () => reserveStock('sku-42'));

console.log('3. every replica failed');
await handle('GET /profile', 'req-2', async () => {
  try {
    return await readFromAnyReplica();
  } catch (error) {
    throw new UpstreamError('profile-store', 'no replica answered', { retryable: true, cause: error });
  }
});

console.log('4. invalid input and a programmer error');
await handle('POST /orders', 'req-3', async () => {
  throw new ValidationError('quantity must be a positive integer');
});
await handle('GET /orders/7', 'req-4', async () => {
  const order = undefined as unknown as { total: number };
  return order.total; // TypeError: a bug, not an operational failure
});

// 5. Settling a batch: allSettled never rejects, so each failure is handled on its own.
const results = await Promise.allSettled([Promise.resolve('a'), Promise.reject(new ValidationError('bad b')), Promise.resolve('c')]);
console.log('5.', results.map((result) => (result.status === 'fulfilled' ? result.value : `failed(${(result.reason as AppError).code})`)).join(', '));
