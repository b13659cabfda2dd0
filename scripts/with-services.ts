// Runs a command with throwaway servers, as the snippet runner gives them to snippets: a fresh
// PostgreSQL database in DATABASE_URL, a fresh Redis in REDIS_URL; all removed afterwards.
// For reviewers and authors trying a program by hand:
//   node scripts/with-node.mjs 24 scripts/with-services.ts postgres,redis -- <command> [args...]
import { spawn } from 'node:child_process';
import { SNIPPET_SERVICES, type SnippetService } from '../src/core/snippets/settings.ts';
import { Services } from './lib/services.ts';

const [list = '', separator, command, ...args] = process.argv.slice(2);
const wanted = list.split(',').filter(Boolean);
if (separator !== '--' || !command || wanted.length === 0 || !wanted.every((name) => name in SNIPPET_SERVICES)) {
  console.error(`usage: with-services.ts <${Object.keys(SNIPPET_SERVICES).join('|')}>[,...] -- <command> [args...]`);
  process.exit(2);
}
const services = new Services();
let code: number;
try {
  const lease = await services.lease(wanted as SnippetService[]);
  try {
    code = await new Promise<number>((resolve) => {
      const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, ...lease.env } });
      child.once('error', (error) => {
        console.error(error.message);
        resolve(1);
      });
      child.once('exit', (exitCode, signal) => {
        resolve(exitCode ?? (signal ? 128 : 1));
      });
    });
  } finally {
    await lease.release();
  }
} finally {
  await services.close();
}
process.exit(code);
