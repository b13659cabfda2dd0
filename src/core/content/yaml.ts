import { CORE_SCHEMA, load, YAMLException } from 'js-yaml';
import type { ContentProblem } from './problems.ts';

/**
 * YAML 1.2's core schema: no dates or other types beyond JSON's, so a value reads the same
 * everywhere. Duplicate keys are errors, not silently one of the values.
 */
export function parseYaml(text: string): unknown {
  return load(text, { schema: CORE_SCHEMA });
}

/** A YAML error as a problem at its file line; `firstLine` is the file line the YAML text starts on. */
export function yamlProblem(file: string, error: unknown, firstLine: number): ContentProblem {
  if (error instanceof YAMLException) {
    return { file, line: firstLine + (error.mark?.line ?? 0), message: `not valid YAML: ${error.reason}` };
  }
  return { file, line: firstLine, message: `not valid YAML: ${error instanceof Error ? error.message : String(error)}` };
}
