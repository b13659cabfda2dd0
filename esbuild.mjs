// Bundles the extension (and, in development, the integration suite) with esbuild.
//   node esbuild.mjs               development build: source maps, no minification
//   node esbuild.mjs --production  release build: minified, no source maps, no test bundles
//   node esbuild.mjs --watch       development build, rebuilt on every change
import * as esbuild from 'esbuild';
import { readdirSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Options every bundle shares: CommonJS for the extension host, which `require`s its entry points. */
const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  // The oldest extension host the manifest allows (VS Code 1.77) runs Node 16.
  target: 'node16',
  sourcemap: production ? false : 'linked',
  minify: production,
  sourcesContent: false,
  logLevel: 'warning',
  external: ['vscode'],
};

/** What ships in the .vsix: the extension, loaded by the extension host. */
const shipped = {
  ...common,
  // discovery.js, render.js and review.js are loaded on first use (src/vscode/lazy.ts).
  entryPoints: { extension: 'src/extension.ts', discovery: 'src/core/testing/discovery.ts', render: 'src/core/webview/render.ts', review: 'src/core/review/schedule.ts' },
  outdir: 'dist',
  metafile: true,
};

/**
 * The test reporter, loaded by learners' `node --test` runs (Node 22.18+) with
 * `--test-reporter`, which imports it, and the probe they load with `--import`: ES modules.
 */
const reporter = {
  ...common,
  format: 'esm',
  target: 'node22',
  // The probe is loaded into every test process of a run: it stays a few hundred bytes.
  entryPoints: { reporter: 'src/reporter/reporter.ts', probe: 'src/reporter/probe.ts' },
  outExtension: { '.js': '.mjs' },
  outdir: 'dist',
};

/** The integration suite, loaded by the extension host from `out/`; mocha stays external so that all files share one instance. */
const integration = {
  ...common,
  sourcemap: 'linked',
  minify: false,
  entryPoints: readdirSync('test/integration')
    .filter((name) => name.endsWith('.ts'))
    .map((name) => `test/integration/${name}`),
  outdir: 'out/test/integration',
  external: ['vscode', 'mocha'],
};

// The integration suite is built in every mode, so that benchmarks measure the release bundle.
const builds = [shipped, reporter, integration];

if (watch) {
  for (const options of builds) {
    const context = await esbuild.context(options);
    await context.watch();
  }
  console.log('[esbuild] watching for changes');
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
