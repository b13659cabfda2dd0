// The users service as the resolvers see it: lib/schema.ts calls only this client, never the
// backend's user methods. Any error that comes out of the call, thrown (a refused connection, or
// another GraphQL service's error with a `path`, `locations` and `extensions` of its own) or
// returned (an Error as the value, or in one slot of a batch, which DataLoader then rejects that
// key's load with), leaves this module only as a UsersServiceError: a plain Error of ours with a
// `name`, a `code` and the original as `cause`. It has no `path`, `nodes`, `source`, `positions`
// or `extensions`, so graphql-js's locatedError (which returns any error with an array `path` as
// it is) always wraps it in a new GraphQLError at the field whose resolver asked for it, with that
// field's path and locations, and nothing of the foreign error reaches the response. The original
// stays in `cause` for the log. A row is not passed on as it came: it is copied into a new plain
// `{ id, name }` holding only those two fields, and only if each is a string, so no Error, getter,
// method or Proxy of the service's reaches graphql-js's default resolver (which would call a
// method, and throw an Error it finds in a field, with that error's own `path`). A row that is
// not of that shape, or whose read throws, is a UsersServiceError too. lib/posts-client.ts does
// the same for the posts service.
import type { Backend, UserRow } from './backend.ts';

export class UsersServiceError extends Error {
  readonly code = 'USERS_SERVICE_FAILED';
  constructor(operation: string, cause: unknown) {
    super(`users service: ${operation} failed`, { cause });
    this.name = 'UsersServiceError';
  }
}

/** A copy of one slot of the declared shape (`UserRow | null`), or an error of ours. */
function copyRow(operation: string, slot: unknown): UserRow | null | UsersServiceError {
  if (slot === null) return null;
  try {
    if (slot instanceof Error) return new UsersServiceError(operation, slot); // DataLoader's per-key error
    if (typeof slot !== 'object') throw new TypeError('a row is not an object');
    const { id, name } = slot as { id?: unknown; name?: unknown }; // each read may run a getter or a Proxy trap
    if (typeof id !== 'string' || typeof name !== 'string') throw new TypeError('a row is not { id: string, name: string }');
    return { id, name };
  } catch (cause) {
    return new UsersServiceError(operation, cause);
  }
}

export class UsersClient {
  readonly #backend: Backend;
  constructor(backend: Backend) {
    this.#backend = backend;
  }

  /** One round trip for many users (the DataLoader's batch function): one slot per id, in order. */
  async usersByIds(ids: readonly string[]): Promise<Array<UserRow | null | UsersServiceError>> {
    try {
      const rows: unknown = await this.#backend.usersByIds(ids);
      if (!Array.isArray(rows) || rows.length !== ids.length) throw new TypeError(`expected ${ids.length} slots`);
      // DataLoader rejects a key's load with the Error in its slot (`instanceof Error`, as in
      // copyRow), and graphql-js would then take that error as located if it has an array `path`.
      // A new array of ids.length slots: never the service's own array (nor what its `map` makes).
      return ids.map((_, i) => copyRow('usersByIds', (rows as unknown[])[i]));
    } catch (cause) {
      throw new UsersServiceError('usersByIds', cause);
    }
  }

  /** One round trip per user (the naive resolver). */
  async userById(id: string): Promise<UserRow | null> {
    let row: unknown;
    try {
      row = await this.#backend.userById(id);
    } catch (cause) {
      throw new UsersServiceError('userById', cause);
    }
    const copy = copyRow('userById', row); // a returned Error, which graphql-js would throw as it is, becomes ours
    if (copy instanceof UsersServiceError) throw copy;
    return copy;
  }
}
