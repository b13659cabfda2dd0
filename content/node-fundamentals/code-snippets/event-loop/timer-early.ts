// Is a setTimeout delay a lower bound? Measured with performance.now(), no: libuv keeps
// its loop time in whole milliseconds (loop->time = uv__hrtime() / 1e6, truncated), and a
// timer armed at loop time L with delay d is due when the loop time reaches L + d. If the
// real clock read 100.9 ms when the timer was armed, L is 100, and the timer is due at
// real time 101 + (d - 1): up to about 1 ms early (nodejs/node#26578, libuv/libuv#4773).
//
// Whether an early timer actually fires early depends on whether the loop wakes up and
// checks its timers between the due time and the real deadline. An idle loop sleeps in
// epoll_wait for the full timeout and rarely does; a busy loop (here: a setImmediate
// spinner standing in for a stream of I/O callbacks) checks every iteration and often does.
const TIMERS = 300;

interface Run {
  early: number;
  worstMs: number;
}

async function measure(busy: boolean): Promise<Run> {
  let spinning = busy;
  const spin = (): void => {
    if (spinning) setImmediate(spin);
  };
  if (busy) setImmediate(spin);
  let early = 0;
  let worstMs = 0;
  try {
    for (let i = 0; i < TIMERS; i++) {
      const delay = 1 + (i % 3); // 1, 2 and 3 ms
      const start = performance.now();
      const elapsed = await new Promise<number>((resolve) => {
        setTimeout(() => resolve(performance.now() - start), delay);
      });
      if (elapsed < delay) {
        early++;
        worstMs = Math.max(worstMs, delay - elapsed);
      }
    }
  } finally {
    spinning = false; // stop the spinner on every path
  }
  return { early, worstMs };
}

const idle = await measure(false);
const busy = await measure(true);
console.log(`idle loop: ${idle.early} of ${TIMERS} timers fired before their delay`);
console.log(`busy loop: ${busy.early} of ${TIMERS} timers fired before their delay`);
console.log(`busy loop: some timers fired early: ${busy.early > 0}`);
console.log(`earliest fire: ${Math.max(idle.worstMs, busy.worstMs).toFixed(3)} ms before the delay`);
