// Partitioning CPU-bound work: process a large array in time-boxed slices and
// yield to the event loop between slices, so timers, I/O and other requests
// keep being served. Cancellable with an AbortSignal.
import { setImmediate as yieldToLoop } from 'node:timers/promises';

export type SliceOptions = {
  /**
   * Stop early: the returned promise rejects with the signal's reason (by default a
   * DOMException named AbortError), whether the signal was aborted before the call or
   * fires while the job waits between slices.
   */
  signal?: AbortSignal;
  /** Longest stretch, in milliseconds, that one slice may hold the event loop. */
  budgetMs?: number;
};

export type SliceResult<A> = { value: A; slices: number };

const CLOCK_CHECK_EVERY = 256; // reading the clock costs too; check it every 256 items

export async function reduceInSlices<T, A>(
  items: readonly T[],
  reducer: (acc: A, item: T) => A,
  initial: A,
  { signal, budgetMs = 10 }: SliceOptions = {},
): Promise<SliceResult<A>> {
  if (!(budgetMs > 0)) throw new RangeError(`budgetMs must be > 0, got ${budgetMs}`);
  signal?.throwIfAborted();
  let acc = initial;
  let i = 0;
  let slices = 0;
  while (i < items.length) {
    slices += 1;
    const sliceEnd = performance.now() + budgetMs;
    do {
      acc = reducer(acc, items[i] as T);
      i += 1;
    } while (i < items.length && (i % CLOCK_CHECK_EVERY !== 0 || performance.now() < sliceEnd));
    // setImmediate queues the continuation behind the I/O and timers that are
    // already due: the check phase comes after the poll phase, and the
    // timers phase follows before the next check phase. Passing the signal
    // makes an abort reject this await immediately.
    if (i < items.length) {
      try {
        await yieldToLoop(undefined, { signal });
      } catch (error) {
        // timers/promises rejects with its own AbortError (the reason as its `cause`);
        // rethrow the reason itself, as throwIfAborted() does above.
        if (signal?.aborted) throw signal.reason;
        throw error;
      }
    }
  }
  return { value: acc, slices };
}

// --- demo -------------------------------------------------------------------

function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}
const countPrimes = (count: number, n: number): number => (isPrime(n) ? count + 1 : count);
const numbers = Array.from({ length: 1_000_000 }, (_, i) => i);

// A 0 ms timer armed just before each job: how late does it fire?
function armProbe(): { fired: () => boolean; lateMs: () => number } {
  const armedAt = performance.now();
  let firedAt = -1;
  setTimeout(() => {
    firedAt = performance.now();
  }, 0);
  return { fired: () => firedAt >= 0, lateMs: () => firedAt - armedAt };
}

// 1. Blocking: one synchronous pass. The timer cannot fire until it is over.
{
  const probe = armProbe();
  const value = numbers.reduce(countPrimes, 0);
  console.log(`blocking:    ${value} primes; timer fired during the job: ${probe.fired()}`);
  await new Promise((resolve) => setTimeout(resolve, 0));
  console.log(`  timer fired ${probe.lateMs().toFixed(1)} ms after it was armed`);
}

// 2. Partitioned: same work in 5 ms slices. The timer fires between slices.
{
  const probe = armProbe();
  const { value, slices } = await reduceInSlices(numbers, countPrimes, 0, { budgetMs: 5 });
  console.log(`partitioned: ${value} primes; timer fired during the job: ${probe.fired()}`);
  console.log(`  yielded to the event loop: ${slices > 1}`);
  console.log(`  slices: ${slices}, timer fired ${probe.lateMs().toFixed(1)} ms after it was armed`);
}

// 3. Cancellation: abort while the job is waiting between slices.
{
  const controller = new AbortController();
  let processed = 0;
  const job = reduceInSlices(
    numbers,
    (acc: number, n: number) => {
      processed += 1;
      return countPrimes(acc, n);
    },
    0,
    { budgetMs: 5, signal: controller.signal },
  );
  // The first slice ran synchronously inside reduceInSlices; the job is now
  // parked at its first yield.
  controller.abort();
  try {
    await job;
    console.log('cancelled:   not cancelled (unexpected)');
  } catch (err) {
    const name = err instanceof Error ? err.name : String(err);
    console.log(`cancelled:   rejected with ${name}; stopped early: ${processed < numbers.length}`);
  }
}
