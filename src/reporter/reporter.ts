// A node:test reporter that the extension passes to learners' test runs
// (`node --test --test-reporter=<this file>`). It prints one protocol line per event
// (src/core/testing/protocol.ts) and nothing else, so the extension can map results to the
// Testing view. It runs inside the learner's Node, 22.18 or later, and imports only Node and
// the stack parser.
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { TestEvent } from 'node:test/reporters';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { parse } from 'stacktrace-parser';
import type { FailureFrame, ReporterEventInput } from '../core/testing/protocol.ts';
import { formatEvent, LINE_PREFIX } from '../core/testing/wire.ts';

type Failure = Extract<ReporterEventInput, { type: 'fail' }>['error'];

interface EventData {
  name?: string;
  nesting?: number;
  file?: string | undefined;
  line?: number | undefined;
  column?: number | undefined;
  skip?: boolean | string | undefined;
  todo?: boolean | string | undefined;
  message?: string;
  details?: { duration_ms?: number; type?: string; error?: unknown };
}

const root = process.cwd();

/** The names of the tests being reported, per file, by nesting level. */
const stacks = new Map<string, string[]>();

function identity(data: EventData): { file: string; path: string[]; line?: number; column?: number; suite: boolean } | undefined {
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

function inside(file: string): boolean {
  const path = relative(root, file);
  return path !== '' && !path.startsWith('..') && !isAbsolute(path) && !path.split(sep).includes('node_modules');
}

/** The stack frames inside the learner's folder, innermost first (Windows paths and file: URLs alike). */
function framesOf(stack: string | undefined): FailureFrame[] {
  if (!stack) return [];
  return parse(stack).flatMap((frame) => {
    if (!frame.file || frame.lineNumber === null || frame.column === null) return [];
    const file = frame.file.startsWith('file://') ? fileURLToPath(frame.file) : frame.file;
    if (!inside(file)) return [];
    return [{ file, line: frame.lineNumber, column: frame.column, ...(frame.methodName && frame.methodName !== '<unknown>' ? { name: frame.methodName } : {}) }];
  });
}

/** An error as a learner reads it: its class and message. */
function describeError(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  return text(value);
}

/** What `assert.throws` / `assert.rejects` expected: a class, a message pattern, properties, or a check. */
function describeExpectation(value: unknown): string {
  // The probe in the test process has put it in words already.
  if (typeof value === 'string') return value;
  if (typeof value === 'function') {
    const name = (value as { name?: unknown }).name;
    return typeof name === 'string' && name !== '' && /^[A-Z]/.test(name) ? `an instance of ${name}` : 'an error accepted by the validation function';
  }
  if (value instanceof RegExp) return `an error whose message matches ${String(value)}`;
  if (value === undefined) return 'an error (the expectation did not reach the reporter)';
  return `an error with ${text(value)}`;
}

function failure(error: unknown): Failure {
  const outer = (error ?? {}) as { message?: unknown; failureType?: unknown; cause?: unknown; stack?: unknown };
  // node:test wraps what the test threw in an ERR_TEST_FAILURE whose cause is the original.
  const cause = (outer.cause ?? outer) as { message?: unknown; expected?: unknown; actual?: unknown; operator?: unknown; stack?: unknown; code?: unknown };
  const message = typeof cause.message === 'string' ? cause.message : text(cause);
  const stack = typeof cause.stack === 'string' ? cause.stack : undefined;
  const isAssertion = cause.code === 'ERR_ASSERTION' && 'actual' in cause;
  const operator = typeof cause.operator === 'string' ? cause.operator : undefined;
  let sides: { message: string; expected?: string; actual?: string } = { message };
  if (isAssertion && (operator === 'throws' || operator === 'rejects')) {
    // The label the test gave hides what was thrown: say both.
    const expected = describeExpectation(cause.expected);
    const actual = cause.actual === undefined ? 'nothing was thrown' : describeError(cause.actual);
    sides = { message: `${message}\nExpected: ${expected}\nActual: ${actual}`, expected, actual };
  } else if (isAssertion && 'expected' in cause) {
    sides = { message, expected: text(cause.expected), actual: text(cause.actual) };
  }
  return {
    ...sides,
    ...(operator ? { operator } : {}),
    ...(typeof outer.failureType === 'string' ? { failureType: outer.failureType } : {}),
    ...(stack ? { stack } : {}),
    frames: framesOf(stack),
  };
}

/** Test processes' stdout, per file, until a whole line is in: the probe's lines are protocol, the rest is output. */
const pendingStdout = new Map<string, string>();

function* stdout(file: string, message: string): Generator<ReporterEventInput> {
  const lines = ((pendingStdout.get(file) ?? '') + message).split('\n');
  const last = lines.pop() ?? '';
  // A partial line waits only when it may be the start of a probe line.
  const hold = last !== '' && (LINE_PREFIX.startsWith(last) || last.startsWith(LINE_PREFIX));
  pendingStdout.set(file, hold ? last : '');
  let output = '';
  for (const line of lines) {
    if (line.startsWith(LINE_PREFIX)) {
      if (output) yield { type: 'output', stream: 'stdout', text: output, ...(file ? { file } : {}) };
      output = '';
      try {
        yield JSON.parse(line.slice(LINE_PREFIX.length)) as ReporterEventInput;
      } catch {
        output += `${line}\n`;
      }
    } else output += `${line}\n`;
  }
  if (!hold) output += last;
  if (output) yield { type: 'output', stream: 'stdout', text: output, ...(file ? { file } : {}) };
}

function* toProtocol(event: TestEvent): Generator<ReporterEventInput> {
  const data = event.data as EventData;
  switch (event.type) {
    case 'test:start': {
      const file = data.file === undefined ? '' : resolve(root, data.file);
      const stack = stacks.get(file) ?? [];
      stack.length = data.nesting ?? 0;
      stack.push(data.name ?? '');
      stacks.set(file, stack);
      const id = identity(data);
      if (id) yield { type: 'start', ...id };
      return;
    }
    case 'test:pass': {
      const id = identity(data);
      const skip = reason(data.skip);
      const todo = reason(data.todo);
      if (id) yield { type: 'pass', ...id, durationMs: data.details?.duration_ms ?? 0, ...(skip === undefined ? {} : { skip }), ...(todo === undefined ? {} : { todo }) };
      return;
    }
    case 'test:fail': {
      const id = identity(data);
      const todo = reason(data.todo);
      if (id) yield { type: 'fail', ...id, durationMs: data.details?.duration_ms ?? 0, error: failure(data.details?.error), ...(todo === undefined ? {} : { todo }) };
      return;
    }
    case 'test:stdout':
      yield* stdout(data.file ? resolve(root, data.file) : '', data.message ?? '');
      return;
    case 'test:stderr':
      yield { type: 'output', stream: 'stderr', text: data.message ?? '', ...(data.file ? { file: resolve(root, data.file) } : {}) };
      return;
    case 'test:diagnostic':
      yield { type: 'diagnostic', text: data.message ?? '' };
      return;
    default:
      return;
  }
}

export default async function* reporter(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  for await (const event of source) {
    for (const line of toProtocol(event)) yield formatEvent(line);
  }
  for (const [file, rest] of pendingStdout) if (rest) yield formatEvent({ type: 'output', stream: 'stdout', text: rest, ...(file ? { file } : {}) });
}
