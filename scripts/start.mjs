// `npm start`: builds the extension, then opens it in a real VS Code.
//   node scripts/start.mjs [folder]
// With the desktop `code` command on PATH: a new window with --extensionDevelopmentPath.
// Otherwise: VS Code's server build on 127.0.0.1, printing the address to open in a browser
// (forward the port when the machine is remote). The folder defaults to a study workspace in
// the git-ignored cache; state (progress, settings) persists between starts.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CACHE, ROOT } from './lib/provision.mjs';
import { startServer, workbenchUrl } from './lib/vscode-host.mjs';

const folder = resolve(process.argv[2] ?? join(CACHE, 'start', 'workspace'));
mkdirSync(folder, { recursive: true });

const build = spawnSync(process.execPath, [join(ROOT, 'esbuild.mjs')], { stdio: 'inherit', cwd: ROOT });
if (build.status !== 0) process.exit(build.status ?? 1);

const hasCode = spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
if (hasCode && !process.env.BACKEND_STUDY_HEADLESS) {
  const code = spawn('code', ['--new-window', `--extensionDevelopmentPath=${ROOT}`, folder], { stdio: 'inherit' });
  code.on('exit', (status) => process.exit(status ?? 0));
} else {
  const home = join(CACHE, 'start', 'vscode');
  mkdirSync(home, { recursive: true });
  const server = await startServer({
    home,
    port: Number(process.env.PORT ?? 8765),
    logFile: join(home, 'server.log'),
    workspaceTrust: true,
    settings: { 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'update.mode': 'none' },
  });
  const url = workbenchUrl(server, { folder, extensionDevelopmentPath: ROOT });
  console.log(`\nVS Code with Backend Interview Prep is running. Open this address in a browser:\n\n  ${url}\n`);
  console.log(`Workspace: ${folder}\nServer log: ${join(home, 'server.log')}\nPress Ctrl+C to stop.`);
  const stop = () => {
    server.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await server.exited;
}
