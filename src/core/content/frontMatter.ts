import { parseYaml, yamlProblem } from './yaml.ts';
import type { ContentProblem } from './problems.ts';

/** A markdown file split into its YAML front matter and its body. */
export interface FrontMatterSplit {
  /** The parsed front matter: a plain object, or undefined when it is missing or broken. */
  readonly data: Record<string, unknown> | undefined;
  /** The markdown after the closing `---`. */
  readonly body: string;
  /** The 1-based line of the file on which the body starts, so that body lines map back to the file. */
  readonly bodyLine: number;
  /** For each top-level key of the front matter, the 1-based file line it stands on. */
  readonly keyLines: ReadonlyMap<string, number>;
  readonly problems: readonly ContentProblem[];
}

const FENCE = /^---[ \t]*$/;

/**
 * Splits `---`-fenced YAML front matter from a markdown file. Never throws: a missing fence
 * or broken YAML becomes a problem with the file's line, and the body is still returned so
 * that the rest of the file can be checked too.
 */
export function splitFrontMatter(file: string, text: string): FrontMatterSplit {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (!FENCE.test(lines[0] ?? '')) {
    return {
      data: undefined,
      body: lines.join('\n'),
      bodyLine: 1,
      keyLines: new Map(),
      problems: [{ file, line: 1, message: 'missing front matter: the file must start with a line `---`' }],
    };
  }
  const close = lines.findIndex((line, index) => index > 0 && FENCE.test(line));
  if (close === -1) {
    return {
      data: undefined,
      body: '',
      bodyLine: lines.length + 1,
      keyLines: new Map(),
      problems: [{ file, line: 1, message: 'front matter is not closed: no second line `---`' }],
    };
  }

  const yamlText = lines.slice(1, close).join('\n');
  const body = lines.slice(close + 1).join('\n');
  const bodyLine = close + 2;

  let data: unknown;
  try {
    data = parseYaml(yamlText);
  } catch (error) {
    // Front matter starts on file line 2; js-yaml counts lines from 0.
    return { data: undefined, body, bodyLine, keyLines: new Map(), problems: [yamlProblem(file, error, 2)] };
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return {
      data: undefined,
      body,
      bodyLine,
      keyLines: new Map(),
      problems: [{ file, line: 2, message: 'front matter must be a YAML mapping of keys to values' }],
    };
  }

  // Top-level keys start a line at column 0; their file line is all the messages need.
  const keyLines = new Map<string, number>();
  lines.slice(1, close).forEach((line, index) => {
    const key = /^([A-Za-z_][\w-]*)\s*:/.exec(line)?.[1];
    if (key !== undefined && !keyLines.has(key)) keyLines.set(key, index + 2);
  });
  return { data: data as Record<string, unknown>, body, bodyLine, keyLines, problems: [] };
}
