// Little's law and an adaptive concurrency limit, in a deterministic simulation.
// The server has 8 workers and 50 ms of work per request: it completes at most 160 requests
// per second, and by Little's law (L = throughput x latency) 160/s x 0.05 s = 8 requests in
// flight is all it can use. More concurrency only adds queueing. A client with unlimited
// demand keeps `limit` requests in flight; the limit is either fixed or adapted with the
// Vegas rule from Netflix's concurrency-limits README: estimate the queue as
// limit x (1 - minRTT / sampleRTT), add 1 when it is below alpha, remove 1 when above beta.
// Not modelled: noisy latency (the library smooths and resets minRTT), several clients.
const WORKERS = 8;
const SERVICE_MS = 50;
const END_MS = 20_000;

function run(initialLimit: number, adapt: boolean): { throughput: number; meanRtt: number; trace: number[]; final: number } {
  const alpha = 3;
  const beta = 6;
  let limit = initialLimit;
  const queue: number[] = []; // send times, FIFO
  const workers: Array<{ sentAt: number; doneAt: number } | undefined> = new Array(WORKERS).fill(undefined);
  let inFlight = 0;
  let completed = 0;
  let rttSum = 0;
  let minRtt = Infinity;
  let windowRtt = 0;
  let windowN = 0;
  const trace: number[] = [];
  for (let now = 0; now < END_MS; now++) {
    for (let w = 0; w < WORKERS; w++) {
      const job = workers[w];
      if (job && job.doneAt <= now) {
        const rtt = now - job.sentAt;
        workers[w] = undefined;
        inFlight -= 1;
        if (now >= END_MS / 2) { completed += 1; rttSum += rtt; } // measure the second half only
        minRtt = Math.min(minRtt, rtt);
        windowRtt += rtt;
        windowN += 1;
      }
    }
    while (inFlight < limit) { queue.push(now); inFlight += 1; } // the client fills its limit
    for (let w = 0; w < WORKERS && queue.length; w++) {
      if (!workers[w]) workers[w] = { sentAt: queue.shift() as number, doneAt: now + SERVICE_MS };
    }
    if (adapt && now % 100 === 99 && windowN > 0) { // a 100 ms sampling window
      const sampleRtt = windowRtt / windowN;
      const queueEstimate = limit * (1 - minRtt / sampleRtt);
      if (queueEstimate < alpha) limit += 1;
      else if (queueEstimate > beta) limit = Math.max(1, limit - 1);
      windowRtt = 0;
      windowN = 0;
    }
    if (now % 2000 === 1999) trace.push(limit);
  }
  return { throughput: completed / (END_MS / 2 / 1000), meanRtt: rttSum / completed, trace, final: limit };
}

console.log(`server: ${WORKERS} workers x ${SERVICE_MS} ms -> at most ${(WORKERS * 1000) / SERVICE_MS}/s; Little's law: ${(WORKERS * 1000) / SERVICE_MS}/s x ${SERVICE_MS / 1000} s = ${WORKERS} in flight`);
console.log('fixed limits (second half of a 20 s run):');
for (const limit of [2, 4, 8, 16, 64]) {
  const r = run(limit, false);
  console.log(`  limit ${String(limit).padStart(2)}: ${r.throughput.toFixed(0).padStart(3)} req/s, mean latency ${r.meanRtt.toFixed(0).padStart(3)} ms`);
}
const v = run(1, true);
console.log(`Vegas from limit 1, every 2 s: ${v.trace.join(' ')}`);
console.log(`  settles at ${v.final} (8 + a queue between alpha 3 and beta 6): ${v.throughput.toFixed(0)} req/s, mean latency ${v.meanRtt.toFixed(0)} ms`);
