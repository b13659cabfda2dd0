// Finds the tests declared in a test file from its source, without running it: calls of
// `describe`, `suite`, `test` and `it` (and their `.skip`, `.only`, `.todo` forms) whose first
// argument is a literal name, with their ranges and nesting. Tests named at run time (from a
// variable, in a loop) are not found here; the controller adds them when they report.

export interface DiscoveredTest {
  readonly name: string;
  readonly kind: 'suite' | 'test';
  /** 0-based, as VS Code ranges are. */
  readonly range: { readonly startLine: number; readonly startColumn: number; readonly endLine: number; readonly endColumn: number };
  readonly children: readonly DiscoveredTest[];
}

interface Token {
  readonly kind: 'identifier' | 'string' | 'punctuation';
  readonly text: string;
  /** For strings: the value, when it is a literal (no template substitution). */
  readonly value?: string;
  readonly start: number;
  readonly end: number;
}

const SUITES = new Set(['describe', 'suite']);
const TESTS = new Set(['test', 'it']);
const MODIFIERS = new Set(['skip', 'only', 'todo']);
/** After these a `/` starts a regular expression rather than a division. */
const REGEX_AFTER = new Set(['(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '+', '-', '*', '%', '<', '>', '~', '^', 'return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'yield', 'await', '=>']);

export function discoverTests(source: string): DiscoveredTest[] {
  const tokens = tokenize(source);
  const lineStarts = [0];
  for (let index = 0; index < source.length; index += 1) if (source[index] === '\n') lineStarts.push(index + 1);
  const position = (offset: number): { line: number; column: number } => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((lineStarts[middle] ?? 0) <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low, column: offset - (lineStarts[low] ?? 0) };
  };

  interface Found {
    name: string;
    kind: 'suite' | 'test';
    start: number;
    end: number;
    children: Found[];
  }
  const found: Found[] = [];
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index];
    if (token?.kind !== 'identifier' || !(SUITES.has(token.text) || TESTS.has(token.text))) continue;
    // `x.describe(` or `describe` as a property name is not a call of the global.
    const previous = tokens[index - 1];
    if (previous?.text === '.' || (previous?.kind === 'identifier' && previous.text === 'function')) continue;
    let next = index + 1;
    if (tokens[next]?.text === '.' && MODIFIERS.has(tokens[next + 1]?.text ?? '')) next += 2;
    if (tokens[next]?.text !== '(') continue;
    const name = tokens[next + 1];
    if (name?.kind !== 'string' || name.value === undefined) continue;
    const close = matchingParen(tokens, next);
    found.push({ name: name.value, kind: SUITES.has(token.text) ? 'suite' : 'test', start: token.start, end: close === undefined ? source.length : (tokens[close]?.end ?? source.length), children: [] });
  }

  // Calls come in source order; a call inside another's range is its child.
  const roots: Found[] = [];
  const open: Found[] = [];
  for (const call of found) {
    while (open.length > 0 && (open.at(-1)?.end ?? 0) <= call.start) open.pop();
    const parent = open.at(-1);
    if (parent) parent.children.push(call);
    else roots.push(call);
    open.push(call);
  }
  const convert = (call: Found): DiscoveredTest => {
    const start = position(call.start);
    const end = position(call.end);
    return {
      name: call.name,
      kind: call.kind,
      range: { startLine: start.line, startColumn: start.column, endLine: end.line, endColumn: end.column },
      children: call.children.map(convert),
    };
  };
  return roots.map(convert);
}

function matchingParen(tokens: readonly Token[], open: number): number | undefined {
  let depth = 0;
  for (let index = open; index < tokens.length; index += 1) {
    const text = tokens[index]?.text;
    if (text === '(') depth += 1;
    else if (text === ')') {
      depth -= 1;
      if (depth === 0) return index;
    }
  }
  return undefined;
}

/** A tokenizer just good enough to skip strings, template literals, comments and regular expressions. */
function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  /** Brace depth at which each open template literal's `${` substitution started. */
  const templates: number[] = [];
  let braces = 0;
  let index = 0;

  const readTemplate = (start: number, resumed: boolean): void => {
    // `start` is at the opening backtick, or at the `}` that closes a substitution.
    let cursor = start + 1;
    let value = '';
    while (cursor < source.length) {
      const char = source[cursor];
      if (char === '\\') {
        value += source[cursor + 1] ?? '';
        cursor += 2;
      } else if (char === '`') {
        tokens.push({ kind: 'string', text: source.slice(start, cursor + 1), ...(resumed ? {} : { value }), start, end: cursor + 1 });
        index = cursor + 1;
        return;
      } else if (char === '$' && source[cursor + 1] === '{') {
        tokens.push({ kind: 'string', text: source.slice(start, cursor), start, end: cursor });
        templates.push(braces);
        braces += 1;
        index = cursor + 2;
        return;
      } else {
        value += char ?? '';
        cursor += 1;
      }
    }
    index = source.length;
  };

  while (index < source.length) {
    const char = source[index] ?? '';
    const next = source[index + 1] ?? '';
    if (/\s/.test(char)) {
      index += 1;
    } else if (char === '/' && next === '/') {
      const end = source.indexOf('\n', index);
      index = end === -1 ? source.length : end;
    } else if (char === '/' && next === '*') {
      const end = source.indexOf('*/', index + 2);
      index = end === -1 ? source.length : end + 2;
    } else if (char === '"' || char === "'") {
      let cursor = index + 1;
      let value = '';
      while (cursor < source.length && source[cursor] !== char && source[cursor] !== '\n') {
        if (source[cursor] === '\\') {
          value += source[cursor + 1] ?? '';
          cursor += 2;
        } else {
          value += source[cursor] ?? '';
          cursor += 1;
        }
      }
      tokens.push({ kind: 'string', text: source.slice(index, cursor + 1), value, start: index, end: cursor + 1 });
      index = cursor + 1;
    } else if (char === '`') {
      readTemplate(index, false);
    } else if (char === '}' && templates.length > 0 && templates.at(-1) === braces - 1) {
      templates.pop();
      braces -= 1;
      readTemplate(index, true);
    } else if (char === '/' && (tokens.length === 0 || REGEX_AFTER.has(tokens.at(-1)?.text ?? ''))) {
      let cursor = index + 1;
      let inClass = false;
      while (cursor < source.length && source[cursor] !== '\n') {
        const current = source[cursor];
        if (current === '\\') cursor += 1;
        else if (current === '[') inClass = true;
        else if (current === ']') inClass = false;
        else if (current === '/' && !inClass) break;
        cursor += 1;
      }
      while (/[a-z]/i.test(source[cursor + 1] ?? '')) cursor += 1;
      tokens.push({ kind: 'string', text: source.slice(index, cursor + 1), start: index, end: cursor + 1 });
      index = cursor + 1;
    } else if (/[A-Za-z_$]/.test(char)) {
      let cursor = index + 1;
      while (/[\w$]/.test(source[cursor] ?? '')) cursor += 1;
      tokens.push({ kind: 'identifier', text: source.slice(index, cursor), start: index, end: cursor });
      index = cursor;
    } else {
      const text = char === '=' && next === '>' ? '=>' : char;
      if (text === '{') braces += 1;
      if (text === '}') braces -= 1;
      tokens.push({ kind: 'punctuation', text, start: index, end: index + text.length });
      index += text.length;
    }
  }
  return tokens;
}
