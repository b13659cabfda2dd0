import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ContentEntry {
  readonly name: string;
  readonly kind: 'file' | 'directory';
}

/**
 * Read access to a content folder, by `/`-separated paths relative to it. The loader talks
 * to content only through this, so tests run it on an in-memory folder.
 */
export interface ContentSource {
  /** The file's text, or undefined when there is no such file. */
  readFile(path: string): Promise<string | undefined>;
  /** The folder's entries sorted by name, or undefined when there is no such folder. */
  list(path: string): Promise<readonly ContentEntry[] | undefined>;
}

/** A content folder on disk. */
export function folderSource(root: string): ContentSource {
  return {
    async readFile(path) {
      try {
        return await readFile(join(root, ...path.split('/')), 'utf8');
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },
    async list(path) {
      try {
        const entries = await readdir(join(root, ...path.split('/').filter(Boolean)), { withFileTypes: true });
        return entries
          .filter((entry) => entry.isFile() || entry.isDirectory())
          .map((entry): ContentEntry => ({ name: entry.name, kind: entry.isDirectory() ? 'directory' : 'file' }))
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },
  };
}

/** An in-memory content folder: keys are file paths, values their text. */
export function memorySource(files: Readonly<Record<string, string>>): ContentSource {
  return {
    readFile(path) {
      return Promise.resolve(Object.hasOwn(files, path) ? files[path] : undefined);
    },
    list(path) {
      const prefix = path === '' ? '' : `${path.replace(/\/$/, '')}/`;
      const entries = new Map<string, ContentEntry['kind']>();
      for (const file of Object.keys(files)) {
        if (!file.startsWith(prefix)) continue;
        const [name, ...rest] = file.slice(prefix.length).split('/');
        if (name) entries.set(name, rest.length > 0 ? 'directory' : 'file');
      }
      if (entries.size === 0) return Promise.resolve(undefined);
      return Promise.resolve(
        [...entries].map(([name, kind]) => ({ name, kind })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      );
    },
  };
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
