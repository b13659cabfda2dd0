// A stand-in for the services behind a GraphQL gateway: every method is one round trip,
// and `calls` counts them, so a snippet can show how many a query caused.
export type UserRow = { readonly id: string; readonly name: string };
export type PostRow = { readonly id: string; readonly title: string; readonly authorId: string };

export type PostPage = { rows: PostRow[]; hasMore: boolean };
export type PostPageRequest = { readonly authorId: string; readonly afterId: string | null; readonly limit: number };

export type CallLog = { total: number; byMethod: Record<string, number>; batchSizes: number[] };

/** The `after` id is not in this list: a forged cursor, or one from another list. */
export class CursorNotFoundError extends Error {
  readonly code = 'CURSOR_NOT_FOUND';
  constructor(afterId: string) {
    super(`no post ${JSON.stringify(afterId)} in this list`);
    this.name = 'CursorNotFoundError';
  }
}

export class Backend {
  readonly users: ReadonlyMap<string, UserRow>;
  readonly posts: readonly PostRow[];
  readonly calls: CallLog = { total: 0, byMethod: {}, batchSizes: [] };

  constructor(userCount: number, postCount: number) {
    const users = new Map<string, UserRow>();
    for (let i = 1; i <= userCount; i++) users.set(String(i), { id: String(i), name: `user-${i}` });
    this.users = users;
    // Post i is written by user ((i - 1) mod userCount) + 1: authors repeat once postCount > userCount.
    this.posts = Array.from({ length: postCount }, (_, i) => ({
      id: String(i + 1),
      title: `post-${i + 1}`,
      authorId: String((i % userCount) + 1),
    }));
  }

  protected count(method: string): void {
    this.calls.total += 1;
    this.calls.byMethod[method] = (this.calls.byMethod[method] ?? 0) + 1;
  }

  resetCalls(): void {
    this.calls.total = 0;
    this.calls.byMethod = {};
    this.calls.batchSizes = [];
  }

  /** One round trip: a page of posts (optionally one author's) after `afterId`, `limit` rows, plus one to tell if more exist. */
  async postsPage(afterId: string | null, limit: number, authorId?: string): Promise<PostPage> {
    this.count('postsPage');
    await Promise.resolve();
    return this.page(afterId, limit, authorId);
  }

  /**
   * One round trip for one page of each of several authors' posts (in SQL, `unnest` the author
   * ids and `JOIN LATERAL` a `LIMIT`ed subquery). A bad cursor fails only its own slot.
   */
  async postsPagesByAuthors(requests: readonly PostPageRequest[]): Promise<Array<PostPage | Error>> {
    this.count('postsPagesByAuthors');
    this.calls.batchSizes.push(requests.length);
    await Promise.resolve();
    return requests.map((r) => {
      try { return this.page(r.afterId, r.limit, r.authorId); } catch (error) { return error as Error; }
    });
  }

  private page(afterId: string | null, limit: number, authorId?: string): PostPage {
    const all = authorId === undefined ? this.posts : this.posts.filter((p) => p.authorId === authorId);
    const index = afterId === null ? -1 : all.findIndex((p) => p.id === afterId);
    // An unknown id must not silently restart from the first page. (A keyset cursor on
    // (created_at, id) would also survive the row's deletion; this stand-in pages by id.)
    if (afterId !== null && index === -1) throw new CursorNotFoundError(afterId);
    const start = index + 1;
    const rows = all.slice(start, start + limit + 1);
    return { rows: rows.slice(0, limit), hasMore: rows.length > limit };
  }

  /** One round trip per user: the shape that causes N+1. */
  async userById(id: string): Promise<UserRow | null> {
    this.count('userById');
    await Promise.resolve();
    return this.users.get(id) ?? null;
  }

  /** One round trip for many users (SQL `WHERE id = ANY($1)`, or a `GET /users?ids=` endpoint). */
  async usersByIds(ids: readonly string[]): Promise<Array<UserRow | null>> {
    this.count('usersByIds');
    this.calls.batchSizes.push(ids.length);
    await Promise.resolve();
    return ids.map((id) => this.users.get(id) ?? null);
  }
}
