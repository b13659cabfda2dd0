// Error classes with `cause`, AggregateError, classification at the edge, and one JSON log
// line per failure that carries the request's context (AsyncLocalStorage) and the whole
// chain of causes.
import { AsyncLocalStorage } from 'node:async_hooks';
import { readFile } from 'node:fs/promises';
import { runInNewContext } from 'node:vm';
import { AppError, UpstreamError, ValidationError, describeChain, isRetryable, serializeError } from './lib/errors.ts';

const context = new AsyncLocalStorage<{ requestId: string; route: string }>();

/**
 * One log line per failure, at the level its status deserves: a 4xx is the client's mistake,
 * logged at warn without a stack; a 5xx (and anything unexpected) is ours, logged at error
 * with the stack of every error in the cause chain. A real logger adds time, pid and host;
 * they are left out here, and the expected output marks each stack as varying text.
 */
function logFailure(message: string, status: number, error: unknown): void {
  const ours = status >= 500;
  const line = {
    level: ours ? 'error' : 'warn',
    msg: message,
    ...context.getStore(),
    status,
    err: serializeError(error, { stack: ours }),
  };
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
        logFailure('request failed', error.status, error);
        console.log(`   ${requestId} -> ${error.status} ${error.code} (retryable: ${error.retryable})`);
      } else {
        // Not an error we modelled: a bug. Answer 500 without details, log everything, and
        // count it; a process that keeps hitting these should be replaced (see the lesson).
        logFailure('unexpected error', 500, error);
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

// 6. What the serializer must survive: a thrown object that is not an Error, an Error from
//    another realm (a vm context: `instanceof Error` is false there), a very wide
//    AggregateError, which is capped (20 errors in total by default) instead of filling the log,
//    and thrown objects built to hurt a logger that copies their fields. It runs inside the edge
//    handler's catch: if it threw there, the request would get no answer at all.
const foreign = runInNewContext('Object.assign(new TypeError("bad input"), { code: "E_SANDBOX" })') as unknown;
console.log(`6. thrown plain object: ${JSON.stringify(serializeError({ code: 'E_QUOTA', message: 'quota exceeded' }))}`);
console.log(`   vm error (instanceof Error: ${foreign instanceof Error}): ${JSON.stringify(serializeError(foreign))}`);
const wide = serializeError(new AggregateError(Array.from({ length: 10_000 }, (_, i) => new Error(`shard ${i} failed`)), 'fan-out failed'));
console.log(`   AggregateError of 10,000: ${(wide.errors as unknown[]).length} serialized, errorsOmitted ${String(wide.errorsOmitted)}, ${JSON.stringify(wide).length} bytes`);
const huge: Record<string, unknown> = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`f${i}`, i]));
huge.message = 'x'.repeat(10_000_000);
const hugeOut = serializeError(huge);
console.log(`   100,000 fields and a 10 MB message: ${JSON.stringify(hugeOut).length} bytes, fieldsOmitted ${String(hugeOut.fieldsOmitted)}, message cut to ${(hugeOut.message).length} chars`);
const trap = { code: 'E_TRAP', get token(): string { throw new Error('getter boom'); } };
console.log(`   a getter that throws: ${JSON.stringify(serializeError(trap))}`);
console.log(`   an own notAnError field: ${JSON.stringify(serializeError({ message: 'not an error either', notAnError: false }))}`);
const bare = Object.assign(Object.create(null) as Record<string, unknown>, { message: 'no prototype' });
console.log(`   describeChain, null-prototype object: "${describeChain(bare)}"; as a cause: "${describeChain(new Error('outer', { cause: bare }))}"`);
const revocable = Proxy.revocable({}, {});
revocable.revoke(); // every trap of a revoked Proxy throws, instanceof included
console.log(`   a revoked Proxy: ${JSON.stringify(serializeError(revocable.proxy))}; describeChain: "${describeChain(revocable.proxy)}"`);
