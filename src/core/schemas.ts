// The shapes every piece of untrusted data is checked against, in one place: stored progress and
// imports, a challenge folder's marker, the webviews' messages, `snippets.json` and the test
// reporter's lines (src/core/testing/protocol.ts). One schema library (valibot: tree-shaken, a
// few KB in the bundle) instead of hand-written checks that drift apart.
import { isAbsolute } from 'node:path';
import * as v from 'valibot';

/** A content id: lower-case words joined by single hyphens (`rate-limiter`). */
export const ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const Id = v.pipe(v.string(), v.regex(ID_PATTERN));

/** valibot's `object()` and `record()` accept arrays too: wraps a schema so that its input must be a plain object first. */
export function plainObject<const S extends v.GenericSchema>(schema: S) {
  return v.pipe(v.custom<unknown>((value) => value !== null && typeof value === 'object' && !Array.isArray(value)), schema);
}

/** A plain object (not null, not an array): what every stored or sent record must be first. */
export const PlainObject = plainObject(v.record(v.string(), v.unknown()));

/** A relative path with `/` separators that stays inside the folder it is resolved against. */
export function isSafeRelativePath(path: string): boolean {
  if (path === '' || isAbsolute(path) || path.includes('\\') || /^[a-z]:/i.test(path) || path.includes('\0')) return false;
  return path.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}
export const SafeRelativePath = v.pipe(v.string(), v.check(isSafeRelativePath));

/** An ISO 8601 time; anything else reads as the epoch, so that a bad date never drops an entry. */
export const IsoTime = v.fallback(v.pipe(v.string(), v.check((text) => !Number.isNaN(Date.parse(text)))), new Date(0).toISOString());

/** A count; anything else reads as 0. */
export const Count = v.fallback(v.pipe(v.number(), v.integer(), v.minValue(0)), 0);

/** The parsed value, or undefined: for input that is dropped whole when it does not match. */
export function parseOrUndefined<const S extends v.GenericSchema>(schema: S, raw: unknown): v.InferOutput<S> | undefined {
  const result = v.safeParse(schema, raw);
  return result.success ? result.output : undefined;
}

/** A short rendering of a rejected value, for messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  // JSON has no text for a function or a symbol.
  const text = (JSON.stringify(value) as string | undefined) ?? `a ${typeof value}`;
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
