// Depth and cost limits as a validation rule on graphql-js 17: checked after parsing and
// before any resolver runs, next to the specified rules.
import { parse, specifiedRules, validate } from 'graphql';
import { complexityRule } from './lib/complexity.ts';
import { schema } from './lib/schema.ts';

const limits = (variableValues?: Record<string, unknown>, stats?: { visits: number }) =>
  complexityRule({
    maxDepth: 10, // nested selection sets, the operation's own counting 1
    maxCost: 2_000,
    listSizes: { 'Query.posts': { slicingArguments: ['first'], sizedFields: ['edges'] }, 'User.posts': { slicingArguments: ['first'], sizedFields: ['edges'] } },
    assumedListSize: 10,
    maxPageSize: 100,
    maxSelections: 10_000, // selections once fragments are expanded, for the whole document: bounds the walk's steps
    maxNesting: 200, // nested selection sets and fragment spreads on one path: bounds the walk's recursion
    variableValues,
    stats, // counts the selections the rule visits: its work, which the budget bounds
  });

function check(label: string, source: string, variableValues?: Record<string, unknown>, stats?: { visits: number }): void {
  const errors = validate(schema, parse(source), [...specifiedRules, limits(variableValues, stats)]);
  const verdict = errors.length === 0 ? 'accepted' : errors.map((e) => `${e.message} ${JSON.stringify(e.extensions)}`).join('; ');
  console.log(`${label.padEnd(34)} ${verdict}`);
}

check('page of posts with authors', '{ posts(first: 20) { edges { node { title author { name } } } } }');

// posts -> edges -> node -> author, `levels` times: the cycle post -> author -> posts lets a
// client nest as deep as it likes. `first` sizes each level.
const chain = (levels: number, first: number | string): string =>
  'posts(first: F) { edges { node { author { '.replace('F', String(first)).repeat(levels) + 'name' + ' } } } }'.repeat(levels);

check('deep query (3 levels, first: 2)', `query Deep { ${chain(3, 2)} }`);
check('wide query (2 levels, first: 100)', `query Wide2 { ${chain(2, 100)} }`);
check('wide query (2 levels, first: 20)', `query Wide20 { ${chain(2, 20)} }`);

// Sizes from variables: the rule must see the request's variables, or assume the maximum.
const byVariable = `query V($n: Int!) { ${chain(2, '$n')} }`;
check('variables n=5', byVariable, { n: 5 });
check('variables unknown (assume 100)', byVariable);

// Fragments are followed, so hiding the nesting in a fragment does not help.
check('nesting hidden in fragments', `query F { posts(first: 50) { ...E } }
  fragment E on PostConnection { edges { node { author { ...U } } } }
  fragment U on User { posts(first: 50) { edges { node { title } } } }`);

// A chain of fragments that each spread the next one twice: 906 bytes that expand to 2^22
// copies of `id`. Execution would visit each fragment once (collectFields deduplicates), but a
// cost walk that re-enters every spread takes exponential time. The memo measures each fragment
// once per document and the selection budget refuses the expansion, so validation stays fast.
const n = 22;
const bomb =
  `{ posts(first: 1) { edges { node { ...F0 } } } }\n` +
  Array.from({ length: n }, (_, i) => `fragment F${i} on Post { ...F${i + 1} ...F${i + 1} }`).join('\n') +
  `\nfragment F${n} on Post { id }`;
// What is printed is the rule's work (selections visited, at most maxSelections + 1), not a
// time: a wall-clock check flakes on a loaded machine. The time is shown for a reader, and the
// expected output skips it.
const bombStats = { visits: 0 };
const started = performance.now();
check(`fragment chain (${bomb.length} B)`, bomb, undefined, bombStats);
console.log(`${'  selections the rule visited'.padEnd(34)} ${bombStats.visits} (validate: ${Math.round(performance.now() - started)} ms)`);

// The budget and the memo are per document, not per operation: validate() checks every operation
// in a document, though only one runs. 10,000 small operations that each spread one 9,990-field
// fragment (554 KB) would cost 10,000 budgets if the budget were per operation; here the second
// operation exhausts it. Only the rule runs below; graphql-js's specified rules, like the parser,
// take time that grows with the document whatever this rule does, so cap the body as well.
const only = (label: string, source: string): void => {
  const document = parse(source);
  const stats = { visits: 0 };
  const start = performance.now();
  const errors = validate(schema, document, [limits(undefined, stats)]);
  const ms = Math.round(performance.now() - start);
  console.log(`${label.padEnd(34)} ${errors.map((e) => `${e.message} ${JSON.stringify(e.extensions)}`).join('; ')}`);
  console.log(`${'  selections the rule visited'.padEnd(34)} ${stats.visits} (rule alone: ${ms} ms)`);
};
const ids = (k: number): number[] => Array.from({ length: k }, (_, i) => i);
const manyOps =
  ids(10_000).map((i) => `query Q${i}{posts(first:1){edges{node{...B}}}}`).join('\n') +
  `\nfragment B on Post { ${ids(9_990).map((i) => `a${i}: id`).join(' ')} }`;
only(`10,000 operations (${Math.round(manyOps.length / 1024)} KB)`, manyOps);

// A straight chain of 3,000 fragments, each spreading the next once: tiny in cost, but a
// recursive walk one frame per spread overflows the stack (RangeError). The nesting limit
// reports it instead.
const straight =
  `{ posts(first: 1) { edges { node { ...L0 } } } }\n` +
  ids(3_000).map((i) => `fragment L${i} on Post { ...L${i + 1} }`).join('\n') +
  `\nfragment L3000 on Post { id }`;
only(`3,000-fragment chain (${Math.round(straight.length / 1024)} KB)`, straight);
