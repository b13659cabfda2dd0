// The lesson's schema, built with graphql-js 17 type constructors: a Relay connection for
// posts, a non-null author on each post, and a mutation whose expected failures are data.
import DataLoader from 'dataloader';
import {
  GraphQLEnumType,
  GraphQLError,
  GraphQLID,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  GraphQLBoolean,
} from 'graphql';
import type { GraphQLNullableType } from 'graphql';
import type { Backend, PostPage, PostPageRequest, PostRow, UserRow } from './backend.ts';
import { PostsClient, UnknownCursorError } from './posts-client.ts';
import { UsersClient } from './users-client.ts';

/**
 * The only errors this server raises for the client on purpose: a resolver throws one when the
 * client can act on it. The HTTP layer (persisted-queries.ts) lets a field error out only if
 * graphql-js wrapped one of these, so a dependency's error never qualifies, whatever its code.
 */
export type ClientCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'UNAUTHENTICATED' | 'FORBIDDEN';
export class ClientError extends GraphQLError {
  readonly code: ClientCode;
  constructor(message: string, code: ClientCode, options: { cause?: unknown } = {}) {
    super(message, { ...options, extensions: { code } });
    this.name = 'ClientError';
    this.code = code;
  }
}

// The resolvers see no backend: every call goes through a client (lib/users-client.ts,
// lib/posts-client.ts) that turns any error it throws or returns into an error of ours.
export type Context = {
  /** The users service, through its client. */
  readonly users: UsersClient;
  /** The posts service, through its client. */
  readonly posts: PostsClient;
  /** Per request; absent in the naive configuration. */
  readonly userLoader?: DataLoader<string, UserRow | null>;
  /** Per request: one page of one author's posts per key, all keys in one backend call. */
  readonly authorPostsLoader?: DataLoader<PostPageRequest, PostPage, string>;
  readonly viewerId: string | null;
};

/** New loaders for every request: their caches must never outlive the request (or the viewer). */
export function createContext(backend: Backend, options: { batched: boolean; viewerId?: string | null }): Context {
  const users = new UsersClient(backend);
  const posts = new PostsClient(backend);
  if (!options.batched) return { users, posts, viewerId: options.viewerId ?? null };
  // Each batch function is a client call, so an Error in a slot is already one of ours.
  const userLoader = new DataLoader<string, UserRow | null>((ids) => users.usersByIds(ids), { maxBatchSize: 100 });
  const authorPostsLoader = new DataLoader<PostPageRequest, PostPage, string>((keys) => posts.postsPagesByAuthors(keys), {
    maxBatchSize: 100,
    cacheKeyFn: (k) => JSON.stringify([k.authorId, k.afterId, k.limit]),
  });
  return { users, posts, userLoader, authorPostsLoader, viewerId: options.viewerId ?? null };
}

const MAX_PAGE = 100;
const encodeCursor = (id: string): string => Buffer.from(`post:${id}`).toString('base64url');
function decodeCursor(cursor: string): string {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!decoded.startsWith('post:')) {
    throw new ClientError('Invalid cursor', 'BAD_USER_INPUT');
  }
  return decoded.slice('post:'.length);
}

type ConnectionSource = { readonly rows: PostRow[]; readonly hasMore: boolean; readonly hasPrevious: boolean };

export const connectionArgs = {
  first: { type: new GraphQLNonNull(GraphQLInt), default: { value: 10 } }, // v17: `default`; `defaultValue` is deprecated
  after: { type: GraphQLString },
};

async function resolvePosts(args: { first: number; after?: string | null }, ctx: Context, authorId?: string): Promise<ConnectionSource> {
  if (args.first < 0 || args.first > MAX_PAGE) {
    throw new ClientError(`first must be between 0 and ${MAX_PAGE}`, 'BAD_USER_INPUT');
  }
  const afterId = args.after == null ? null : decodeCursor(args.after);
  let page: PostPage;
  try {
    // An author's posts (User.posts) go through the per-request loader when there is one: a list
    // of authors costs one backend call, not one per author.
    page = authorId !== undefined && ctx.authorPostsLoader
      ? await ctx.authorPostsLoader.load({ authorId, afterId, limit: args.first })
      : await ctx.posts.postsPage(afterId, args.first, authorId);
  } catch (error) {
    // A decoded cursor is still client input: refuse one that names no row of this list. Any
    // other error is already a PostsServiceError of ours (lib/posts-client.ts): let it through.
    if (error instanceof UnknownCursorError) {
      throw new ClientError('Invalid cursor: it does not point into this list; start again without `after`', 'BAD_USER_INPUT', { cause: error });
    }
    throw error;
  }
  return { rows: page.rows, hasMore: page.hasMore, hasPrevious: afterId !== null };
}

