// Upcasting at read time: the log keeps the bytes it was given in 2023; the code only knows
// the current shape. Each stored event carries its type and a schema version; a chain of
// pure functions lifts v1 -> v2 -> v3 as events are read, so the aggregate and the
// projections see one shape. Nothing in the store is rewritten.
// Not handled here: a change that needs data the old event never had (an upcaster can only
// derive or default; a default must be a business decision, written down), and
// downcasting for old consumers that still read the new events.

interface Stored { readonly type: string; readonly schema: number; readonly json: string }
interface CustomerRegisteredV3 { readonly firstName: string; readonly lastName: string; readonly email: string; readonly marketingOptIn: boolean }
type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

class UnknownSchema extends Error {
  override readonly name = 'UnknownSchema';
  readonly code = 'UNKNOWN_EVENT_SCHEMA';
}

// Keyed by "type@fromVersion"; each step lifts exactly one version.
const upcasters = new Map<string, Upcaster>([
  // v1 had one "name" field. v2 split it. Splitting at the first space is lossy for some
  // names: the rule is the business's, and it is recorded here, next to the code.
  ['CustomerRegistered@1', ({ name, ...rest }) => {
    const [first = '', ...others] = String(name).split(' ');
    return { ...rest, firstName: first, lastName: others.join(' ') };
  }],
  // v3 added consent. Customers registered before it had not opted in: the default is false.
  ['CustomerRegistered@2', (data) => ({ ...data, marketingOptIn: false })],
]);
const CURRENT: Record<string, number> = { CustomerRegistered: 3 };

function upcast(event: Stored): { type: string; data: Record<string, unknown>; steps: number } {
  let data = JSON.parse(event.json) as Record<string, unknown>;
  const target = CURRENT[event.type];
  if (target === undefined || event.schema > target) {
    // A newer writer than this reader: refuse rather than silently drop fields.
    throw new UnknownSchema(`${event.type} schema ${event.schema} is newer than this build knows (${target ?? 'none'})`);
  }
  let steps = 0;
  for (let v = event.schema; v < target; v += 1) {
    const step = upcasters.get(`${event.type}@${v}`);
    if (!step) throw new UnknownSchema(`no upcaster for ${event.type} from schema ${v}`);
    data = step(data);
    steps += 1;
  }
  return { type: event.type, data, steps };
}

const log: readonly Stored[] = [
  { type: 'CustomerRegistered', schema: 1, json: '{"name":"Ada King Lovelace","email":"ada@example.org"}' },
  { type: 'CustomerRegistered', schema: 2, json: '{"firstName":"Alan","lastName":"Turing","email":"alan@example.org"}' },
  { type: 'CustomerRegistered', schema: 3, json: '{"firstName":"Grace","lastName":"Hopper","email":"grace@example.org","marketingOptIn":true}' },
  { type: 'CustomerRegistered', schema: 4, json: '{"givenName":"Edsger"}' },
];
const before = JSON.stringify(log);

for (const event of log) {
  try {
    const { data, steps } = upcast(event);
    const customer = data as unknown as CustomerRegisteredV3;
    console.log(`schema ${event.schema} -> 3 in ${steps} step(s): ${customer.firstName} / ${customer.lastName} / opt-in ${customer.marketingOptIn}`);
  } catch (error) {
    if (!(error instanceof UnknownSchema)) throw error;
    console.log(`schema ${event.schema}: ${error.name} (${error.code}): ${error.message}`);
  }
}
console.log(`stored events unchanged: ${JSON.stringify(log) === before}`);
