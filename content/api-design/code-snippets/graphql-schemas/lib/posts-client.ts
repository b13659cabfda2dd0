// The posts service as the resolvers see it, with the same boundary as lib/users-client.ts: any
// error that comes out of a call, thrown, returned as the value, or returned in one slot of a
// batch (postsPagesByAuthors answers a bad cursor in its own slot, DataLoader's convention),
// leaves this module only as an error of ours with the original as `cause` and no `path`,
// `nodes`, `source`, `positions` or `extensions`, so graphql-js locates it at our own field.
// The one failure the client can act on, a cursor that names no post of the list, becomes an
// UnknownCursorError (lib/schema.ts turns it into a BAD_USER_INPUT); anything else becomes a
// PostsServiceError, which the HTTP layer masks. A page is not passed on as it came: it is copied
// into a new plain `{ rows, hasMore }`, each row into a new `{ id, title, authorId }`, holding only
// those fields and only if each is of its declared type (strings, and a boolean `hasMore`), so no
// Error, getter, method or Proxy of the service's reaches graphql-js. A page that is not of that
// shape, or whose read throws, is a PostsServiceError.
import { CursorNotFoundError } from './backend.ts';
import type { Backend, PostPage, PostPageRequest, PostRow } from './backend.ts';

export class PostsServiceError extends Error {
  readonly code = 'POSTS_SERVICE_FAILED';
  constructor(operation: string, cause: unknown) {
    super(`posts service: ${operation} failed`, { cause });
    this.name = 'PostsServiceError';
  }
}

export class UnknownCursorError extends Error {
  readonly code = 'CURSOR_NOT_FOUND';
  constructor(cause: unknown) {
    super('posts service: the cursor names no post of this list', { cause });
    this.name = 'UnknownCursorError';
  }
}

function ours(operation: string, error: unknown): PostsServiceError | UnknownCursorError {
  let unknownCursor = false;
  try { unknownCursor = error instanceof CursorNotFoundError; } catch { /* a hostile object: not ours either */ }
  return unknownCursor ? new UnknownCursorError(error) : new PostsServiceError(operation, error);
}

/** A copy of one page of the declared shape, or an error of ours (ours() for an Error it returned). */
function copyPage(operation: string, value: unknown): PostPage | PostsServiceError | UnknownCursorError {
  try {
    if (value instanceof Error) return ours(operation, value);
    if (typeof value !== 'object' || value === null) throw new TypeError('a page is not an object');
    const { rows, hasMore } = value as { rows?: unknown; hasMore?: unknown }; // each read may run a getter or a Proxy trap
    if (!Array.isArray(rows) || typeof hasMore !== 'boolean') throw new TypeError('a page is not { rows: array, hasMore: boolean }');
    const copied: PostRow[] = [];
    for (let i = 0, n = rows.length; i < n; i++) {
      const row: unknown = rows[i];
      if (typeof row !== 'object' || row === null) throw new TypeError(`row ${i} is not an object`);
      const { id, title, authorId } = row as { id?: unknown; title?: unknown; authorId?: unknown };
      if (typeof id !== 'string' || typeof title !== 'string' || typeof authorId !== 'string') throw new TypeError(`row ${i} is not { id, title, authorId: string }`);
      copied.push({ id, title, authorId });
    }
    return { rows: copied, hasMore };
  } catch (cause) {
    return new PostsServiceError(operation, cause); // a wrong type, or a getter or trap that threw
  }
}

export class PostsClient {
  readonly #backend: Backend;
  constructor(backend: Backend) {
    this.#backend = backend;
  }

  /** One round trip: a page of posts (optionally one author's). */
  async postsPage(afterId: string | null, limit: number, authorId?: string): Promise<PostPage> {
    let page: unknown;
    try {
      page = await this.#backend.postsPage(afterId, limit, authorId);
    } catch (cause) {
      throw ours('postsPage', cause);
    }
    const copy = copyPage('postsPage', page); // an Error returned as the value becomes ours too
    if (copy instanceof Error) throw copy;
    return copy;
  }

  /** One round trip for one page of each of several authors' posts (the DataLoader's batch function). */
  async postsPagesByAuthors(requests: readonly PostPageRequest[]): Promise<Array<PostPage | PostsServiceError | UnknownCursorError>> {
    try {
      const pages: unknown = await this.#backend.postsPagesByAuthors(requests);
      if (!Array.isArray(pages) || pages.length !== requests.length) throw new TypeError(`expected ${requests.length} slots`);
      // A per-key Error is returned, not thrown, so no catch sees it: copyPage wraps each one.
      return requests.map((_, i) => copyPage('postsPagesByAuthors', (pages as unknown[])[i]));
    } catch (cause) {
      throw ours('postsPagesByAuthors', cause);
    }
  }
}
