// Where a failure is shown: in the failing test's own body, not in a helper it called.
import type { FailureFrame, Location } from './protocol.ts';

/** Where the failing test is declared; lines 1-based; `endLine` when discovery knows the body's extent. */
export interface TestDeclaration {
  readonly file: string;
  readonly line?: number;
  readonly endLine?: number;
}

export interface FailureAnchor {
  readonly location: Location | undefined;
  /** The frames that lead there from inside helpers (innermost first): where the failure really happened. */
  readonly related: readonly FailureFrame[];
}

/**
 * The deepest frame inside the test's own body (the first, innermost, of the frames in its
 * file and within its lines); the frames above it (in helpers) become related information.
 * With no frame in the body, the innermost frame in the learner's folder.
 */
export function anchorFailure(frames: readonly FailureFrame[], test: TestDeclaration): FailureAnchor {
  const inBody = (frame: FailureFrame): boolean =>
    frame.file === test.file && (test.line === undefined || frame.line >= test.line) && (test.endLine === undefined || frame.line <= test.endLine);
  const index = frames.findIndex(inBody);
  if (index === -1) {
    const [first] = frames;
    return { location: first && locationOf(first), related: [] };
  }
  const frame = frames[index];
  return { location: frame && locationOf(frame), related: frames.slice(0, index) };
}

function locationOf(frame: FailureFrame): Location {
  return { file: frame.file, line: frame.line, column: frame.column };
}
