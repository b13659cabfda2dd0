// The four call types on real @grpc/grpc-js, one server, one channel. Every call has a
// deadline; ListItems and Sync are also tied to an AbortSignal, and so is the upload that
// the driver cancels.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { closeAll, inventory, startServer, statusName, unary } from './lib/grpc-helpers.ts';

interface Item { sku: string; name: string; quantity: number; delta: number; bins: number[] }
// The last message of an upload: no item, only the client's declaration (inventory.proto fields 6, 7).
interface UploadEnd { uploadId?: string; uploadCount?: number }
interface Summary { count: number; totalQuantity: number }
interface SyncMessage { sku: string; seq: number }

const STOCK: Item[] = [
  { sku: 'A1', name: 'bolt', quantity: 150, delta: 0, bins: [1] },
  { sku: 'B2', name: 'nut', quantity: 40, delta: -2, bins: [2, 3] },
  { sku: 'C3', name: 'washer', quantity: 0, delta: 5, bins: [] },
];

// The store UploadItems commits to. A real service does this in one transaction with a
// unique key on the upload id (and expires old ids); here a Map of promises stands in. The
// promise is stored before the write starts, so a retry that arrives while the first attempt
// is still writing waits for that write instead of starting a second one. A digest of the
// items, in order, is stored with it: the same id with other items (or the same items in
// another order) is a client bug, not a retry; an honest retry resends them in the same order.
const COMMIT_MS = 300; // the simulated write takes this long
// An upload waits in memory until its final message, so the handler bounds it: by count, by
// the decoded items' heap cost, and in time, and refuses at once when any is passed. A bound
// per upload is not a bound per server (100 idle uploads of 1 MiB each are 100 MiB), so the
// uploads together get a budget too, and new ones are refused while it is nearly spent. The
// values are this service's, not defaults: size them from the heap you can spare and from
// your slowest honest client (the idle timer here is short so that the snippet runs in seconds).
const MAX_UPLOAD_ITEMS = 1_000;
const MAX_UPLOAD_COST = 1024 * 1024; // decoded bytes held per upload (itemCost, below)
const MAX_HELD_COST = 4 * 1024 * 1024; // decoded bytes held by all open uploads together
const MAX_OPEN_UPLOADS = 64; // open uploads in the process, whatever they hold
const UPLOAD_IDLE_MS = 1_000; // longest wait for the next message
const UPLOAD_TOTAL_MS = 10_000; // longest upload, from its start to end()
const MAX_MESSAGE_BYTES = 16 * 1024; // grpc.max_receive_message_length, below
const MAX_STREAMS = 100; // grpc.max_concurrent_streams: calls at once per connection, below
class UploadIdReused extends Error {}
const commits = new Map<string, { digest: string; done: Promise<Summary> }>();
const ledger = { uploads: 0, items: 0 }; // what was actually written
const held = { uploads: 0, items: 0, cost: 0, peakItems: 0, peakCost: 0 }; // buffered by open uploads
function commitOnce(uploadId: string, items: Item[]): Promise<Summary> {
  const digest = createHash('sha256').update(JSON.stringify(items)).digest('hex');
  const existing = commits.get(uploadId);
  if (existing) return existing.digest === digest ? existing.done : Promise.reject(new UploadIdReused());
  const done = new Promise<Summary>((resolve) => setTimeout(resolve, COMMIT_MS)).then(() => {
    ledger.uploads += 1;
    ledger.items += items.length;
    return { count: items.length, totalQuantity: items.reduce((sum, i) => sum + i.quantity, 0) };
  });
  commits.set(uploadId, { digest, done });
  done.catch(() => commits.delete(uploadId)); // a failed write may be retried
  return done;
}

