// Every cluster worker is a process with its own V8 heap and its own heap limit, sized at
// start-up from the memory Node sees (the cgroup limit when there is one). Each worker's
// default is a share of the whole container's memory (about half of a 2 GiB limit on Node
// 22.18.0 and 24.22.3), so N workers together can grow far beyond what the container allows.
import cluster from 'node:cluster';
import { once } from 'node:events';
import { getHeapStatistics } from 'node:v8';
import type { Worker } from 'node:cluster';

const MiB = 1024 * 1024;

async function heapLimitOf(worker: Worker): Promise<number> {
  const [limit] = (await once(worker, 'message')) as [number];
  const exited = once(worker, 'exit');
  worker.disconnect();
  await exited;
  return limit;
}

if (cluster.isPrimary) {
  const own = getHeapStatistics().heap_size_limit;
  const constrained = process.constrainedMemory();
  console.log(`node ${process.version}: constrainedMemory() ${constrained === 0 || constrained > 2 ** 52 ? 'reports no limit' : `${Math.round(constrained / MiB)} MiB`}; ` +
    `primary heap_size_limit ${Math.round(own / MiB)} MiB`);

  const defaults = await Promise.all([cluster.fork(), cluster.fork()].map(heapLimitOf));
  console.log(`2 workers with no flag: each has the same limit as the primary: ${defaults.every((l) => l === own)}`);

  // Size each worker explicitly: the container's memory, minus the primary and native
  // overhead, divided by the number of workers. --max-old-space-size sets the old
  // generation; heap_size_limit adds the young generation on top.
  cluster.setupPrimary({ execArgv: ['--max-old-space-size=256'] });
  const at256 = await heapLimitOf(cluster.fork());
  cluster.setupPrimary({ execArgv: ['--max-old-space-size=384'] });
  const at384 = await heapLimitOf(cluster.fork());
  console.log(`--max-old-space-size=256 -> heap_size_limit ${Math.round(at256 / MiB)} MiB; ` +
    `raising the flag by 128 raised the limit by ${Math.round((at384 - at256) / MiB)} MiB`);
} else {
  process.send?.(getHeapStatistics().heap_size_limit);
}
