// N+1 → 1: a small GraphQL-like schema resolved by plain async functions, the way a GraphQL
// executor runs resolvers: each field's resolver is called once per parent object, siblings
// concurrently, children once their parent has resolved.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BatchLoader } from '../src/batch-loader.ts';
import { flush, SUITE, within } from './harness.ts';


interface User { id: number; name: string }
interface Post { id: number; title: string; authorId: number }
interface Comment { id: number; postId: number; authorId: number; text: string }

// 10 posts by 4 authors; 2 comments on each post, by users 1 to 6.
const users: User[] = Array.from({ length: 6 }, (_, i) => ({ id: i + 1, name: `user${i + 1}` }));
const posts: Post[] = Array.from({ length: 10 }, (_, i) => ({ id: 100 + i, title: `post ${i}`, authorId: [3, 1, 4, 1, 2, 3, 4, 2, 1, 3][i] ?? 1 }));
const comments: Comment[] = posts.flatMap((post, i) => [
  { id: 1000 + 2 * i, postId: post.id, authorId: (i % 6) + 1, text: 'first' },
  { id: 1001 + 2 * i, postId: post.id, authorId: ((i + 3) % 6) + 1, text: 'second' },
]);

/** The store, with one round trip per call; it counts calls and the rows it was asked for. */
function store() {
  const log: { table: string; ids: number[] }[] = [];
  const roundTrip = async <T>(table: string, ids: readonly number[], rows: () => T[]): Promise<T[]> => {
    log.push({ table, ids: [...ids] });
    await flush();
    return rows();
  };
  return {
    log,
    callsTo: (table: string) => log.filter((entry) => entry.table === table),
    postIds: () => roundTrip('posts.ids', [], () => posts.map((post) => post.id)),
    usersById: (ids: readonly number[]) => roundTrip('users', ids, () => users.filter((user) => ids.includes(user.id))),
    postsById: (ids: readonly number[]) => roundTrip('posts', ids, () => posts.filter((post) => ids.includes(post.id))),
    commentsByPostIds: (ids: readonly number[]) => roundTrip('comments', ids, () => comments.filter((comment) => ids.includes(comment.postId))),
  };
}
type Store = ReturnType<typeof store>;

/** What one request owns: a fresh set of loaders. batchFns map rows back to key order. */
function contextFor(db: Store) {
  return {
    users: new BatchLoader<number, User>(async (ids) => {
      const rows = await db.usersById(ids);
      return ids.map((id) => rows.find((user) => user.id === id) ?? new Error(`no user ${id}`));
    }),
    posts: new BatchLoader<number, Post>(async (ids) => {
      const rows = await db.postsById(ids);
      return ids.map((id) => rows.find((post) => post.id === id) ?? new Error(`no post ${id}`));
    }),
    commentsByPost: new BatchLoader<number, Comment[]>(async (ids) => {
      const rows = await db.commentsByPostIds(ids);
      return ids.map((id) => rows.filter((comment) => comment.postId === id));
    }),
  };
}
type Context = ReturnType<typeof contextFor>;

// query { posts { title author { name } comments { text author { name } } } }
const resolvers = {
  async posts(ctx: Context, db: Store) {
    const ids = await db.postIds();
    return Promise.all(ids.map(async (id) => resolvers.post(await ctx.posts.load(id), ctx)));
  },
  async post(post: Post, ctx: Context) {
    const [author, postComments] = await Promise.all([resolvers.author(post.authorId, ctx), resolvers.comments(post, ctx)]);
    return { title: post.title, author, comments: postComments };
  },
  async author(id: number, ctx: Context) {
    const user = await ctx.users.load(id);
    return { name: user.name };
  },
  async comments(post: Post, ctx: Context) {
    const list = await ctx.commentsByPost.load(post.id);
    return Promise.all(list.map(async (comment) => ({ text: comment.text, author: await resolvers.author(comment.authorId, ctx) })));
  },
};

function expectedTree() {
  const name = (id: number) => ({ name: `user${id}` });
  return posts.map((post) => ({
    title: post.title,
    author: name(post.authorId),
    comments: comments.filter((comment) => comment.postId === post.id).map((comment) => ({ text: comment.text, author: name(comment.authorId) })),
  }));
}

describe('N+1 on a GraphQL-like resolver tree', SUITE, () => {
  it('without a loader, 10 posts make 10 author queries (the N+1 this challenge removes)', async () => {
    const db = store();
    const ids = await db.postIds();
    await Promise.all(ids.map(async (id) => {
      const [post] = await db.postsById([id]);
      return db.usersById([post?.authorId ?? 0]);
    }));
    assert.equal(db.callsTo('users').length, 10);
  });

  it('10 posts each resolving their author make 1 users query, for the 4 distinct authors in order of first load', async () => {
    const db = store();
    const ctx = contextFor(db);
    const ids = await db.postIds();
    const authors = await Promise.all(ids.map(async (id) => resolvers.author((await ctx.posts.load(id)).authorId, ctx)));
    assert.deepEqual(authors.map((author) => author.name), posts.map((post) => `user${post.authorId}`));
    assert.deepEqual(db.callsTo('posts').map((call) => call.ids), [posts.map((post) => post.id)]);
    assert.deepEqual(db.callsTo('users').map((call) => call.ids), [[3, 1, 4, 2]]);
  });

  it('the whole tree, nested comments included, takes one query per level, and comment authors are deduplicated against each other and the post authors', async () => {
    const db = store();
    const ctx = contextFor(db);
    const tree = await resolvers.posts(ctx, db);
    assert.deepEqual(tree, expectedTree());
    assert.deepEqual(db.log.map((entry) => entry.table), ['posts.ids', 'posts', 'users', 'comments', 'users']);
    const [postAuthors, commentAuthors] = db.callsTo('users').map((call) => call.ids);
    assert.deepEqual(postAuthors, [3, 1, 4, 2]);
    assert.deepEqual(commentAuthors, [5, 6], 'only the comment authors not already loaded, each once');
    // 1 + 1 + 10 + 10 + 20 store calls without a loader; 5 with one.
  });

  it('resolvers that await different numbers of times before loading still share one batch per level', async () => {
    const db = store();
    const ctx = contextFor(db);
    const ids = await db.postIds();
    const names = await Promise.all(ids.map(async (id, i) => {
      const post = await ctx.posts.load(id);
      for (let step = 0; step < i * 3; step++) await Promise.resolve(); // uneven middleware, auth checks...
      return (await ctx.users.load(post.authorId)).name;
    }));
    assert.equal(names.length, 10);
    assert.equal(db.callsTo('users').length, 1);
  });

  it('a second request, with its own loaders, queries again: the cache lives as long as one request', async () => {
    const db = store();
    await resolvers.posts(contextFor(db), db);
    await resolvers.posts(contextFor(db), db);
    assert.equal(db.callsTo('users').length, 4);
    assert.equal(db.callsTo('posts').length, 2);
  });

  it('a missing author fails only the fields that need it, the rest of the tree resolves', async () => {
    const db = store();
    const ctx = contextFor(db);
    const errors: string[] = [];
    const safeAuthor = (id: number) => resolvers.author(id, ctx).catch((error: Error) => {
      errors.push(error.message);
      return null;
    });
    const result = await within(Promise.all([3, 99, 1, 99].map(safeAuthor)));
    assert.deepEqual(result, [{ name: 'user3' }, null, { name: 'user1' }, null]);
    assert.deepEqual(errors, ['no user 99', 'no user 99']);
    assert.deepEqual(db.callsTo('users').map((call) => call.ids), [[3, 99, 1]]);
  });
});
