// Typed reads of front-matter fields: each returns the value when it is valid, and otherwise
// records a problem at the key's line and returns undefined. The loader never trusts shapes.
import type { ContentProblem } from './problems.ts';

export class FieldReader {
  readonly problems: ContentProblem[] = [];

  private readonly file: string;
  private readonly data: Readonly<Record<string, unknown>>;
  private readonly keyLines: ReadonlyMap<string, number>;
  private readonly fallbackLine: number;

  constructor(file: string, data: Readonly<Record<string, unknown>>, keyLines: ReadonlyMap<string, number>, fallbackLine: number) {
    this.file = file;
    this.data = data;
    this.keyLines = keyLines;
    this.fallbackLine = fallbackLine;
  }

  lineOf(key: string): number {
    return this.keyLines.get(key) ?? this.fallbackLine;
  }

  problem(key: string, message: string): void {
    this.problems.push({ file: this.file, line: this.lineOf(key), message });
  }

  /** Reports keys that no reader asked for: usually a typo of a real one. */
  rejectUnknown(known: readonly string[]): void {
    for (const key of Object.keys(this.data)) {
      if (!known.includes(key)) this.problem(key, `unknown front matter field \`${key}\` (known: ${known.join(', ')})`);
    }
  }

  string(key: string): string | undefined {
    const value = this.data[key];
    if (value === undefined) {
      this.problem(key, `missing front matter field \`${key}\``);
      return undefined;
    }
    if (typeof value !== 'string' || value.trim() === '') {
      this.problem(key, `\`${key}\` must be a non-empty string`);
      return undefined;
    }
    return value.trim();
  }

  integer(key: string, min: number, max: number): number | undefined {
    const value = this.data[key];
    if (value === undefined) {
      this.problem(key, `missing front matter field \`${key}\``);
      return undefined;
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.problem(key, `\`${key}\` must be a whole number from ${min} to ${max}`);
      return undefined;
    }
    return value;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const value = this.data[key];
    if (value === undefined) {
      this.problem(key, `missing front matter field \`${key}\``);
      return undefined;
    }
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.problem(key, `\`${key}\` must be one of ${allowed.join(', ')}`);
      return undefined;
    }
    return value as T;
  }

  /** A list of non-empty strings; `optional` lists may be absent (read as empty). */
  strings(key: string, options: { min?: number; max?: number; optional?: boolean } = {}): string[] | undefined {
    const value = this.data[key];
    if (value === undefined) {
      if (options.optional) return [];
      this.problem(key, `missing front matter field \`${key}\``);
      return undefined;
    }
    if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string' && item.trim() !== '')) {
      this.problem(key, `\`${key}\` must be a list of non-empty strings`);
      return undefined;
    }
    const { min = 0, max = Infinity } = options;
    if (value.length < min || value.length > max) {
      const range = max === Infinity ? `at least ${min}` : `${min} to ${max}`;
      this.problem(key, `\`${key}\` must have ${range} entries, has ${value.length}`);
      return undefined;
    }
    const seen = new Set<string>();
    for (const item of value) {
      if (seen.has(item)) this.problem(key, `\`${key}\` lists \`${item}\` twice`);
      seen.add(item);
    }
    return value.map((item) => item.trim());
  }
}

export { ID_PATTERN } from '../schemas.ts';
