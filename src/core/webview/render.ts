// The page renderers, bundled as dist/render.js and loaded when the first page opens
// (src/vscode/lazy.ts): the syntax highlighter stays out of the activation bundle.
export { highlightCode, renderLesson } from '../markdown/renderLesson.ts';
export { challengePage } from './challengePage.ts';
export { lessonPage } from './lessonPage.ts';
export { reviewPage } from './reviewPage.ts';
export { planPage } from './planPage.ts';
