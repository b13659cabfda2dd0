// The lines the test reporter (src/reporter/reporter.ts) prints inside a learner's test run,
// and their parser. The reporter runs in the learner's Node process and the parser in the
// extension: this module is the contract between the two, and neither trusts the other.

/** Every reporter line starts with this, so that anything else on stdout is output, not protocol. */
export const LINE_PREFIX = '@@backend-study@@ ';

export interface Location {
  /** Absolute path. */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

export interface TestIdentity {
  /** Absolute path of the test file the test is declared in. */
  readonly file: string;
  /** The names from the outermost `describe` down to the test itself. */
  readonly path: readonly string[];
  /** Where the test is declared, when node:test knows it. */
  readonly line?: number;
  readonly column?: number;
  /** A `describe`/`suite`, rather than a test. */
  readonly suite: boolean;
}

export interface FailureDetails {
  readonly message: string;
  /** An assertion failure's two sides, as readable text (util.inspect). */
  readonly expected?: string;
  readonly actual?: string;
  readonly operator?: string;
  /** Where it failed: the innermost stack frame inside the challenge folder. */
  readonly location?: Location;
  /** What kind of failure node:test reported (testCodeFailure, hookFailure, testTimeoutFailure, cancelledByParent, ...). */
  readonly failureType?: string;
  readonly stack?: string;
}

export type ReporterEvent =
  | ({ readonly type: 'start' } & TestIdentity)
  | ({ readonly type: 'pass'; readonly durationMs: number; readonly skip?: string; readonly todo?: string } & TestIdentity)
  | ({ readonly type: 'fail'; readonly durationMs: number; readonly error: FailureDetails; readonly todo?: string } & TestIdentity)
  | { readonly type: 'output'; readonly stream: 'stdout' | 'stderr'; readonly file?: string; readonly text: string }
  | { readonly type: 'diagnostic'; readonly text: string };

/** A line of the run's output: a reporter event, or text the learner's process printed. */
export type ParsedLine = { readonly kind: 'event'; readonly event: ReporterEvent } | { readonly kind: 'text'; readonly text: string };

export function formatEvent(event: ReporterEvent): string {
  return `${LINE_PREFIX}${JSON.stringify(event)}\n`;
}

export function parseLine(line: string): ParsedLine {
  if (!line.startsWith(LINE_PREFIX)) return { kind: 'text', text: line };
  let raw: unknown;
  try {
    raw = JSON.parse(line.slice(LINE_PREFIX.length));
  } catch {
    return { kind: 'text', text: line };
  }
  const event = validate(raw);
  return event ? { kind: 'event', event } : { kind: 'text', text: line };
}

/** Splits a stream of chunks into whole lines, however the chunks fall. */
export class LineSplitter {
  private pending = '';

  push(chunk: string): string[] {
    const text = this.pending + chunk;
    const lines = text.split('\n');
    this.pending = lines.pop() ?? '';
    return lines.map((line) => line.replace(/\r$/, ''));
  }

  end(): string[] {
    const rest = this.pending;
    this.pending = '';
    return rest === '' ? [] : [rest];
  }
}

function validate(raw: unknown): ReporterEvent | undefined {
  if (!isRecord(raw)) return undefined;
  switch (raw.type) {
    case 'start':
    case 'pass':
    case 'fail': {
      const identity = identityOf(raw);
      if (!identity) return undefined;
      if (raw.type === 'start') return { type: 'start', ...identity };
      const durationMs = typeof raw.durationMs === 'number' && raw.durationMs >= 0 ? raw.durationMs : 0;
      const todo = typeof raw.todo === 'string' ? { todo: raw.todo } : {};
      if (raw.type === 'pass') return { type: 'pass', ...identity, durationMs, ...(typeof raw.skip === 'string' ? { skip: raw.skip } : {}), ...todo };
      const error = failureOf(raw.error);
      return error ? { type: 'fail', ...identity, durationMs, error, ...todo } : undefined;
    }
    case 'output':
      return (raw.stream === 'stdout' || raw.stream === 'stderr') && typeof raw.text === 'string'
        ? { type: 'output', stream: raw.stream, text: raw.text, ...(typeof raw.file === 'string' ? { file: raw.file } : {}) }
        : undefined;
    case 'diagnostic':
      return typeof raw.text === 'string' ? { type: 'diagnostic', text: raw.text } : undefined;
    default:
      return undefined;
  }
}

function identityOf(raw: Record<string, unknown>): TestIdentity | undefined {
  const path = raw.path;
  if (typeof raw.file !== 'string' || !Array.isArray(path) || path.length === 0 || !path.every((name) => typeof name === 'string')) return undefined;
  return {
    file: raw.file,
    path,
    suite: raw.suite === true,
    ...(isPositive(raw.line) ? { line: raw.line } : {}),
    ...(isPositive(raw.column) ? { column: raw.column } : {}),
  };
}

function failureOf(raw: unknown): FailureDetails | undefined {
  if (!isRecord(raw) || typeof raw.message !== 'string') return undefined;
  const text = (key: string): Record<string, string> => (typeof raw[key] === 'string' ? { [key]: raw[key] } : {});
  const location = raw.location;
  return {
    message: raw.message,
    ...text('expected'),
    ...text('actual'),
    ...text('operator'),
    ...text('failureType'),
    ...text('stack'),
    ...(isRecord(location) && typeof location.file === 'string' && isPositive(location.line) && isPositive(location.column)
      ? { location: { file: location.file, line: location.line, column: location.column } }
      : {}),
  };
}

function isPositive(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