const nn = <T extends GraphQLNullableType>(t: T): GraphQLNonNull<T> => new GraphQLNonNull(t);

const User: GraphQLObjectType<UserRow, Context> = new GraphQLObjectType<UserRow, Context>({
  name: 'User',
  fields: () => ({
    id: { type: nn(GraphQLID) },
    name: { type: nn(GraphQLString) },
    posts: {
      type: nn(PostConnection),
      args: connectionArgs,
      resolve: (user, args: { first: number; after?: string | null }, ctx) => resolvePosts(args, ctx, user.id),
    },
  }),
});

const Post = new GraphQLObjectType<PostRow, Context>({
  name: 'Post',
  fields: () => ({
    id: { type: nn(GraphQLID) },
    title: { type: nn(GraphQLString) },
    author: {
      type: nn(User),
      resolve: async (post, _args, ctx) => {
        const user = ctx.userLoader ? await ctx.userLoader.load(post.authorId) : await ctx.users.userById(post.authorId);
        if (user === null) throw new ClientError(`author ${post.authorId} not found`, 'NOT_FOUND');
        return user;
      },
    },
  }),
});

const PageInfo = new GraphQLObjectType({
  name: 'PageInfo',
  fields: {
    hasNextPage: { type: nn(GraphQLBoolean) },
    hasPreviousPage: { type: nn(GraphQLBoolean) },
    startCursor: { type: GraphQLString },
    endCursor: { type: GraphQLString },
  },
});

const PostEdge = new GraphQLObjectType<PostRow, Context>({
  name: 'PostEdge',
  fields: {
    cursor: { type: nn(GraphQLString), resolve: (post) => encodeCursor(post.id) },
    node: { type: nn(Post), resolve: (post) => post },
  },
});

const PostConnection: GraphQLObjectType<ConnectionSource, Context> = new GraphQLObjectType<ConnectionSource, Context>({
  name: 'PostConnection',
  fields: {
    edges: { type: nn(new GraphQLList(nn(PostEdge))), resolve: (c) => c.rows },
    pageInfo: {
      type: nn(PageInfo),
      resolve: (c) => ({
        hasNextPage: c.hasMore,
        hasPreviousPage: c.hasPrevious,
        startCursor: c.rows.length > 0 ? encodeCursor(c.rows[0]!.id) : null,
        endCursor: c.rows.length > 0 ? encodeCursor(c.rows[c.rows.length - 1]!.id) : null,
      }),
    },
  },
});

const UserErrorCode = new GraphQLEnumType({
  name: 'UserErrorCode',
  values: { TITLE_TOO_SHORT: {}, NOT_AUTHENTICATED: {} },
});

const UserErrorType = new GraphQLObjectType({
  name: 'UserError',
  fields: {
    code: { type: nn(UserErrorCode) },
    field: { type: new GraphQLList(nn(GraphQLString)) },
    message: { type: nn(GraphQLString) },
  },
});

const CreatePostInput = new GraphQLInputObjectType({
  name: 'CreatePostInput',
  fields: {
    title: { type: nn(GraphQLString) },
    clientMutationId: { type: GraphQLString },
  },
});

type CreatePostPayloadSource = {
  readonly post: PostRow | null;
  readonly errors: ReadonlyArray<{ code: string; field: string[] | null; message: string }>;
};

const CreatePostPayload = new GraphQLObjectType<CreatePostPayloadSource, Context>({
  name: 'CreatePostPayload',
  fields: {
    post: { type: Post },
    errors: { type: nn(new GraphQLList(nn(UserErrorType))) },
  },
});

export const schema = new GraphQLSchema({
  query: new GraphQLObjectType<unknown, Context>({
    name: 'Query',
    fields: {
      posts: {
        type: nn(PostConnection),
        args: connectionArgs,
        resolve: (_root, args: { first: number; after?: string | null }, ctx) => resolvePosts(args, ctx),
      },
    },
  }),
  mutation: new GraphQLObjectType<unknown, Context>({
    name: 'Mutation',
    fields: {
      createPost: {
        type: nn(CreatePostPayload),
        args: { input: { type: nn(CreatePostInput) } },
        resolve: (_root, args: { input: { title: string } }, ctx): CreatePostPayloadSource => {
          if (ctx.viewerId === null) {
            return { post: null, errors: [{ code: 'NOT_AUTHENTICATED', field: null, message: 'sign in to post' }] };
          }
          if (args.input.title.trim().length < 3) {
            return { post: null, errors: [{ code: 'TITLE_TOO_SHORT', field: ['input', 'title'], message: 'title needs 3 or more characters' }] };
          }
          return { post: { id: 'new-1', title: args.input.title, authorId: ctx.viewerId }, errors: [] };
        },
      },
    },
  }),
});
