// The core's share of `npm run bench`, on plain Node: loading the catalog, rendering the
// largest lesson, building the study tree. Prints one JSON object of medians in milliseconds.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadCatalog } from '../src/core/content/catalog.ts';
import { buildContentIndex, loadCatalogIndexed } from '../src/core/content/contentIndex.ts';
import { folderSource } from '../src/core/content/source.ts';
import { highlightCode, renderLesson } from '../src/core/markdown/renderLesson.ts';
import { EMPTY_PROGRESS } from '../src/core/progress/progress.ts';
import { buildStudyTree } from '../src/core/study/studyTree.ts';

const root = join(import.meta.dirname, '..', 'content');
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
/** CPU time of this process in milliseconds: on a loaded machine it moves far less than wall time. */
const cpuNow = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const cpu: Record<string, number> = {};
/** Median wall time of `runs` runs after one warm-up; the median CPU time goes in `cpu[name]`. */
async function time(name: string, runs: number, task: () => unknown): Promise<number> {
  const durations: number[] = [];
  const cpuTimes: number[] = [];
  for (let index = 0; index < runs + 1; index += 1) {
    const started = performance.now();
    const startedCpu = cpuNow();
    await task();
    if (index > 0) {
      durations.push(performance.now() - started);
      cpuTimes.push(cpuNow() - startedCpu);
    }
  }
  cpu[name] = median(cpuTimes);
  return median(durations);
}

const loadMs = await time('load', 5, () => loadCatalog(folderSource(root)));
// What the installed extension does: the build's index, used after checking its fingerprint.
const { index } = await buildContentIndex(folderSource(root));
let indexedFrom = '';
const indexedLoadMs = await time('indexedLoad', 5, async () => {
  indexedFrom = (await loadCatalogIndexed(folderSource(root), index)).from;
});
const { catalog } = await loadCatalog(folderSource(root));
const lessons = [...catalog.lessons.values()];
const largest = lessons.reduce((best, lesson) => (lesson.body.length > best.body.length ? lesson : best));
const sources = new Map<string, string>();
for (const snippet of largest.snippets) sources.set(snippet.path, await readFile(join(root, snippet.path), 'utf8'));
const files = new Map(lessons.map((lesson) => [lesson.file, lesson.id]));
const context = { snippetSource: (path: string) => sources.get(path), lessonIdOfFile: (path: string) => files.get(path) };
// What the learner waits for: the page with its code as plain text (as the lesson panel sets
// it). The first render in this process is timed on its own (cold code, nothing cached).
let started = performance.now();
let page = renderLesson(largest, context);
const firstRenderMs = performance.now() - started;
const renderMs = await time('render', 20, () => {
  page = renderLesson(largest, context);
});
// The colours, computed while the webview loads and posted when it is ready.
started = performance.now();
let coloured = highlightCode(page.code);
const firstHighlightMs = performance.now() - started;
const highlightMs = await time('highlight', 20, () => {
  coloured = highlightCode(page.code);
});
const html = page.html;
const treeMs = await time('tree', 200, () => buildStudyTree(catalog, EMPTY_PROGRESS, 'all'));
console.log(JSON.stringify({ cpu, loadMs, indexedLoadMs, indexedFrom, indexKB: index.length / 1024, firstRenderMs, renderMs, firstHighlightMs, highlightMs, codeBlocks: coloured.length, treeMs, largestLesson: largest.id, largestLessonKB: largest.body.length / 1024, htmlKB: html.length / 1024 }));
