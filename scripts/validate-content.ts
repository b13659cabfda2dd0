// `npm run validate-content`: loads content/ as the extension does and prints every problem
// as `file:line: message`. Exits 1 when there is any.
import { join } from 'node:path';
import { loadCatalog } from '../src/core/content/catalog.ts';
import { formatProblem } from '../src/core/content/problems.ts';
import { folderSource } from '../src/core/content/source.ts';

const root = join(import.meta.dirname, '..', 'content');
const { catalog, snippets, problems } = await loadCatalog(folderSource(root));

for (const problem of problems) console.error(`content/${formatProblem(problem)}`);
const lessons = [...catalog.lessons.values()];
const briefs = [...(catalog.briefs?.values() ?? [])];
const documents = [...lessons, ...briefs];
console.log(
  `${lessons.length} lessons, ${briefs.length} briefs, ${catalog.challenges.size} challenges, ${snippets.size} runnable snippets, ` +
    `${documents.reduce((sum, document) => sum + document.quizCards.length, 0)} quiz cards, ` +
    `${documents.reduce((sum, document) => sum + document.interviewQuestions.length, 0)} interview questions: ` +
    (problems.length === 0 ? 'no problems' : `${problems.length} problem(s)`),
);
for (const document of documents) {
  console.log(`  ${document.file}: ${document.proseWords} words of prose, ${document.snippets.length} snippets`);
}
process.exitCode = problems.length === 0 ? 0 : 1;
