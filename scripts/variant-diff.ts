// Makes a mutation-check variant (scripts/check-challenges.ts) from an edited copy of a
// challenge's reference solution: a unified diff against solution/<entry>, headed by the idea.
//   node scripts/with-node.mjs 24 scripts/variant-diff.ts <challenge-id> <wrong|alternative> <name> "<idea>" <edited-file>
// writes test/challenge-variants/<challenge-id>/<kind>/<name>.diff. An edited copy whose first
// line is already `// Wrong: ...` (the whole-file form) has that line taken as the idea instead.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createPatch } from 'diff';
import { loadCatalog } from '../src/core/content/catalog.ts';
import { folderSource } from '../src/core/content/source.ts';

const [id, kind, name, ideaArgument, edited] = process.argv.slice(2);
if (!id || (kind !== 'wrong' && kind !== 'alternative') || !name || ideaArgument === undefined || !edited) {
  console.error('usage: variant-diff.ts <challenge-id> <wrong|alternative> <name> "<idea>" <edited-file>');
  process.exit(2);
}
const root = join(import.meta.dirname, '..', 'content');
const { catalog } = await loadCatalog(folderSource(root));
const challenge = catalog.challenges.get(id);
if (!challenge) {
  console.error(`there is no challenge "${id}"`);
  process.exit(2);
}
const solution = await readFile(join(root, challenge.folder, 'solution', challenge.entry), 'utf8');
let text = await readFile(edited, 'utf8');
let idea = ideaArgument;
const whole = /^\/\/ (?:Wrong|Alternative): (.*)\n/.exec(text);
if (whole) {
  idea = idea || (whole[1] ?? '');
  text = text.slice(whole[0].length);
}
if (text === solution) {
  console.error('the edited copy is the solution itself: a variant must change something');
  process.exit(1);
}
const label = kind === 'wrong' ? 'Wrong' : 'Alternative';
const patch = createPatch(challenge.entry, solution, text, 'solution', name, { context: 3 });
const target = join(import.meta.dirname, '..', 'test', 'challenge-variants', id, kind, `${name}.diff`);
await writeFile(target, `${label}: ${idea}\n\n${patch}`);
console.log(`wrote ${target}`);
