// A node:test reporter that the extension passes to learners' test runs
// (`node --test --test-reporter=<this file>`). It prints one protocol line per event
// (src/core/testing/protocol.ts) and nothing else, so the extension can map results to the
// Testing view. It runs inside the learner's Node, 22.18 or later, and imports only Node.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { formatEvent, type FailureDetails, type Location, type ReporterEvent } from '../core/testing/protocol.ts';

interface TestEventData {
  name?: string;
  nesting?: number;
  file?: string;
  line?: number;
  column?: number;
  skip?: boolean | string;
  todo?: boolean | string;
  message?: string;
  details?: { duration_ms?: number; type?: string; error?: unknown };
}

interface TestEvent {
  type: string;
  data: TestEventData;
}

const root = process.cwd();

/** The names of the tests being reported, per file, by nesting level. */
const stacks = new Map<string, string[]>();

function identity(data: TestEventData): { file: string; path: string[]; line?: number; column?: number; suite: boolean } | undefined {
  if (typeof data.name !== 'string') return undefined;
  const file = data.file === undefined ? '' : resolve(root, data.file);
  const nesting = data.nesting ?? 0;
  const stack = stacks.get(file) ?? [];
  const path = [...stack.slice(0, nesting), data.name];
  return {
    file,
    path,
    ...(typeof data.line === 'number' ? { line: data.line } : {}),
    ...(typeof data.column === 'number' ? { column: data.column } : {}),
    suite: data.details?.type === 'suite',
  };
}

function reason(value: boolean | string | undefined): string | undefined {
  if (value === undefined || value === false) return undefined;
  return value === true ? '' : value;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : inspect(value, { depth: 8, breakLength: 60, sorted: true, compact: false });
}

/** The innermost stack frame inside the learner's folder: where the assertion or error happened. */
function locationOf(stack: string | undefined): Location | undefined {
  for (const frame of (stack ?? '').split('\n')) {
    const match = /(?:\(|at )((?:file:\/\/)?\/[^():]+?):(\d+):(\d+)\)?$/.exec(frame.trim());
    if (!match?.[1]) continue;
    const file = match[1].startsWith('file://') ? fileURLToPath(match[1]) : match[1];
    if (file.startsWith(`${root}/`) && !file.includes('/node_modules/')) return { file, line: Number(match[2]), column: Number(match[3]) };
  }
  return undefined;
}

function failure(error: unknown): FailureDetails {
  const outer = (error ?? {}) as { message?: unknown; failureType?: unknown; cause?: unknown; stack?: unknown };
  // node:test wraps what the test threw in an ERR_TEST_FAILURE whose cause is the original.
  const cause = (outer.cause ?? outer) as { message?: unknown; expected?: unknown; actual?: unknown; operator?: unknown; stack?: unknown; code?: unknown };
  const message = typeof cause.message === 'string' ? cause.message : text(cause);
  const stack = typeof cause.stack === 'string' ? cause.stack : undefined;
  const isAssertion = cause.code === 'ERR_ASSERTION' && 'expected' in cause && 'actual' in cause;
  const location = locationOf(stack);
  return {
    message,
    ...(isAssertion ? { expected: text(cause.expected), actual: text(cause.actual) } : {}),
    ...(typeof cause.operator === 'string' ? { operator: cause.operator } : {}),
    ...(typeof outer.failureType === 'string' ? { failureType: outer.failureType } : {}),
    ...(stack ? { stack } : {}),
    ...(location ? { location } : {}),
  };
}

function toProtocol(event: TestEvent): ReporterEvent | undefined {
  const data = event.data;
  switch (event.type) {
    case 'test:start': {
      const file = data.file === undefined ? '' : resolve(root, data.file);
      const stack = stacks.get(file) ?? [];
      stack.length = data.nesting ?? 0;
      stack.push(data.name ?? '');
      stacks.set(file, stack);
      const id = identity(data);
      return id && { type: 'start', ...id };
    }
    case 'test:pass': {
      const id = identity(data);
      const skip = reason(data.skip);
      const todo = reason(data.todo);
      return id && { type: 'pass', ...id, durationMs: data.details?.duration_ms ?? 0, ...(skip === undefined ? {} : { skip }), ...(todo === undefined ? {} : { todo }) };
    }
    case 'test:fail': {
      const id = identity(data);
      const todo = reason(data.todo);
      return id && { type: 'fail', ...id, durationMs: data.details?.duration_ms ?? 0, error: failure(data.details?.error), ...(todo === undefined ? {} : { todo }) };
    }
    case 'test:stdout':
    case 'test:stderr':
      return { type: 'output', stream: event.type === 'test:stdout' ? 'stdout' : 'stderr', text: data.message ?? '', ...(data.file ? { file: resolve(root, data.file) } : {}) };
    case 'test:diagnostic':
      return { type: 'diagnostic', text: data.message ?? '' };
    default:
      return undefined;
  }
}

export default async function* reporter(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  for await (const event of source) {
    const line = toProtocol(event);
    if (line) yield formatEvent(line);
  }
}
