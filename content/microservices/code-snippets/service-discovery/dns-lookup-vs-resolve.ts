// dns.lookup() against dns.resolve*(): a tiny authoritative DNS server on 127.0.0.1 (UDP,
// port 0) answers A and SRV queries, and counts them. lookup() goes to getaddrinfo(3) in
// the libuv thread pool (so /etc/hosts and nsswitch.conf apply) and never asks our server;
// resolve*() speaks DNS through c-ares to the servers configured on the Resolver, every
// time: Node caches neither. Only loopback names are used, so nothing leaves the machine.
// Not handled by the toy server: TCP fallback for truncated answers, compression beyond
// the question name, EDNS, NXDOMAIN (it answers NOERROR with no records for other names).
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import dns from 'node:dns';

const seen: string[] = [];
const server = createSocket('udp4');

function encodeName(name: string): Buffer {
  return Buffer.concat([...name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
}
function rr(type: number, ttl: number, rdata: Buffer): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(0xc00c, 0); // pointer to the name in the question
  h.writeUInt16BE(type, 2);
  h.writeUInt16BE(1, 4); // class IN
  h.writeUInt32BE(ttl, 6);
  h.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([h, rdata]);
}
function srv(priority: number, weight: number, port: number, target: string): Buffer {
  const b = Buffer.alloc(6);
  b.writeUInt16BE(priority, 0); b.writeUInt16BE(weight, 2); b.writeUInt16BE(port, 4);
  return Buffer.concat([b, encodeName(target)]);
}

server.on('message', (msg, rinfo) => {
  let off = 12;
  const labels: string[] = [];
  while (msg[off]! > 0) { labels.push(msg.toString('latin1', off + 1, off + 1 + msg[off]!)); off += msg[off]! + 1; }
  const qname = labels.join('.').toLowerCase();
  const qtype = msg.readUInt16BE(off + 1);
  const question = msg.subarray(12, off + 5);
  seen.push(`${qtype === 1 ? 'A' : qtype === 33 ? 'SRV' : qtype} ${qname}`);
  const answers: Buffer[] = [];
  if (qtype === 1 && (qname === 'localhost' || qname === 'orders.internal')) answers.push(rr(1, 30, Buffer.from([127, 0, 0, 2])));
  if (qtype === 33 && qname === '_http._tcp.orders.internal') {
    answers.push(rr(33, 30, srv(10, 60, 8081, 'a.orders.internal')), rr(33, 30, srv(10, 40, 8082, 'b.orders.internal')), rr(33, 30, srv(20, 0, 8083, 'c.orders.internal')));
  }
  const header = Buffer.alloc(12);
  msg.copy(header, 0, 0, 2); // same id
  header.writeUInt16BE(0x8580, 2); // response, authoritative, recursion desired + available, NOERROR
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  server.send(Buffer.concat([header, question, ...answers]), rinfo.port, rinfo.address);
});

try {
  server.bind(0, '127.0.0.1');
  await once(server, 'listening');
  const resolver = new dns.promises.Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([`127.0.0.1:${(server.address() as AddressInfo).port}`]);

  const viaOs = await dns.promises.lookup('localhost', { all: true });
  console.log(`lookup('localhost')     -> ${viaOs.map((a) => a.address).join(', ')}`);
  console.log(`  queries our server saw: ${seen.length}`);
  const a1 = await resolver.resolve4('localhost', { ttl: true });
  console.log(`resolve4('localhost')   -> ${a1.map((a) => `${a.address} ttl ${a.ttl}`).join(', ')}`);
  await resolver.resolve4('localhost');
  console.log(`  after a second resolve4, queries our server saw: ${seen.length} (${seen.join('; ')})`);
  const records = await resolver.resolveSrv('_http._tcp.orders.internal');
  for (const r of records.sort((x, y) => x.priority - y.priority || y.weight - x.weight)) {
    console.log(`SRV priority ${r.priority} weight ${r.weight} port ${r.port} target ${r.name}`);
  }
  const none = await resolver.resolve4('nothing.internal').catch((err: NodeJS.ErrnoException) => err.code);
  console.log(`resolve4 of a name with no A records -> ${String(none)}`);
} finally {
  server.close();
}
