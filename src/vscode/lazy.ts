// Modules the extension needs only for some features, shipped as their own files in dist/ and
// loaded the first time they are used: the test-discovery parser (acorn, about 150 KB
// minified) is not read at all in a workspace without a challenge, nor the page renderers
// before a page opens. Under the integration
// tests, and in development, the same files are built by esbuild.mjs.
import { join } from 'node:path';
import type * as Discovery from '../core/testing/discovery.ts';
import type * as Review from '../core/review/schedule.ts';
import type * as Render from '../core/webview/render.ts';

function lazy(file: string): () => unknown {
  let loaded: unknown;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a runtime path, on purpose: esbuild must not bundle it
  return () => (loaded ??= require(join(__dirname, file)) as unknown);
}

/** src/core/testing/discovery.ts, from dist/discovery.js. */
export const discovery = lazy('discovery.js') as () => typeof Discovery;

/** The lesson and statement page renderers (markdown-it with highlight.js), from dist/render.js. */
export const render = lazy('render.js') as () => typeof Render;

/** The review scheduler (ts-fsrs), from dist/review.js: loaded when a review sitting starts. */
export const review = lazy('review.js') as () => typeof Review;