const { Client } = inventory();
// What a decoded Item costs on the V8 heap, rounded up: measured on Node 22 and 24, an Item
// is about 160 bytes, a string 1-2 bytes a character, an element of `bins` about 11 bytes.
// Encoded size undercounts: 16 KB of packed `bins` decodes to about 180 KB of objects.
// Every string field counts, so no field can carry bytes the budget does not see.
const itemCost = (m: Item & UploadEnd) => 256 + 2 * (m.sku.length + m.name.length + (m.uploadId?.length ?? 0)) + 16 * m.bins.length;
const running = await startServer((server) => {
  server.addService(Client.service, {
    GetItem(call: grpc.ServerUnaryCall<{ sku: string }, Item>, callback: grpc.sendUnaryData<Item>) {
      const item = STOCK.find((i) => i.sku === call.request.sku);
      if (!item) callback({ code: grpc.status.NOT_FOUND, details: `no item ${call.request.sku}` });
      else callback(null, item);
    },
    async ListItems(call: grpc.ServerWritableStream<{ limit: number }, Item>) {
      const ac = new AbortController();
      call.on('cancelled', () => ac.abort()); // client gone or deadline passed
      try {
        for (const item of STOCK.slice(0, call.request.limit || STOCK.length)) {
          if (call.cancelled) return;
          // write() false = buffers full: wait for 'drain' (flow-control.ts shows this under load)
          if (!call.write(item)) await once(call, 'drain', { signal: ac.signal });
        }
        call.end();
      } catch {
        // cancelled while waiting for 'drain': nobody is reading, send nothing more
      }
    },
    UploadItems(call: grpc.ServerReadableStream<Item & UploadEnd, Summary>, callback: grpc.sendUnaryData<Summary>) {
      // grpc-js 1.14.7 emits 'end' for a cancelled or expired upload too, usually before
      // 'cancelled', so 'end' does not prove the upload is complete, and neither does
      // call.cancelled (still false in that 'end'). Only the client's final message does.
      let items: Item[] = [];
      let cost = 0;
      let declared: Required<UploadEnd> | undefined;
      let answered = false;
      let ended = false;
      let open = true;
      // Drop what is buffered and stop the timers; the commit, if any, has its own copy.
      const close = () => {
        if (!open) return;
        open = false;
        clearTimeout(idle);
        clearTimeout(total);
        held.uploads -= 1;
        held.items -= items.length;
        held.cost -= cost;
        items = [];
        cost = 0;
      };
      const answer = (error: grpc.ServiceError | Partial<grpc.StatusObject> | null, summary?: Summary) => {
        if (answered) return;
        answered = true;
        close();
        callback(error, summary);
      };
      // Answer now, without waiting for 'end', and drop what is buffered. Once the status is
      // sent, grpc-js 1.14.7 marks the call cancelled and discards the frames that still arrive
      // without decoding them (server-interceptors.js notifyOnCancel, handleDataFrame).
      const refuse = (code: grpc.status, why: string, metadata?: grpc.Metadata) => {
        call.removeListener('data', onData);
        answer({ code, details: `${why}: nothing committed`, metadata });
      };
      // Time limits of the server's own: a client that sets no deadline and never ends would
      // otherwise be held as long as its connection lives (grpc-js has no per-call timeout).
      const idle = setTimeout(() => refuse(grpc.status.DEADLINE_EXCEEDED, `no message for ${UPLOAD_IDLE_MS} ms`), UPLOAD_IDLE_MS);
      const total = setTimeout(() => refuse(grpc.status.DEADLINE_EXCEEDED, `not complete after ${UPLOAD_TOTAL_MS} ms`), UPLOAD_TOTAL_MS);
      // Full: refuse before reading anything, with a retry hint. grpc-js clients honour
      // grpc-retry-pushback-ms when their retry policy lists the code; the jitter keeps the
      // refused clients from all coming back at the same moment.
      const full = () => {
        const hint = new grpc.Metadata();
        hint.set('grpc-retry-pushback-ms', String(UPLOAD_IDLE_MS + Math.floor(Math.random() * UPLOAD_IDLE_MS)));
        refuse(grpc.status.RESOURCE_EXHAUSTED, 'server is holding too many uploads', hint);
      };
      const onData = (m: Item & UploadEnd) => {
        idle.refresh();
        if (declared) return refuse(grpc.status.INVALID_ARGUMENT, 'a message after the final one');
        // Fields 6 and 7 mark the final message, and only it: an item carrying either one, or a
        // final message missing one, is refused (it would otherwise be buffered as an item).
        if (m.uploadId !== undefined || m.uploadCount !== undefined) {
          if (m.uploadId === undefined || m.uploadCount === undefined) return refuse(grpc.status.INVALID_ARGUMENT, 'a final message needs both upload_id and upload_count');
          declared = { uploadId: m.uploadId, uploadCount: m.uploadCount };
          return;
        }
        const size = itemCost(m);
        if (items.length === MAX_UPLOAD_ITEMS) return refuse(grpc.status.RESOURCE_EXHAUSTED, `more than ${MAX_UPLOAD_ITEMS} items`);
        if (cost + size > MAX_UPLOAD_COST) return refuse(grpc.status.RESOURCE_EXHAUSTED, `more than ${MAX_UPLOAD_COST} bytes of items`);
        if (held.cost + size > MAX_HELD_COST) return full(); // uploads admitted earlier grew together
        items.push(m);
        cost += size;
        held.items += 1;
        held.cost += size;
        held.peakItems = Math.max(held.peakItems, held.items);
        held.peakCost = Math.max(held.peakCost, held.cost);
      };
      held.uploads += 1;
      // Admit a new upload only while one more full upload fits under the budget.
      if (held.uploads > MAX_OPEN_UPLOADS || held.cost + MAX_UPLOAD_COST > MAX_HELD_COST) return full();
      call.on('data', onData);
      // A stream error. (A message that fails to deserialize never gets here: grpc-js answers
      // INTERNAL "Error deserializing request" itself, and the handler sees only 'cancelled'.)
      call.on('error', () => refuse(grpc.status.INVALID_ARGUMENT, 'stream error'));
      call.on('cancelled', () => { if (!ended) { answered = true; close(); } }); // nobody reads an answer
      call.on('end', () => {
        ended = true;
        if (answered) return;
        const got = items;
        close();
        // cancelled, expired, or a client that predates fields 6 and 7: commit nothing
        if (!declared) return answer({ code: grpc.status.FAILED_PRECONDITION, details: 'no final message: nothing committed' });
        if (!declared.uploadId || declared.uploadCount !== got.length) {
          return answer({ code: grpc.status.INVALID_ARGUMENT, details: `declared ${declared.uploadCount} items, got ${got.length}: nothing committed` });
        }
        // Declared complete: commit, even if the call is cancelled meanwhile. The client that
        // saw the failure retries with the same upload id and gets this commit's summary.
        commitOnce(declared.uploadId, got).then(
          (summary) => answer(null, summary),
          (error) => answer(error instanceof UploadIdReused
            ? { code: grpc.status.INVALID_ARGUMENT, details: `upload id ${declared!.uploadId} was used for other items: nothing committed` }
            : { code: grpc.status.UNAVAILABLE, details: 'commit failed; retry with the same upload id' }),
        );
      });
    },
    Sync(call: grpc.ServerDuplexStream<SyncMessage, SyncMessage>) {
      call.on('data', (m: SyncMessage) => {
        // echo, acknowledged; stop reading while the client is not reading our answers
        if (!call.write({ sku: m.sku, seq: m.seq * 10 })) { call.pause(); call.once('drain', () => call.resume()); }
      });
      call.on('cancelled', () => call.removeAllListeners('data')); // the client is gone: write nothing more
      call.on('end', () => call.end());
    },
  });
}, { 'grpc.max_receive_message_length': MAX_MESSAGE_BYTES, 'grpc.max_concurrent_streams': MAX_STREAMS });

