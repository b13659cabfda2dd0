// Runs a command with one of the project's supported Nodes (provisioned on first use):
//   node scripts/with-node.mjs 24 node_modules/mocha/bin/mocha.js
// The unit tests import the TypeScript sources directly, which Node 22.18+ runs by
// stripping types; the system Node may be older.
import { spawnSync } from 'node:child_process';
import { ensureNode } from './lib/provision.mjs';

const [spec, ...args] = process.argv.slice(2);
if (!spec || args.length === 0) {
  console.error('usage: node scripts/with-node.mjs <node version> <script> [args...]');
  process.exit(2);
}
const { bin } = ensureNode(spec);
const result = spawnSync(bin, args, { stdio: 'inherit' });
process.exit(result.status ?? 1);
