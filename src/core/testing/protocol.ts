// The lines the test reporter (src/reporter/reporter.ts) prints inside a learner's test run,
// and their parser. The reporter runs in the learner's Node process and the parser in the
// extension: this module is the contract between the two, and neither trusts the other.
import * as v from 'valibot';

import { LINE_PREFIX } from './wire.ts';

export { formatEvent, LINE_PREFIX } from './wire.ts';

const positive = v.pipe(v.number(), v.integer(), v.minValue(1));

const LocationSchema = v.object({
  /** Absolute path. */
  file: v.string(),
  /** 1-based. */
  line: positive,
  /** 1-based. */
  column: positive,
});
export type Location = v.InferOutput<typeof LocationSchema>;

const identity = {
  /** Absolute path of the test file the test is declared in. */
  file: v.string(),
  /** The names from the outermost `describe` down to the test itself. */
  path: v.pipe(v.array(v.string()), v.minLength(1)),
  /** Where the test is declared, when node:test knows it. */
  line: v.optional(positive),
  column: v.optional(positive),
  /** A `describe`/`suite`, rather than a test. */
  suite: v.optional(v.boolean(), false),
};
export type TestIdentity = v.InferOutput<v.ObjectSchema<typeof identity, undefined>>;

const FailureSchema = v.object({
  message: v.string(),
  /** An assertion failure's two sides, as readable text (util.inspect; for `throws`, the error class and message). */
  expected: v.optional(v.string()),
  actual: v.optional(v.string()),
  operator: v.optional(v.string()),
  /** The stack frames inside the challenge folder, innermost first. */
  frames: v.optional(v.array(v.object({ ...LocationSchema.entries, name: v.optional(v.string()) })), []),
  /** What kind of failure node:test reported (testCodeFailure, hookFailure, testTimeoutFailure, cancelledByParent, ...). */
  failureType: v.optional(v.string()),
  stack: v.optional(v.string()),
});
export type FailureDetails = v.InferOutput<typeof FailureSchema>;
export type FailureFrame = FailureDetails['frames'][number];

const duration = v.fallback(v.pipe(v.number(), v.minValue(0)), 0);

const EventSchema = v.variant('type', [
  v.object({ type: v.literal('start'), ...identity }),
  v.object({ type: v.literal('pass'), ...identity, durationMs: duration, skip: v.optional(v.string()), todo: v.optional(v.string()) }),
  v.object({ type: v.literal('fail'), ...identity, durationMs: duration, error: FailureSchema, todo: v.optional(v.string()) }),
  /** A test began, told by the probe inside the test process as it happens (node:test reports a file's events only when the file ends). */
  v.object({ type: v.literal('running'), file: v.string(), path: v.pipe(v.array(v.string()), v.minLength(1)) }),
  v.object({ type: v.literal('output'), stream: v.picklist(['stdout', 'stderr']), file: v.optional(v.string()), text: v.string() }),
  v.object({ type: v.literal('diagnostic'), text: v.string() }),
]);
export type ReporterEvent = v.InferOutput<typeof EventSchema>;

/** A line of the run's output: a reporter event, or text the learner's process printed. */
export type ParsedLine = { readonly kind: 'event'; readonly event: ReporterEvent } | { readonly kind: 'text'; readonly text: string };

/** What the reporter writes; the parser fills in defaults. */
export type ReporterEventInput = v.InferInput<typeof EventSchema>;

export function parseLine(line: string): ParsedLine {
  if (!line.startsWith(LINE_PREFIX)) return { kind: 'text', text: line };
  let raw: unknown;
  try {
    raw = JSON.parse(line.slice(LINE_PREFIX.length));
  } catch {
    return { kind: 'text', text: line };
  }
  const parsed = v.safeParse(EventSchema, raw);
  return parsed.success ? { kind: 'event', event: parsed.output } : { kind: 'text', text: line };
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
