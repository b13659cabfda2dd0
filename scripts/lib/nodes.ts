/** The supported Nodes that scripts/with-node.mjs provisioned, by version. */
export function supportedNodes(): [version: string, executable: string][] {
  const raw = process.env.BACKEND_STUDY_NODES;
  if (!raw) throw new Error('BACKEND_STUDY_NODES is not set: run this through scripts/with-node.mjs (see package.json)');
  const parsed: unknown = JSON.parse(raw);
  if (parsed === null || typeof parsed !== 'object') throw new Error('BACKEND_STUDY_NODES must be a JSON object');
  return Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
}

/** Runs `task` over `items` with at most `limit` at a time, keeping the results in order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
