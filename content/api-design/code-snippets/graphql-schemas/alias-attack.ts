// Security on graphql-js 17: aliases multiply resolver calls inside one small request,
// a cost rule sees through them, and introspection and field suggestions can be closed.
import { NoSchemaIntrospectionCustomRule, graphql, parse, specifiedRules, validate } from 'graphql';
import { Backend } from './lib/backend.ts';
import { complexityRule } from './lib/complexity.ts';
import { createContext, schema } from './lib/schema.ts';

const backend = new Backend(50, 1000);
const field = 'posts(first: 100) { edges { node { title } } }';

async function run(label: string, source: string): Promise<void> {
  backend.resetCalls();
  const result = await graphql({ schema, source, contextValue: createContext(backend, { batched: true }) });
  const rows = JSON.stringify(result.data ?? null).length;
  console.log(`${label.padEnd(30)} request ${String(Buffer.byteLength(source)).padStart(6)} B  postsPage calls ${String(backend.calls.total).padStart(4)}  response ${String(rows).padStart(9)} B`);
}

await run('one field', `{ ${field} }`);
// Without aliases, identical fields merge during field collection: executed once.
await run('same field 200 times', `{ ${Array.from({ length: 200 }, () => field).join(' ')} }`);
// With aliases they are distinct response keys: executed 200 times.
await run('200 aliases', `{ ${Array.from({ length: 200 }, (_, i) => `a${i}: ${field}`).join(' ')} }`);

// The cost rule sums over response keys, so the aliased request is rejected before execution.
const rule = complexityRule({
  maxDepth: 10, maxCost: 2_000, assumedListSize: 10, maxPageSize: 100,
  listSizes: { 'Query.posts': { slicingArguments: ['first'], sizedFields: ['edges'] } },
});
const aliased = parse(`{ ${Array.from({ length: 200 }, (_, i) => `a${i}: ${field}`).join(' ')} }`);
console.log(`cost rule on 200 aliases: ${validate(schema, aliased, [...specifiedRules, rule]).map((e) => e.message).join('; ')}`);

// Introspection: graphql-js ships a rule that rejects __schema and __type.
const introspection = parse('{ __schema { types { name } } }');
console.log(`introspection, specified rules: ${validate(schema, introspection, specifiedRules).length} errors`);
console.log(`introspection, + NoSchemaIntrospectionCustomRule: ${validate(schema, introspection, [...specifiedRules, NoSchemaIntrospectionCustomRule]).map((e) => e.message).join('; ')}`);

// graphql-js 17.1 puts MaxIntrospectionDepthRule in specifiedRules (through recommendedRules).
const nestedIntrospection = parse('{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }');
console.log(`nested introspection: ${validate(schema, nestedIntrospection, specifiedRules).map((e) => e.message).join('; ')}`);

// Field suggestions leak the schema even with introspection off; v17 can hide them.
const typo = parse('{ post { id } }');
console.log(`typo, default: ${validate(schema, typo).map((e) => e.message).join('; ')}`);
console.log(`typo, hideSuggestions: ${validate(schema, typo, specifiedRules, { hideSuggestions: true }).map((e) => e.message).join('; ')}`);
