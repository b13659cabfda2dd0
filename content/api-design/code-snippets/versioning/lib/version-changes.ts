// Date-based API versions with one "version change" per backwards-incompatible change,
// in the style Stripe described in "APIs as infrastructure" (2017). The handlers only
// know the newest shape. A request pinned to an older version is transformed *up*
// through every change newer than its pin (oldest first); the response is transformed
// *down* through the same changes in reverse (newest first).

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface VersionChange {
  /** The version that introduced the change, as YYYY-MM-DD. */
  readonly version: string;
  readonly description: string;
  /** Which resources this change touches; the chain skips the others. */
  readonly resources: ReadonlySet<string>;
  /** Old request shape -> new request shape. */
  readonly up?: (body: JsonObject) => JsonObject;
  /** New response shape -> old response shape. */
  readonly down?: (body: JsonObject) => JsonObject;
}

export class UnknownVersionError extends Error {
  readonly code = 'ERR_UNKNOWN_API_VERSION';
  readonly requested: string;
  constructor(requested: string, known: readonly string[]) {
    super(`unknown API version ${JSON.stringify(requested)}; known versions: ${known.join(', ')}`);
    this.name = 'UnknownVersionError';
    this.requested = requested;
  }
}

export class VersionChain {
  readonly versions: readonly string[]; // every released version, oldest first
  readonly current: string;
  readonly #changes: readonly VersionChange[]; // oldest first

  constructor(initialVersion: string, changes: readonly VersionChange[]) {
    const sorted = [...changes].sort((a, b) => a.version.localeCompare(b.version));
    for (const change of sorted) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(change.version)) throw new TypeError(`bad version ${change.version}`);
      if (change.version <= initialVersion) throw new RangeError(`change ${change.version} predates ${initialVersion}`);
    }
    this.#changes = sorted;
    this.versions = [initialVersion, ...new Set(sorted.map((c) => c.version))];
    this.current = this.versions[this.versions.length - 1]!;
  }

  /** Validates a requested version; a typo must be a 400, never a silent default. */
  resolve(requested: string | undefined, pinned: string): string {
    const version = requested ?? pinned;
    if (!this.versions.includes(version)) throw new UnknownVersionError(version, this.versions);
    return version;
  }

  #newerThan(version: string, resource: string): VersionChange[] {
    return this.#changes.filter((c) => c.version > version && c.resources.has(resource));
  }

  requestUp(version: string, resource: string, body: JsonObject): JsonObject {
    let out = body;
    for (const change of this.#newerThan(version, resource)) if (change.up) out = change.up(out);
    return out;
  }

  responseDown(version: string, resource: string, body: JsonObject): JsonObject {
    let out = body;
    const changes = this.#newerThan(version, resource);
    for (let i = changes.length - 1; i >= 0; i--) {
      const down = changes[i]!.down;
      if (down) out = down(out);
    }
    return out;
  }
}
