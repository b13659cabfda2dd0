// Which copy of a challenge a command acts on when the workspace holds more than one (a
// second workspace folder, a folder the learner copied): the one the learner works in.
import { isInside } from './scaffold.ts';

export interface ChallengeCopy {
  /** The copy's folder, absolute. */
  readonly folder: string;
  /** When the learner's file (the challenge's entry) was last written, in ms since the epoch. */
  readonly entryModifiedMs: number;
}

/**
 * The copy that holds the file in the active editor; else the one at the place Start
 * Challenge writes to; else the one whose entry file was written last.
 */
export function preferredCopy<T extends ChallengeCopy>(copies: readonly T[], where: { readonly activeFile?: string | undefined; readonly startFolders: readonly string[] }): T | undefined {
  const { activeFile } = where;
  const active = activeFile === undefined ? undefined : copies.find((copy) => isInside(copy.folder, activeFile));
  if (active) return active;
  const started = copies.find((copy) => where.startFolders.includes(copy.folder));
  if (started) return started;
  return [...copies].sort((a, b) => b.entryModifiedMs - a.entryModifiedMs)[0];
}

/** A folder that an earlier version's Reset left as `<id>.backup-<time>` with a live marker: never a copy to work in. */
export function isBackupFolder(folderName: string, id: string): boolean {
  return folderName.startsWith(`${id}.backup-`);
}
