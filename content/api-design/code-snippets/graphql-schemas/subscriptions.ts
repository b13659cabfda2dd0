// Subscriptions on graphql-js 17: the subscribe resolver returns an AsyncIterable (here,
// events.on() over an EventEmitter), and graphql-js runs the selection set once per event.
// The transport (graphql-ws over WebSocket, or SSE) is not graphql-js's concern.
import { EventEmitter } from 'node:events';
import { GraphQLError, GraphQLID, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString, parse, subscribe } from 'graphql';
import type { ExecutionResult } from 'graphql';

type PostEvent = { readonly id: string; readonly authorId: string; readonly title: string };
type Context = { readonly bus: EventEmitter; readonly signal: AbortSignal };

// Events a subscriber may have waiting (per subscription; tune to the topic's rate). events.on()
// would queue without limit for a slow client, and memory would grow with the topic's traffic.
const MAX_QUEUED_EVENTS = 16;

function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('The operation was aborted', { cause: signal.reason }), { name: 'AbortError' });
}

// The source: listen only once pulled, keep only accepted events, at most `maxQueued` of them.
// A subscriber that falls further behind is closed with an error (it has missed events, so it
// must resubscribe and refetch); a connection that goes away ends it through the signal.
async function* boundedEvents<T>(bus: EventEmitter, name: string, signal: AbortSignal, accept: (event: T) => boolean, maxQueued: number): AsyncGenerator<T> {
  const queue: T[] = [];
  let overflowed = false;
  let wake: (() => void) | undefined;
  const onEvent = (event: T): void => {
    if (!accept(event)) return;
    if (queue.length >= maxQueued) overflowed = true;
    else queue.push(event);
    wake?.();
  };
  const onAbort = (): void => wake?.();
  bus.on(name, onEvent);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      if (signal.aborted) throw abortError(signal);
      if (overflowed) {
        throw new GraphQLError(`subscriber fell more than ${maxQueued} events behind`, { extensions: { code: 'SUBSCRIPTION_OVERFLOW' } });
      }
      const next = queue.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      await new Promise<void>((resolve) => { wake = resolve; });
      wake = undefined;
    }
  } finally {
    bus.off(name, onEvent); // on return() (client unsubscribed), on abort and on overflow
    signal.removeEventListener('abort', onAbort);
  }
}

const PostCreated = new GraphQLObjectType<PostEvent, Context>({
  name: 'PostCreated',
  fields: { id: { type: new GraphQLNonNull(GraphQLID) }, title: { type: new GraphQLNonNull(GraphQLString) } },
});

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString, resolve: () => 'ok' } } }),
  subscription: new GraphQLObjectType<unknown, Context>({
    name: 'Subscription',
    fields: {
      postCreated: {
        type: new GraphQLNonNull(PostCreated),
        args: { authorId: { type: new GraphQLNonNull(GraphQLID) } },
        // Filter at the source, before any per-event execution.
        subscribe: (_root, args: { authorId: string }, ctx: Context) =>
          boundedEvents<PostEvent>(ctx.bus, 'post', ctx.signal, (event) => event.authorId === args.authorId, MAX_QUEUED_EVENTS),
        resolve: (event: unknown) => event as PostEvent, // the selection set runs against each event
      },
    },
  }),
});

const bus = new EventEmitter();
const connection = new AbortController(); // one per client connection: aborted when the socket closes
const stream = await subscribe({
  schema,
  document: parse('subscription S($a: ID!) { postCreated(authorId: $a) { id title } }'),
  variableValues: { a: 'u1' },
  contextValue: { bus, signal: connection.signal },
});
if (!(Symbol.asyncIterator in stream)) throw new AggregateError((stream as ExecutionResult).errors ?? [], 'subscribe failed');
// The source is an async generator: nothing listens until the first next() pulls it.
console.log(`listeners after subscribe(), before the first next(): ${bus.listenerCount('post')}`);

const received: string[] = [];
const consumer = (async () => {
  for await (const result of stream) {
    received.push(JSON.stringify(result));
    if (received.length === 2) break; // break calls return(): the source generator is closed
  }
})();
console.log(`listeners once the consumer pulls: ${bus.listenerCount('post')}`);

for (const [i, authorId] of ['u1', 'u2', 'u1', 'u1'].entries()) {
  await new Promise(setImmediate);
  bus.emit('post', { id: String(i + 1), authorId, title: `t${i + 1}` });
}
await Promise.race([
  consumer,
  new Promise((_, reject) => setTimeout(() => reject(new Error('consumer did not finish')), 2_000).unref()),
]);
console.log(received.join('\n'));
console.log(`listeners after the client stopped: ${bus.listenerCount('post')}`);

// A subscription whose client vanishes without calling return(): the connection's signal ends it.
const second = await subscribe({
  schema,
  document: parse('subscription { postCreated(authorId: "u2") { id } }'),
  contextValue: { bus, signal: connection.signal },
});
if (!(Symbol.asyncIterator in second)) throw new Error('subscribe failed');
const pending = second.next();
console.log(`listeners with a second subscriber: ${bus.listenerCount('post')}`);
connection.abort(new Error('socket closed'));
const outcome = await pending.then((r) => `done=${r.done}`, (err: Error) => `rejected: ${err.name}: ${err.message}`);
console.log(`after abort: ${outcome}, listeners ${bus.listenerCount('post')}`);

// A slow subscriber: 20 matching events arrive while it has not pulled, more than it may queue.
const slowConnection = new AbortController();
const slow = await subscribe({
  schema,
  document: parse('subscription { postCreated(authorId: "u3") { id } }'),
  contextValue: { bus, signal: slowConnection.signal },
});
if (!(Symbol.asyncIterator in slow)) throw new Error('subscribe failed');
const slowPending = slow.next();
for (let i = 1; i <= 20; i++) bus.emit('post', { id: `s${i}`, authorId: 'u3', title: `s${i}` });
const slowOutcome = await slowPending.then((r) => `done=${r.done}`, (err: Error) => `rejected: ${err.name}: ${err.message}`);
console.log(`slow subscriber: ${slowOutcome}, listeners ${bus.listenerCount('post')}`);
slowConnection.abort();
