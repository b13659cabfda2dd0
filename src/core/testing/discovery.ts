// Finds the tests declared in a test file from its source, without running it: calls of
// node:test's `describe`, `suite`, `test` and `it` (with `.skip`, `.only`, `.todo`), under the
// names the file imported them as (aliases, the default export, a namespace), whose first
// argument is a literal name; with their ranges and nesting. Tests named at run time (from a
// variable, in a loop) are not found here; the controller adds them when they report.
//
// The parser: Node's own type stripper (the one that runs the file; it keeps every offset)
// then acorn-loose, which recovers from code the learner is halfway through typing. When the
// stripper refuses a half-typed file, acorn-loose reads it as it is.
import * as acornLoose from 'acorn-loose';
import * as nodeModule from 'node:module';

export interface DiscoveredTest {
  readonly name: string;
  readonly kind: 'suite' | 'test';
  /** 0-based, as VS Code ranges are. */
  readonly range: { readonly startLine: number; readonly startColumn: number; readonly endLine: number; readonly endColumn: number };
  readonly children: readonly DiscoveredTest[];
}

interface AstNode {
  readonly type: string;
  readonly start: number;
  readonly end: number;
  readonly [key: string]: unknown;
}

type Role = 'suite' | 'test';
const ROLES: Readonly<Record<string, Role>> = { describe: 'suite', suite: 'suite', test: 'test', it: 'test' };
const MODIFIERS = new Set(['skip', 'only', 'todo']);
const MODULES = new Set(['node:test', 'test']);

const strip = (nodeModule as { stripTypeScriptTypes?: (code: string, options?: { mode?: 'strip' }) => string }).stripTypeScriptTypes;

/** JavaScript with the types blanked out (same offsets), or the source itself when that is not possible. */
function javascriptOf(source: string): string {
  if (!strip) return source;
  try {
    return strip(source, { mode: 'strip' });
  } catch {
    return source;
  }
}

export function discoverTests(source: string): DiscoveredTest[] {
  let program: AstNode;
  try {
    program = acornLoose.parse(javascriptOf(source), { ecmaVersion: 'latest', sourceType: 'module' }) as unknown as AstNode;
  } catch {
    return [];
  }
  const bindings = importsOf(program);
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

  const visit = (node: unknown, into: DiscoveredTest[]): void => {
    if (Array.isArray(node)) {
      for (const child of node) visit(child, into);
      return;
    }
    if (!isNode(node)) return;
    if (node.type === 'CallExpression') {
      const role = roleOf(node.callee, bindings);
      const name = role && literalName((node.arguments as unknown[])[0]);
      if (role && name !== undefined) {
        const children: DiscoveredTest[] = [];
        visit(node.arguments, children);
        const start = position(node.start);
        const end = position(node.end);
        into.push({ name, kind: role, range: { startLine: start.line, startColumn: start.column, endLine: end.line, endColumn: end.column }, children });
        return;
      }
    }
    for (const [key, value] of Object.entries(node)) if (key !== 'type' && key !== 'start' && key !== 'end' && typeof value === 'object') visit(value, into);
  };
  const found: DiscoveredTest[] = [];
  visit(program.body, found);
  return found;
}

/** What each local name bound to node:test means: a function with a role, or the module (namespace or default export). */
interface Bindings {
  readonly functions: Map<string, Role>;
  readonly modules: Set<string>;
}

