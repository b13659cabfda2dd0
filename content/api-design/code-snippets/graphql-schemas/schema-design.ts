// Schema design on graphql-js 17: what nullability does to a partial failure, which
// failures come back as data and which as top-level errors, and a Relay connection page.
import { buildSchema, graphql } from 'graphql';
import type { ExecutionResult } from 'graphql';
import { Backend } from './lib/backend.ts';
import { createContext, schema } from './lib/schema.ts';

const show = (label: string, result: ExecutionResult): void => {
  const errors = result.errors?.map((e) => ({ message: e.message, path: e.path, code: e.extensions['code'] }));
  console.log(`${label}\n  ${JSON.stringify({ ...('data' in result ? { data: result.data } : {}), ...(errors ? { errors } : {}) })}`);
};

// 1. Nullability decides how far one failed field reaches. Item 2's owner lookup fails.
const items = buildSchema(`
  type Item { id: ID!  ownerStrict: String!  ownerLenient: String }
  type Query { items: [Item!]! }
`);
const rootValue = {
  items: () =>
    [1, 2, 3].map((id) => {
      const owner = () => {
        if (id === 2) throw new Error('owner service timed out');
        return `owner-${id}`;
      };
      return { id, ownerStrict: owner, ownerLenient: owner };
    }),
};
show('nullable field: only that field is lost', await graphql({ schema: items, source: '{ items { id ownerLenient } }', rootValue }));
show('non-null field: the null climbs to data', await graphql({ schema: items, source: '{ items { id ownerStrict } }', rootValue }));

// 2. Expected failures of a mutation are part of its payload type: typed, selectable, no `errors`.
const backend = new Backend(3, 5);
const mutation = `mutation Create($input: CreatePostInput!) {
  createPost(input: $input) { post { id title } errors { code field message } }
}`;
show('errors as data (anonymous viewer)', await graphql({
  schema, source: mutation, contextValue: createContext(backend, { batched: true }), variableValues: { input: { title: 'Hello' } },
}));
show('errors as data (validation)', await graphql({
  schema, source: mutation, contextValue: createContext(backend, { batched: true, viewerId: '1' }), variableValues: { input: { title: 'Hi' } },
}));
show('success', await graphql({
  schema, source: mutation, contextValue: createContext(backend, { batched: true, viewerId: '1' }), variableValues: { input: { title: 'Hello' } },
}));

// 3. A request error: the variables do not match the input type, nothing executes, no `data` key.
show('request error (bad variables)', await graphql({
  schema, source: mutation, contextValue: createContext(backend, { batched: true, viewerId: '1' }), variableValues: { input: { titel: 'Hello' } },
}));

// 4. A field error in a non-null root field: data is null, the error has a path.
show('field error (first out of range)', await graphql({
  schema, source: '{ posts(first: 500) { edges { cursor } } }', contextValue: createContext(backend, { batched: true }),
}));

// 5. Relay cursor connection: page forward with the opaque endCursor.
const page = `query Page($after: String) {
  posts(first: 2, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } }
}`;
let after: string | null = null;
for (let i = 1; i <= 3; i++) {
  const result = await graphql({ schema, source: page, variableValues: { after }, contextValue: createContext(backend, { batched: true }) });
  const posts = (result.data as { posts: { edges: Array<{ node: { id: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }).posts;
  console.log(`page ${i}: ids ${posts.edges.map((e) => e.node.id).join(',')} hasNextPage=${posts.pageInfo.hasNextPage} endCursor=${posts.pageInfo.endCursor}`);
  if (!posts.pageInfo.hasNextPage) break;
  after = posts.pageInfo.endCursor;
}

// A forged cursor (valid base64url of `post:999`, no such post) is refused, not a restart.
const forged = Buffer.from('post:999').toString('base64url');
show('forged cursor', await graphql({ schema, source: page, variableValues: { after: forged }, contextValue: createContext(backend, { batched: true }) }));
