// Builds dist/content-index.json: the catalog, validated and parsed once at build time, with the
// fingerprint of every file and folder it was made from (src/core/content/contentIndex.ts). The
// extension uses it only while the content is byte for byte the same; `npm run build` and the
// release build run this after bundling. Content with problems gets no index, so an installed
// extension never trusts one that validation would have failed.
//   node scripts/with-node.mjs 24 scripts/build-content-index.ts
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildContentIndex } from '../src/core/content/contentIndex.ts';
import { folderSource } from '../src/core/content/source.ts';

const root = join(import.meta.dirname, '..');
const target = join(root, 'dist', 'content-index.json');
const started = performance.now();
const { loaded, index } = await buildContentIndex(folderSource(join(root, 'content')));
if (loaded.problems.length > 0) {
  await rm(target, { force: true });
  console.log(`content index: not built, the content has ${loaded.problems.length} problem(s) (npm run validate-content lists them); the extension loads it in full`);
} else {
  await mkdir(join(root, 'dist'), { recursive: true });
  await writeFile(target, index);
  console.log(`content index: ${loaded.catalog.lessons.size} lessons, ${loaded.catalog.challenges.size} challenges, ${(index.length / 1024).toFixed(0)} KB in ${(performance.now() - started).toFixed(0)} ms`);
}
