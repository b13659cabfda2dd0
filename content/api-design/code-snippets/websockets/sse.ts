// Server-Sent Events, the one-way alternative: a plain HTTP response of type
// text/event-stream. Each event carries an id; a reconnecting client sends the last one
// back in Last-Event-ID and the server resumes from there. The client is fetch() plus a
// small parser (Node has no EventSource without --experimental-eventsource).
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const events = Array.from({ length: 10 }, (_, i) => ({ id: i + 1, data: JSON.stringify({ price: 100 + i }) }));

const server = createServer((req, res) => {
  if (req.url !== '/prices') return void res.writeHead(404).end();
  const lastId = Number(req.headers['last-event-id'] ?? 0);
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no', // tells nginx not to buffer the stream
  });
  res.write('retry: 250\n\n'); // the client's reconnection delay, in ms
  let i = events.findIndex((e) => e.id > lastId);
  const timer = setInterval(() => {
    if (i === -1 || i >= events.length) return void res.write(': keep-alive\n\n'); // a comment: ignored by clients, keeps proxies from timing out
    const e = events[i++]!;
    res.write(`id: ${e.id}\nevent: price\ndata: ${e.data}\n\n`);
  }, 10);
  res.on('close', () => clearInterval(timer)); // the client went away: stop producing
});
server.listen(0, '127.0.0.1');
await once(server, 'listening', { signal: AbortSignal.timeout(2_000) });
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prices`;

interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

/**
 * Reads one connection's events: enough of the WHATWG event-stream format for what this
 * server sends (LF line ends; `id`, `event` and `data` on events that carry data; comments).
 * `retry` lines are skipped: this client reconnects at once. It is not a full parser: unlike
 * EventSource it ignores `retry`, keeps no leading empty `data:` line, ignores an `id` on an
 * event without data, and does not accept a bare CR as a line end.
 */
async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  let buf = '';
  let cur: SseEvent = { event: 'message', data: '' };
  for await (const text of body.pipeThrough(new TextDecoderStream())) {
    buf += text;
    let nl: number;
    while ((nl = buf.indexOf('\n')) !== -1) {
      const line = buf.slice(0, nl).replace(/\r$/, '');
      buf = buf.slice(nl + 1);
      if (line === '') {
        if (cur.data !== '') yield cur; // a blank line dispatches the event
        cur = { event: 'message', data: '' };
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') cur.data += (cur.data ? '\n' : '') + value;
        else if (field === 'id') cur.id = value;
        else if (field === 'event') cur.event = value;
      }
    }
  }
}

let lastEventId = '';
const seen: string[] = [];
try {
  for (const stopAfter of [4, 10]) {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(new Error('stream stalled')), 3_000);
    try {
      const res = await fetch(url, { headers: lastEventId ? { 'last-event-id': lastEventId } : {}, signal: ac.signal });
      console.log(`connect (Last-Event-ID: ${lastEventId || 'none'}): ${res.status} ${res.headers.get('content-type')}`);
      if (!res.body) throw new Error('no body');
      for await (const e of readEvents(res.body)) {
        lastEventId = e.id ?? lastEventId;
        seen.push(e.id ?? '?');
        if (seen.length >= stopAfter) break; // leaving the loop cancels the body
      }
    } finally {
      clearTimeout(timer);
      ac.abort(); // the connection drops here, as a flaky network would drop it
    }
  }
  console.log(`event ids received: ${seen.join(' ')}`);
  console.log(`resumed without gaps or duplicates: ${seen.join(' ') === events.map((e) => e.id).join(' ')}`);
} finally {
  server.closeAllConnections();
  server.close();
}
