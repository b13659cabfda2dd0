// Loaded with `--import` into every test process of a run the extension starts, and only
// there (NODE_TEST_CONTEXT is set in a test file's own process; the runner's parent process
// loads it too, and must not gain a test of its own).
// - node:test reports a file's events only when that file's process ends, so a test that hangs
//   would never be named: a root hook tells the reporter, as it happens, which test begins.
// - What `assert.throws`/`rejects` expected (a class, a pattern) cannot cross to the reporter's
//   process (functions do not serialize): a failed one gets it as text.
import assert from 'node:assert';
import { syncBuiltinESMExports } from 'node:module';
import { beforeEach } from 'node:test';
import { formatEvent } from '../core/testing/wire.ts';

function describeExpectation(value: unknown): string | undefined {
  if (typeof value === 'function') {
    const name = (value as { name?: unknown }).name;
    return typeof name === 'string' && /^[A-Z]/.test(name) ? `an instance of ${name}` : 'an error accepted by the validation function';
  }
  if (value instanceof RegExp) return `an error whose message matches ${String(value)}`;
  return undefined;
}

function explained<F extends (...args: never[]) => unknown>(original: F): F {
  return function (this: unknown, ...args: Parameters<F>) {
    const tell = (error: unknown): never => {
      if (error instanceof assert.AssertionError) {
        const text = describeExpectation(error.expected);
        if (text) error.expected = text;
      }
      throw error;
    };
    try {
      const result = original.apply(this, args);
      return result instanceof Promise ? result.catch(tell) : result;
    } catch (error) {
      return tell(error);
    }
  } as F;
}

if (process.env.NODE_TEST_CONTEXT !== undefined) {
  beforeEach((context) => {
    const { filePath, fullName } = context as typeof context & { filePath?: string; fullName?: string };
    if (typeof filePath !== 'string' || typeof fullName !== 'string') return;
    process.stdout.write(formatEvent({ type: 'running', file: filePath, path: fullName.split(' > ') }));
  });
  for (const target of [assert, assert.strict]) {
    target.throws = explained(target.throws);
    target.rejects = explained(target.rejects);
  }
  syncBuiltinESMExports();
}
