// GraphQL evolves one schema instead of versioning it: add, deprecate, watch usage, remove.
// graphql-js 17.1.0 classifies the difference between two schemas with findSchemaChanges()
// (findBreakingChanges/findDangerousChanges still exist but are deprecated, removal in v18).
import { buildSchema, findSchemaChanges, BreakingChangeType, DangerousChangeType, graphqlSync, parse, validate, NoDeprecatedCustomRule, version } from 'graphql';

const before = buildSchema(`
  enum Status { PENDING PAID }
  input OrderFilter { status: Status }
  type Order { id: ID! total: String status: Status }
  type Query { orders(filter: OrderFilter, first: Int): [Order!]! }
`);

// Additive: new field, new enum value, deprecations instead of removals.
const additive = buildSchema(`
  enum Status { PENDING @deprecated(reason: "Use REQUIRES_PAYMENT.") REQUIRES_PAYMENT PAID }
  input OrderFilter { status: Status, createdAfter: String }
  type Money { amount: Int! currency: String! }
  type Order { id: ID! total: String @deprecated(reason: "Use totalMoney.") totalMoney: Money status: Status }
  type Query { orders(filter: OrderFilter, first: Int @deprecated(reason: "Use limit."), limit: Int): [Order!]! }
`);

// The contract step, done too early and carelessly.
const removal = buildSchema(`
  enum Status { REQUIRES_PAYMENT PAID }
  input OrderFilter { status: Status, createdAfter: String! }
  type Money { amount: Int! currency: String! }
  type Order { id: ID! totalMoney: Money status: Status! }
  type Query { orders(filter: OrderFilter, limit: Int): [Order!]! }
`);

const breaking = new Set<string>(Object.values(BreakingChangeType));
// In 17.1.0 OPTIONAL_ARG_ADDED and OPTIONAL_INPUT_FIELD_ADDED appear in both DangerousChangeType
// and SafeChangeType with the same string, so the type alone is ambiguous: test breaking first,
// then dangerous (the implementation reports both through DangerousChangeType).
const dangerous = new Set<string>(Object.values(DangerousChangeType));
function report(label: string, a: typeof before, b: typeof before): void {
  console.log(`${label}:`);
  for (const c of findSchemaChanges(a, b)) {
    const kind = breaking.has(c.type) ? 'BREAKING ' : dangerous.has(c.type) ? 'dangerous' : 'safe     ';
    console.log(`  ${kind} ${c.type}: ${c.description}`);
  }
}

console.log(`graphql-js ${version}`);
report('before -> additive', before, additive);
report('additive -> removal', additive, removal);

// Deprecated elements keep working; validation with the opt-in rule finds the callers.
const oldQuery = parse('{ orders(first: 5, filter: { status: PENDING }) { id total } }');
console.log(`standard validation errors: ${validate(additive, oldQuery).length}`);
for (const e of validate(additive, oldQuery, [NoDeprecatedCustomRule])) console.log(`  NoDeprecatedCustomRule: ${e.message}`);

// Introspection hides deprecated fields unless asked: tools must request includeDeprecated.
const intro = graphqlSync({
  schema: additive,
  source: `{ hidden: __type(name: "Order") { fields { name } }
             all: __type(name: "Order") { fields(includeDeprecated: true) { name isDeprecated deprecationReason } } }`,
});
const data = intro.data as { hidden: { fields: { name: string }[] }; all: { fields: { name: string; isDeprecated: boolean; deprecationReason: string | null }[] } };
console.log(`Order fields by default: ${data.hidden.fields.map((f) => f.name).join(', ')}`);
console.log(`with includeDeprecated: ${data.all.fields.map((f) => (f.isDeprecated ? `${f.name} (deprecated: ${f.deprecationReason})` : f.name)).join(', ')}`);
