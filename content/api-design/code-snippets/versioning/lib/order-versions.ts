// The version changes of a small orders API, shared by date-versions.ts and the benchmark.
import { VersionChain } from './version-changes.ts';
import type { JsonObject, VersionChange } from './version-changes.ts';

const orders = new Set(['order']);

const changes: VersionChange[] = [
  {
    version: '2024-03-01',
    description: 'amount becomes { value, currency } in minor units; top-level currency removed',
    resources: orders,
    up: ({ amount, currency, ...rest }) => ({ ...rest, amount: { value: amount ?? null, currency: currency ?? null } }),
    down: ({ amount, ...rest }) => {
      // amount is null when a new-shape client omitted it; the old shape then has two nulls.
      const { value = null, currency = null } = (amount ?? {}) as JsonObject;
      return { ...rest, amount: value, currency };
    },
  },
  {
    version: '2024-09-01',
    description: "status 'pending' is split into 'requires_payment' and 'requires_capture'",
    resources: orders,
    // No up(): clients never send status. Old clients see the old, coarser value.
    down: (body) => (body.status === 'requires_payment' || body.status === 'requires_capture' ? { ...body, status: 'pending' } : body),
  },
  {
    version: '2025-02-01',
    description: 'note is renamed to description',
    resources: orders,
    up: ({ note, ...rest }) => (note === undefined ? rest : { ...rest, description: note }),
    down: ({ description, ...rest }) => (description === undefined ? rest : { ...rest, note: description }),
  },
];

export const orderVersions = new VersionChain('2023-10-16', changes);
