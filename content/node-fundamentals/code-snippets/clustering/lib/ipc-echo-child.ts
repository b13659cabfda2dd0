// Child process for child-process.ts: echoes every IPC message back, with the
// type the child saw, then exits when the parent disconnects.
function describe(value: unknown): string {
  if (value instanceof Map) return `Map(${value.size})`;
  if (value instanceof Date) return 'Date';
  if (typeof value === 'bigint') return 'bigint';
  if (value === null) return 'null';
  return Array.isArray(value) ? 'Array' : typeof value;
}

process.on('message', (msg: Record<string, unknown>) => {
  const types = Object.entries(msg).map(([k, v]) => `${k}:${describe(v)}`);
  process.send?.(types.join(' '));
});
