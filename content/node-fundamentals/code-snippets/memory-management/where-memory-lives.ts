// Where the bytes live: the V8 heap versus memory outside it, as process.memoryUsage()
// reports them. Needs --expose-gc (set in snippets.json) to measure after a full GC.
declare const gc: () => void;

const MiB = 2 ** 20;
type Usage = ReturnType<typeof process.memoryUsage>;

function usage(): Usage {
  gc();
  return process.memoryUsage();
}
function delta(after: Usage, before: Usage, field: keyof Usage): number {
  return (after[field] - before[field]) / MiB;
}
const mib = (n: number): string => (Math.abs(n) < 0.05 ? '0.0' : n.toFixed(1));

// 1. A 64 MiB Buffer: accounted in external and arrayBuffers, not in the V8 heap.
const before = usage();
const big = Buffer.alloc(64 * MiB);
const allocated = usage();
console.log(`Buffer.alloc(64 MiB): heapUsed ${mib(delta(allocated, before, 'heapUsed'))} MiB, arrayBuffers +${mib(delta(allocated, before, 'arrayBuffers'))} MiB`);
// Absolute, not a delta: dead backing stores (some of Node's own start-up buffers) are
// released after the GC that found them, not necessarily by the time gc() returns, so a
// delta taken across that moment can come out a few MiB short.
console.log(`  arrayBuffers now >= 64 MiB: ${allocated.arrayBuffers >= 64 * MiB}`);
console.log(`  external includes arrayBuffers: ${allocated.external >= allocated.arrayBuffers}`);
console.log(`  heapUsed grew by < 1 MiB: ${delta(allocated, before, 'heapUsed') < 1}`);
// Zeroed memory from the OS is mapped lazily: resident only once it is written.
console.log(`  rss right after allocation: ${mib(delta(allocated, before, 'rss'))} MiB`);
big.fill(0xab);
const touched = usage();
console.log(`  rss after writing every page: +${mib(delta(touched, before, 'rss'))} MiB`);
console.log(`  rss grew by at least 3/4 of the buffer: ${delta(touched, before, 'rss') >= 48}`);

// 2. Half a million small strings: all of it on the V8 heap.
const beforeStrings = usage();
const ids: string[] = [];
for (let i = 0; i < 500_000; i++) ids.push(`session-${i}`);
const afterStrings = usage();
console.log(`500,000 strings: heapUsed grew by >= 10 MiB: ${delta(afterStrings, beforeStrings, 'heapUsed') >= 10}`);
console.log(`  external grew by < 1 MiB: ${delta(afterStrings, beforeStrings, 'external') < 1}`);

// 3. The Buffer pool: small allocUnsafe() buffers are slices of one shared ArrayBuffer.
const a = Buffer.allocUnsafe(100);
const b = Buffer.allocUnsafe(100);
console.log(`Buffer.poolSize: ${Buffer.poolSize}`);
console.log(`two allocUnsafe(100) share one ArrayBuffer: ${a.buffer === b.buffer}`);
console.log(`two alloc(100) share one ArrayBuffer: ${Buffer.alloc(100).buffer === Buffer.alloc(100).buffer}`);

// 4. A view keeps its whole backing store alive: 16 bytes pin 64 MiB.
const header = big.subarray(0, 16);
console.log(`16-byte subarray pins a backing store of ${header.buffer.byteLength / MiB} MiB`);
const copy = Buffer.copyBytesFrom(header);
console.log(`Buffer.copyBytesFrom copy has its own small store: ${copy.buffer !== big.buffer && copy.buffer.byteLength < MiB}`);
console.log(`kept alive: ${ids.length} ids, ${header.length + copy.length} header bytes`);