const client = new Client(running.address, grpc.credentials.createInsecure());
const deadline = (ms: number): grpc.Deadline => Date.now() + ms;

interface UploadOptions { timeoutMs: number; cancelAfterMs?: number; stall?: boolean; noFinal?: boolean }
// One upload attempt. stall: stop after two items and never end (the deadline passes);
// cancelAfterMs: the same, then cancel; noFinal: send every item and end() without declaring.
function upload(c: grpc.Client, uploadId: string, items: Item[], o: UploadOptions): Promise<Summary> {
  return new Promise<Summary>((resolve, reject) => {
    const call = (c as unknown as Record<string, Function>).UploadItems!.call(c, { deadline: deadline(o.timeoutMs) },
      (error: grpc.ServiceError | null, res: Summary) => (error ? reject(error) : resolve(res))) as grpc.ClientWritableStream<Item | UploadEnd>;
    if (o.cancelAfterMs !== undefined) bindSignal(call, AbortSignal.timeout(o.cancelAfterMs));
    const partial = o.stall || o.cancelAfterMs !== undefined;
    for (const i of partial ? items.slice(0, 2) : items) call.write(i);
    if (partial) return;
    if (!o.noFinal) call.write({ uploadId, uploadCount: items.length });
    call.end();
  });
}

// Ties a streaming call's lifetime to a signal: abort -> cancel -> CANCELLED on the client.
function bindSignal(call: { cancel(): void }, signal: AbortSignal): void {
  if (signal.aborted) call.cancel();
  else signal.addEventListener('abort', () => call.cancel(), { once: true });
}

