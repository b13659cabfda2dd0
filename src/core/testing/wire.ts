// The framing of the reporter's lines, shared by the reporter and the probe inside learners'
// test processes: no schema library here, so that what they load stays small.
import type { ReporterEventInput } from './protocol.ts';

/** Every reporter line starts with this, so that anything else on stdout is output, not protocol. */
export const LINE_PREFIX = '@@backend-study@@ ';

export function formatEvent(event: ReporterEventInput): string {
  return `${LINE_PREFIX}${JSON.stringify(event)}\n`;
}
