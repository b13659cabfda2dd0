// The validated catalog, saved at build time and trusted at run time only for the very bytes it
// was made from. Loading parses every lesson's markdown (most of the cost, and it grows with the
// content); an installed extension's content never changes, so the build parses it once
// (scripts/build-content-index.ts) and the extension checks a fingerprint instead.
//
// The fingerprint covers everything the loader looked at: the build records each file it read
// (with its text, or its absence) and each folder it listed, and hashes them. At run time the same
// files are read and listed again (all at once) and hashed the same way: any edit, addition or
// removal the loader would have seen changes the hash, and then the catalog is loaded in full.
import { createHash } from 'node:crypto';
import * as v from 'valibot';
import { loadCatalog, type LoadedCatalog } from './catalog.ts';
import { AREAS, type Brief, type Challenge, type Lesson } from './model.ts';
import type { ContentEntry, ContentSource } from './source.ts';
import { DEFAULT_SNIPPET_SETTINGS, type SnippetSettings } from '../snippets/settings.ts';

const FORMAT = 2;

interface Observed {
  readonly reads: ReadonlyMap<string, string | undefined>;
  readonly lists: ReadonlyMap<string, readonly ContentEntry[] | undefined>;
}

/** A source that remembers what was read and listed through it. */
function recording(source: ContentSource): { source: ContentSource; observed: Observed } {
  const reads = new Map<string, string | undefined>();
  const lists = new Map<string, readonly ContentEntry[] | undefined>();
  return {
    observed: { reads, lists },
    source: {
      async readFile(path) {
        const text = await source.readFile(path);
        reads.set(path, text);
        return text;
      },
      async list(path) {
        const entries = await source.list(path);
        lists.set(path, entries);
        return entries;
      },
    },
  };
}

/** A source that answers from what was already observed, and asks `source` for the rest. */
function replaying(source: ContentSource, { reads, lists }: Observed): ContentSource {
  return {
    readFile: (path) => (reads.has(path) ? Promise.resolve(reads.get(path)) : source.readFile(path)),
    list: (path) => (lists.has(path) ? Promise.resolve(lists.get(path)) : source.list(path)),
  };
}

function fingerprintOf({ reads, lists }: Observed): string {
  const hash = createHash('sha256');
  const sorted = <T>(map: ReadonlyMap<string, T>): [string, T][] => [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [path, text] of sorted(reads)) hash.update(`file\0${path}\0${text === undefined ? '\u0000missing' : `${String(text.length)}\0${text}`}\0`);
  for (const [path, entries] of sorted(lists)) hash.update(`list\0${path}\0${entries === undefined ? '\u0000missing' : entries.map((entry) => `${entry.kind}:${entry.name}`).join('/')}\0`);
  return hash.digest('hex');
}

/** Loads the catalog in full and returns it with its index: the JSON the build saves. */
export async function buildContentIndex(source: ContentSource): Promise<{ loaded: LoadedCatalog; index: string }> {
  const { source: watched, observed } = recording(source);
  const loaded = await loadCatalog(watched);
  const index = {
    format: FORMAT,
    fingerprint: fingerprintOf(observed),
    reads: [...observed.reads.keys()].sort(),
    lists: [...observed.lists.keys()].sort(),
    lessons: [...loaded.catalog.lessons.values()],
    challenges: [...loaded.catalog.challenges.values()],
    briefs: [...(loaded.catalog.briefs?.values() ?? [])],
    snippets: [...loaded.snippets],
    problems: loaded.problems,
  };
  return { loaded, index: JSON.stringify(index) };
}

/** The index's outer shape; its lessons and challenges are what buildContentIndex wrote, once the fingerprint matches. */
const IndexSchema = v.object({
  format: v.literal(FORMAT),
  fingerprint: v.string(),
  reads: v.array(v.string()),
  lists: v.array(v.string()),
  lessons: v.array(v.looseObject({ kind: v.literal('lesson'), id: v.string() })),
  challenges: v.array(v.looseObject({ kind: v.literal('challenge'), id: v.string() })),
  briefs: v.array(v.looseObject({ kind: v.literal('brief'), id: v.string() })),
  snippets: v.array(v.tuple([v.string(), v.looseObject({})])),
  problems: v.array(v.looseObject({ file: v.string(), line: v.number(), message: v.string() })),
});

export type IndexedLoad = { readonly loaded: LoadedCatalog; readonly from: 'index' } | { readonly loaded: LoadedCatalog; readonly from: 'content'; readonly why: string };

/**
 * The catalog from its index when the content is exactly what the index was made from, else
 * loaded in full (and why). Never throws on a bad index: a corrupt or stale one only costs the
 * full load.
 */
export async function loadCatalogIndexed(source: ContentSource, indexText: string | undefined): Promise<IndexedLoad> {
  const full = async (why: string): Promise<IndexedLoad> => ({ loaded: await loadCatalog(source), from: 'content', why });
  if (indexText === undefined) return full('there is no content index');
  let data: unknown;
  try {
    data = JSON.parse(indexText);
  } catch {
    return full('the content index is not valid JSON');
  }
  const parsed = v.safeParse(IndexSchema, data);
  if (!parsed.success) return full('the content index has another format');
  const index = parsed.output;
  const [texts, listings] = await Promise.all([Promise.all(index.reads.map((path) => source.readFile(path))), Promise.all(index.lists.map((path) => source.list(path)))]);
  const observed: Observed = {
    reads: new Map(index.reads.map((path, at) => [path, texts[at]])),
    lists: new Map(index.lists.map((path, at) => [path, listings[at]])),
  };
  if (fingerprintOf(observed) !== index.fingerprint) {
    // The files just read are current: the full load takes them from here instead of reading
    // them a second time, and reads only what the index did not list.
    return { loaded: await loadCatalog(replaying(source, observed)), from: 'content', why: 'the content changed since the index was built' };
  }
  const lessons = index.lessons as unknown as Lesson[];
  const briefs = index.briefs as unknown as Brief[];
  const snippetSources = new Map<string, string>();
  for (const lesson of [...lessons, ...briefs]) {
    for (const include of lesson.snippets) {
      const text = observed.reads.get(include.path);
      if (text !== undefined) snippetSources.set(include.path, text);
    }
  }
  return {
    from: 'index',
    loaded: {
      catalog: {
        areas: AREAS,
        lessons: new Map(lessons.map((lesson) => [lesson.id, lesson])),
        challenges: new Map((index.challenges as unknown as Challenge[]).map((challenge) => [challenge.id, challenge])),
        briefs: new Map(briefs.map((brief) => [brief.id, brief])),
      },
      // JSON has no undefined: the defaults put back the keys it dropped (benchIterations).
      snippets: new Map(index.snippets.map(([path, settings]) => [path, { ...DEFAULT_SNIPPET_SETTINGS, ...(settings as Partial<SnippetSettings>) }])),
      snippetSources,
      problems: index.problems,
    },
  };
}
