// N+1 measured on a real graphql-js 17 schema: backend round trips for one page of posts
// with their authors, resolved one by one and then through a per-request DataLoader 2.2.3.
import { graphql } from 'graphql';
import { Backend } from './lib/backend.ts';
import { createContext, schema } from './lib/schema.ts';

const backend = new Backend(20, 500); // 20 users write 500 posts, so authors repeat
const query = (first: number): string => `{ posts(first: ${first}) { edges { node { title author { name } } } } }`;

console.log('first  resolver mode   backend calls  by method                         batch sizes');
for (const first of [10, 50, 100]) {
  for (const batched of [false, true]) {
    backend.resetCalls();
    const result = await graphql({ schema, source: query(first), contextValue: createContext(backend, { batched }) });
    if (result.errors) throw new AggregateError(result.errors, 'query failed');
    const c = backend.calls;
    console.log(
      `${String(first).padStart(5)}  ${(batched ? 'DataLoader' : 'naive').padEnd(14)}  ${String(c.total).padStart(13)}  ` +
        `${JSON.stringify(c.byMethod).padEnd(32)}  ${c.batchSizes.join(',') || '-'}`,
    );
  }
}

// The loader's cache is per request: two requests, two batches, even for the same ids.
backend.resetCalls();
await graphql({ schema, source: query(10), contextValue: createContext(backend, { batched: true }) });
await graphql({ schema, source: query(10), contextValue: createContext(backend, { batched: true }) });
console.log(`two requests, one loader each: usersByIds called ${backend.calls.byMethod['usersByIds']} times`);

// Two aliases of the same connection in one request share the loader: one batch, deduplicated.
backend.resetCalls();
await graphql({
  schema,
  source: '{ a: posts(first: 20) { edges { node { author { name } } } } b: posts(first: 20) { edges { node { author { id } } } } }',
  contextValue: createContext(backend, { batched: true }),
});
console.log(`two aliased pages in one request: ${JSON.stringify(backend.calls.byMethod)} batch sizes ${backend.calls.batchSizes.join(',')}`);

// A second level: each author's own posts. User.posts fetches by key (author, page), so it has a
// per-request loader too; without one it makes one postsPage call per parent post.
const twoLevels = '{ posts(first: 50) { edges { node { author { posts(first: 5) { edges { node { title author { name } } } } } } } } }';
for (const batched of [false, true]) {
  backend.resetCalls();
  const result = await graphql({ schema, source: twoLevels, contextValue: createContext(backend, { batched }) });
  if (result.errors) throw new AggregateError(result.errors, 'query failed');
  console.log(`two levels, ${(batched ? 'DataLoader' : 'naive').padEnd(10)}  backend calls ${String(backend.calls.total).padStart(3)}  ${JSON.stringify(backend.calls.byMethod)}  batch sizes ${backend.calls.batchSizes.join(',') || '-'}`);
}
