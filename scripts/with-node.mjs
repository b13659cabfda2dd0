// Runs a command with one of the project's supported Nodes (provisioned on first use):
//   node scripts/with-node.mjs 24 node_modules/mocha/bin/mocha.js
// The unit tests and content checks are TypeScript, which Node 22.18+ runs by stripping
// types; the system Node may be older. The command learns where every supported Node is
// from BACKEND_STUDY_NODES, a JSON object of version -> executable.
import { spawnSync } from 'node:child_process';
import { ensureNode, SUPPORTED_NODES } from './lib/provision.mjs';

const [spec, ...args] = process.argv.slice(2);
if (!spec || args.length === 0) {
  console.error('usage: node scripts/with-node.mjs <node version> <script> [args...]');
  process.exit(2);
}
const nodes = Object.fromEntries(SUPPORTED_NODES.map((version) => [version, ensureNode(version).bin]));
const { bin } = ensureNode(spec);
const result = spawnSync(bin, args, { stdio: 'inherit', env: { ...process.env, BACKEND_STUDY_NODES: JSON.stringify(nodes) } });
process.exit(result.status ?? 1);