try {
  // 1. Unary: one request message, one response message.
  const item = await unary<{ sku: string }, Item>(client, 'GetItem', { sku: 'B2' }, { deadline: deadline(1_000) });
  console.log('unary         ->', JSON.stringify(item));
  try {
    await unary(client, 'GetItem', { sku: 'Z9' }, { deadline: deadline(1_000) });
  } catch (error) {
    const e = error as grpc.ServiceError;
    console.log('unary error   ->', statusName(e.code), `"${e.details}"`, e instanceof Error);
  }

  // 2. Server streaming: the response is a Readable; the status arrives after the last message.
  const list = client.ListItems({ limit: 2 }, { deadline: deadline(1_000) }) as grpc.ClientReadableStream<Item>;
  bindSignal(list, AbortSignal.timeout(1_000));
  const status = once(list, 'status') as Promise<[grpc.StatusObject]>;
  const skus: string[] = [];
  for await (const i of list as AsyncIterable<Item>) skus.push(i.sku);
  console.log('server stream ->', skus.join(','), 'then status', statusName((await status)[0].code));

  // 3. Client streaming: write many, then the final message that declares the end, then end().
  const settle = () => new Promise((resolve) => setTimeout(resolve, 100)); // let the server's 'end' run
  const committed = () => `committed: ${ledger.uploads} upload(s), ${ledger.items} item(s)`;
  const failure = (e: unknown) => { // the server's own details; grpc-js's carry timings
    const { code, details } = e as grpc.ServiceError;
    return code === grpc.status.CANCELLED || code === grpc.status.DEADLINE_EXCEEDED ? statusName(code) : `${statusName(code)} "${details}"`;
  };
  console.log('client stream ->', JSON.stringify(await upload(client, 'u-1', STOCK, { timeoutMs: 1_000 })), committed());
  // cancelled after two items (the batch the old handler committed), a deadline passing
  // mid-upload, and a client built before fields 6 and 7 (every item and end(), no declaration)
  const cases = [['cancelled', { cancelAfterMs: 50 }], ['deadline', { timeoutMs: 100, stall: true }], ['no final', { noFinal: true }]] as const;
  for (const [label, how] of cases) {
    const outcome = await upload(client, `u-${label}`, STOCK, { timeoutMs: 1_000, ...how }).then((s) => JSON.stringify(s), failure);
    await settle();
    console.log(label.padEnd(13), '->', outcome, committed());
  }
  // the first attempt's answer is lost (its deadline passes while the commit is still
  // writing), and the client retries the same upload id: one write, not two
  console.log('attempt 1     ->', await upload(client, 'u-2', STOCK, { timeoutMs: 100 }).then((s) => JSON.stringify(s), failure));
  console.log('retry         ->', JSON.stringify(await upload(client, 'u-2', STOCK, { timeoutMs: 1_000 })), committed());
  // the same id with other items: a client bug, refused instead of answered with u-2's summary
  console.log('other items   ->', await upload(client, 'u-2', STOCK.slice(0, 1), { timeoutMs: 1_000 }).then((s) => JSON.stringify(s), failure), committed());

  // A client that never ends its upload (a bug, or hostile). It honours write()'s backpressure
  // and stops only when the server answers; the answer must come without end() or a deadline.
  const flood = async (label: string, make: (n: number) => Item) => {
    let answer: string | undefined;
    const started = Date.now();
    const call = (client as unknown as Record<string, Function>).UploadItems!.call(client, { deadline: deadline(5_000) },
      (error: grpc.ServiceError | null) => { answer = error ? failure(error) : 'OK'; }) as grpc.ClientWritableStream<Item>;
    const answered = new Promise<void>((resolve) => call.on('status', () => resolve()));
    let sent = 0;
    while (answer === undefined) {
      if (!call.write(make(sent++))) await Promise.race([once(call, 'drain'), answered]);
    }
    const when = Date.now() - started < 5_000 ? 'before the deadline' : 'only at the deadline';
    console.log(label.padEnd(13), '->', answer, `${when}, no end() sent`);
  };
  await flood('too many', (n) => ({ sku: `S${n}`, name: '', quantity: 1, delta: 0, bins: [] }));
  await flood('too large', (n) => ({ sku: `L${n}`, name: 'x'.repeat(10_000), quantity: 1, delta: 0, bins: [] }));
  await flood('one huge item', (n) => ({ sku: `H${n}`, name: 'x'.repeat(20_000), quantity: 1, delta: 0, bins: [] }));
  await settle();
  // Clients that set no deadline, send five items of 11,000 bins (about 0.84 MiB decoded) and
  // then nothing. Four fit under the 4 MiB budget; the fifth is refused at once. (The driver
  // shares the server's process, so it waits on `held` to know the server has the items.)
  const big = (n: number): Item => ({ sku: `I${n}`, name: '', quantity: 1, delta: 0, bins: Array<number>(11_000).fill(1) });
  const idleUpload = (n: number) => new Promise<string>((resolve) => {
    const started = Date.now();
    const call = (client as unknown as Record<string, Function>).UploadItems!.call(client, {},
      (error: grpc.ServiceError | null) => {
        const hint = error?.metadata.get('grpc-retry-pushback-ms')[0];
        const after = hint === undefined ? ` after ${Date.now() - started >= UPLOAD_IDLE_MS ? 'at least' : 'less than'} ${UPLOAD_IDLE_MS} ms` : '';
        const retry = hint === undefined ? '' : `, retry hint ${Number(hint) >= UPLOAD_IDLE_MS && Number(hint) < 2 * UPLOAD_IDLE_MS ? `${UPLOAD_IDLE_MS}-${2 * UPLOAD_IDLE_MS - 1}` : hint} ms`;
        resolve(error ? `${statusName(error.code)} "${error.details}"${retry}${after}` : 'OK');
      }) as grpc.ClientWritableStream<Item>;
    for (let i = 0; i < 5; i++) call.write(big(n * 10 + i));
  });
  const until = async (ok: () => boolean) => { for (let t = 0; !ok() && t < 200; t++) await new Promise((r) => setTimeout(r, 10)); };
  const idlers: Promise<string>[] = [];
  for (let n = 1; n <= 4; n++) {
    idlers.push(idleUpload(n));
    await until(() => held.items === 5 * n);
  }
  console.log('budget        -> 4 idle uploads hold', `${held.cost} of ${MAX_HELD_COST} bytes;`, 'a 5th:', await idleUpload(5));
  const timedOut = await Promise.all(idlers);
  console.log('idle upload   ->', timedOut[0], timedOut.every((o) => o === timedOut[0]) ? '(all 4)' : timedOut.slice(1).join('; '));
  await settle();
  console.log('held          -> now', `${held.uploads} uploads / ${held.items} items / ${held.cost} bytes;`, 'at most', `${held.peakItems} items / ${held.peakCost} bytes at once`);

  // 4. Bidirectional: both sides read and write independently on one HTTP/2 stream.
  const sync = client.Sync({ deadline: deadline(1_000) }) as grpc.ClientDuplexStream<SyncMessage, SyncMessage>;
  bindSignal(sync, AbortSignal.timeout(1_000));
  const acks: number[] = [];
  const done = new Promise<void>((resolve, reject) => {
    sync.on('data', (m: SyncMessage) => acks.push(m.seq));
    sync.on('error', reject);
    sync.on('end', resolve);
  });
  for (let seq = 1; seq <= 3; seq++) sync.write({ sku: 'A1', seq });
  sync.end();
  await done;
  console.log('bidi          ->', acks.join(','));
} finally {
  await closeAll(() => client.close(), () => running.close());
}
