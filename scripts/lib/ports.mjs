// A free loopback port, shared by the VS Code launcher (vscode-host.mjs, plain JavaScript so it
// runs on any Node) and the throwaway servers of the snippet runner (services.ts).
import { createServer } from 'node:net';

/** @returns {Promise<number>} a port on 127.0.0.1 that was free a moment ago */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}
