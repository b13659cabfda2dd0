import { posix } from 'node:path';

/**
 * Resolves `relative` against the folder of `from` (both `/`-separated, relative to the
 * content folder). Undefined when the result would leave the content folder or the path is
 * absolute: content may only point inside itself.
 */
export function resolveContentPath(from: string, relative: string): string | undefined {
  if (relative === '' || relative.startsWith('/') || relative.includes('\\') || /^[a-z]:/i.test(relative)) return undefined;
  const joined = posix.normalize(posix.join(posix.dirname(from), decodeURIComponentSafe(relative)));
  if (joined === '..' || joined.startsWith('../') || joined.startsWith('/')) return undefined;
  return joined;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