function importsOf(program: AstNode): Bindings {
  const functions = new Map<string, Role>();
  const modules = new Set<string>();
  let imported = false;
  for (const statement of program.body as AstNode[]) {
    if (statement.type !== 'ImportDeclaration' || !MODULES.has(String((statement.source as { value?: unknown }).value))) continue;
    imported = true;
    for (const specifier of statement.specifiers as AstNode[]) {
      const local = (specifier.local as { name: string }).name;
      if (specifier.type === 'ImportSpecifier') {
        const role = ROLES[(specifier.imported as { name?: string; value?: string }).name ?? String((specifier.imported as { value?: unknown }).value)];
        if (role) functions.set(local, role);
      } else if (specifier.type === 'ImportDefaultSpecifier') {
        // The default export is `test`, which carries describe, it and suite as properties.
        functions.set(local, 'test');
        modules.add(local);
      } else modules.add(local);
    }
  }
  // A file that imports nothing from node:test (globals from a setup file): the usual names.
  if (!imported) for (const [name, role] of Object.entries(ROLES)) functions.set(name, role);
  const bindings = { functions, modules };
  // A top-level wrapper (`function it(name, fn) { nodeIt(name, { timeout }, fn); }`) declares
  // tests too: its calls are tests named by their first argument.
  for (const statement of program.body as AstNode[]) {
    const wrapper = wrapperOf(statement);
    if (!wrapper || functions.has(wrapper.name)) continue;
    const role = forwardedRole(wrapper.body, wrapper.param, bindings);
    if (role) functions.set(wrapper.name, role);
  }
  return bindings;
}

function wrapperOf(statement: AstNode): { name: string; param: string; body: unknown } | undefined {
  let fn: AstNode | undefined;
  let name: string | undefined;
  if (statement.type === 'FunctionDeclaration' && isNode(statement.id)) {
    fn = statement;
    name = statement.id.name as string;
  } else if (statement.type === 'VariableDeclaration') {
    const [declarator] = statement.declarations as AstNode[];
    if (declarator && isNode(declarator.id) && isNode(declarator.init) && /FunctionExpression$/.test(declarator.init.type)) {
      fn = declarator.init;
      name = declarator.id.name as string;
    }
  }
  const [param] = (fn?.params as AstNode[] | undefined) ?? [];
  if (!fn || !name || param?.type !== 'Identifier') return undefined;
  return { name, param: param.name as string, body: fn.body };
}

/** The role of a node:test call inside `body` that passes `param` on as the name. */
function forwardedRole(body: unknown, param: string, bindings: Bindings): Role | undefined {
  if (Array.isArray(body)) {
    for (const child of body) {
      const role = forwardedRole(child, param, bindings);
      if (role) return role;
    }
    return undefined;
  }
  if (!isNode(body)) return undefined;
  if (body.type === 'CallExpression') {
    const [first] = body.arguments as unknown[];
    const role = roleOf(body.callee, bindings);
    if (role && isNode(first) && first.type === 'Identifier' && first.name === param) return role;
  }
  for (const [key, value] of Object.entries(body)) {
    if (key === 'type' || typeof value !== 'object') continue;
    const role = forwardedRole(value, param, bindings);
    if (role) return role;
  }
  return undefined;
}

function roleOf(callee: unknown, bindings: Bindings): Role | undefined {
  if (!isNode(callee)) return undefined;
  if (callee.type === 'Identifier') return bindings.functions.get(callee.name as string);
  if (callee.type !== 'MemberExpression' || callee.computed === true) return undefined;
  const property = (callee.property as { name?: string }).name ?? '';
  const object = callee.object;
  // test.skip(...), t.describe.only(...)
  if (MODIFIERS.has(property)) return roleOf(object, bindings);
  // t.test(...), test.describe(...)
  if (isNode(object) && object.type === 'Identifier' && bindings.modules.has(object.name as string)) return ROLES[property];
  return undefined;
}

function literalName(node: unknown): string | undefined {
  if (!isNode(node)) return undefined;
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (node.type === 'TemplateLiteral' && (node.expressions as unknown[]).length === 0) {
    const cooked = (node.quasis as { value: { cooked?: string | null } }[])[0]?.value.cooked;
    return typeof cooked === 'string' ? cooked : undefined;
  }
  return undefined;
}

function isNode(value: unknown): value is AstNode {
  return value !== null && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string';
}
