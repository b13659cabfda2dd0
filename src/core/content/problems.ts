/** Something wrong in a content file, located so that an author can go straight to it. */
export interface ContentProblem {
  /** The file's path, relative to the content folder. */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  readonly message: string;
}

/** `file:line: message`, the shape editors and terminals turn into links. */
export function formatProblem(problem: ContentProblem): string {
  return `${problem.file}:${problem.line}: ${problem.message}`;
}
