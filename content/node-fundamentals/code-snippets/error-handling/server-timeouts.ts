// The HTTP server's own timeouts: their defaults on this Node, and what two of them do to a
// client that is too slow. headersTimeout and requestTimeout bound how long a client may
// take to send a request (slowloris); keepAliveTimeout bounds an idle keep-alive connection.
import { once } from 'node:events';
import { createServer, request, Agent } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';

const defaults = createServer();
console.log('defaults:', JSON.stringify({
  requestTimeout: defaults.requestTimeout, // whole request, headers and body
  headersTimeout: defaults.headersTimeout, // headers only
  keepAliveTimeout: defaults.keepAliveTimeout, // idle time after a response, on keep-alive
  timeout: defaults.timeout, // socket inactivity; 0 = off
}));
console.log(`keepAliveTimeoutBuffer option: ${'keepAliveTimeoutBuffer' in defaults ? 'yes' : 'no'} (${process.version})`);

// Tight limits for the demo. The timeouts are enforced by a periodic check, every
// connectionsCheckingInterval ms (30 s by default), so the check runs often here. The
// requestTimeout is far above the headersTimeout, so the timing shows which one answered.
const server = createServer({ headersTimeout: 300, requestTimeout: 2_000, connectionsCheckingInterval: 50 }, (req, res) => {
  res.end('ok');
  res.on('finish', () => setImmediate(() => {
    console.log(`idle keep-alive socket timeout after a response: ${req.socket.timeout} ms ` +
      `(keepAliveTimeout ${server.keepAliveTimeout} + 1000)`);
  }));
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = server.address() as AddressInfo;

// 1. A client that sends half its headers and then stalls, as a slowloris attack does.
const slow = connect(port, '127.0.0.1');
await once(slow, 'connect');
const started = performance.now();
slow.write('GET / HTTP/1.1\r\nHost: localhost\r\n'); // no blank line: headers never end
let reply = '';
slow.setEncoding('utf8');
slow.on('data', (chunk: string) => { reply += chunk; });
await once(slow, 'close');
const ms = performance.now() - started;
console.log(`stalled headers -> "${reply.split('\r\n')[0]}", closed by headersTimeout (after 300 ms, before the 2,000 ms requestTimeout): ${ms >= 300 && ms < 2_000}`);

// 2. A normal keep-alive request: the socket's idle timeout is set when the response ends.
const agent = new Agent({ keepAlive: true });
await new Promise<void>((resolve, reject) => {
  request({ host: '127.0.0.1', port, agent }, (res) => { res.resume(); res.on('end', resolve); }).on('error', reject).end();
});
await new Promise((resolve) => setTimeout(resolve, 20));
agent.destroy();

// 3. server.close() stops the periodic check: a client stalled in its headers is no longer
//    timed out, and close() waits for it. During a drain only a force-close bounds it.
const stalled = connect(port, '127.0.0.1');
await once(stalled, 'connect');
stalled.write('GET / HTTP/1.1\r\nHost: localhost\r\n');
await new Promise((resolve) => setTimeout(resolve, 20));
let closed = false;
server.close(() => { closed = true; });
await new Promise((resolve) => setTimeout(resolve, 1_000)); // 3 times the headersTimeout
console.log(`after close(), a stalled client 1 s later: socket ${stalled.destroyed ? 'closed' : 'still open'}, close() ${closed ? 'done' : 'still waiting'}`);
server.closeAllConnections(); // the force-close step of a graceful shutdown
await once(server, 'close');
stalled.destroy();
