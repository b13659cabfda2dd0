// The integration suite's entry module, loaded inside a real VS Code extension host by both
// launchers (scripts/test-integration.mjs headless, scripts/test-electron.mjs desktop).
import { appendFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';

/** Where the headless launcher tails the suite's report; the extension host's console goes to the browser's. */
const reportFile = process.env.BACKEND_STUDY_TEST_REPORT;

export async function run(): Promise<void> {
  const base = Mocha.reporters.Base as unknown as { consoleLog: (...args: unknown[]) => void };
  const consoleLog = base.consoleLog;
  if (reportFile) {
    base.consoleLog = (...args: unknown[]) => {
      appendFileSync(reportFile, `${format(...args)}\n`);
      consoleLog(...args);
    };
  }

  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30_000, reporter: 'spec' });
  const grep = process.env.BACKEND_STUDY_TEST_GREP;
  if (grep) mocha.grep(grep);
  // Benchmarks (*.bench.js) run only for `npm run bench`, which sets BACKEND_STUDY_BENCH; the
  // untrusted-workspace suite (*.untrusted.js) only in the launcher's untrusted phase.
  const bench = process.env.BACKEND_STUDY_BENCH === '1';
  const untrusted = process.env.BACKEND_STUDY_UNTRUSTED === '1';
  // The installed-.vsix suite (*.vsix.js) only in the launcher's packaged phase.
  const packaged = process.env.BACKEND_STUDY_PACKAGED === '1';
  const files = readdirSync(__dirname)
    .filter((name) =>
      packaged ? name.endsWith('.vsix.js') : untrusted ? name.endsWith('.untrusted.js') : name.endsWith('.test.js') || (bench && name.endsWith('.bench.js')),
    )
    .sort();
  for (const name of files) mocha.addFile(join(__dirname, name));

  try {
    await new Promise<void>((resolve, reject) => {
      const runner = mocha.run((failures) => {
        // The launcher prints this line last: CI reads it as the run's count.
        if (reportFile) appendFileSync(reportFile, `\nintegration: ${runner.stats?.passes ?? 0} passed, ${failures} failed\n`);
        if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
        else resolve();
      });
    });
  } finally {
    base.consoleLog = consoleLog;
  }
}
