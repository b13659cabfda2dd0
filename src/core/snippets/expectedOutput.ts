/** In an expected-output line, `[...]` stands for any text: timings, memory figures, process ids. */
export const WILDCARD = '[...]';

export type OutputComparison =
  | { readonly ok: true }
  | { readonly ok: false; readonly line: number; readonly expected: string | undefined; readonly actual: string | undefined };

function lines(text: string): string[] {
  const normalized = text.replace(/\r\n/g, '\n').replace(/\n$/, '');
  return normalized === '' ? [] : normalized.split('\n');
}

function lineMatches(expected: string, actual: string): boolean {
  if (!expected.includes(WILDCARD)) return expected === actual;
  const pattern = expected
    .split(WILDCARD)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${pattern}$`, 's').test(actual);
}

/**
 * Compares a snippet's output with its expected output line by line. The number of lines
 * must match exactly; a trailing newline and CRLF line endings do not matter.
 * @returns the first line (1-based) that differs, with both sides; undefined for a missing line
 */
export function compareOutput(expected: string, actual: string): OutputComparison {
  const want = lines(expected);
  const got = lines(actual);
  for (let index = 0; index < Math.max(want.length, got.length); index += 1) {
    const expectedLine = want[index];
    const actualLine = got[index];
    if (expectedLine === undefined || actualLine === undefined || !lineMatches(expectedLine, actualLine)) {
      return { ok: false, line: index + 1, expected: expectedLine, actual: actualLine };
    }
  }
  return { ok: true };
}
