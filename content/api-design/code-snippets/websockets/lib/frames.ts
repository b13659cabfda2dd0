// RFC 6455 section 5.2 framing, written out by hand so that the snippets can speak the
// protocol byte by byte to a real `ws` server. This is a teaching probe, not a client:
// production code uses `ws` or the global WebSocket.
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'node:net';
import type { Socket } from 'node:net';

export const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'; // RFC 6455 section 1.3

/** Sec-WebSocket-Accept = base64(SHA-1(key + GUID)), RFC 6455 section 4.2.2. */
export function acceptFor(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

export interface Frame {
  readonly fin: boolean;
  readonly opcode: number;
  readonly masked: boolean;
  readonly payload: Buffer;
  readonly headerBytes: number;
}

export const OP = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** Encodes one frame; a client MUST mask (section 5.3), a server MUST NOT. */
export function encodeFrame(opcode: number, payload: Buffer, mask: boolean, fin = true): Buffer {
  const len = payload.length;
  const lenBytes = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const header = Buffer.alloc(2 + lenBytes + (mask ? 4 : 0));
  header[0] = (fin ? 0x80 : 0) | opcode;
  header[1] = (mask ? 0x80 : 0) | (lenBytes === 0 ? len : lenBytes === 2 ? 126 : 127);
  if (lenBytes === 2) header.writeUInt16BE(len, 2);
  if (lenBytes === 8) header.writeBigUInt64BE(BigInt(len), 2);
  if (!mask) return Buffer.concat([header, payload]);
  const key = randomBytes(4);
  key.copy(header, 2 + lenBytes);
  const body = Buffer.alloc(len);
  for (let i = 0; i < len; i++) body[i] = (payload[i] as number) ^ (key[i & 3] as number);
  return Buffer.concat([header, body]);
}

/** Parses one frame from the front of buf, or returns undefined if it is incomplete. */
export function decodeFrame(buf: Buffer): { frame: Frame; rest: Buffer } | undefined {
  if (buf.length < 2) return undefined;
  const b0 = buf[0] as number;
  const b1 = buf[1] as number;
  let len = b1 & 0x7f;
  let offset = 2;
  if (len === 126) {
    if (buf.length < 4) return undefined;
    len = buf.readUInt16BE(2);
    offset = 4;
  } else if (len === 127) {
    if (buf.length < 10) return undefined;
    len = Number(buf.readBigUInt64BE(2));
    offset = 10;
  }
  const masked = (b1 & 0x80) !== 0;
  const maskOffset = offset;
  if (masked) offset += 4;
  if (buf.length < offset + len) return undefined;
  const payload = Buffer.from(buf.subarray(offset, offset + len));
  if (masked) for (let i = 0; i < len; i++) payload[i] = (payload[i] as number) ^ (buf[maskOffset + (i & 3)] as number);
  return { frame: { fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, masked, payload, headerBytes: offset }, rest: buf.subarray(offset + len) };
}

export interface RawClient {
  readonly socket: Socket;
  readonly status: number;
  readonly headers: Record<string, string>;
  /** The next frame from the server, rejecting after timeoutMs. */
  nextFrame(timeoutMs: number): Promise<Frame>;
}

/**
 * Opens a TCP connection, sends an upgrade request with a fresh Sec-WebSocket-Key and
 * parses the response head. Rejects (and destroys the socket) if nothing arrives in time.
 */
export async function rawConnect(port: number, path = '/', timeoutMs = 2_000, extraHeaders = ''): Promise<RawClient & { key: string }> {
  const socket = connect(port, '127.0.0.1');
  const timer = setTimeout(() => socket.destroy(new Error(`handshake timed out after ${timeoutMs} ms`)), timeoutMs);
  try {
    await once(socket, 'connect');
    socket.on('error', () => {}); // a reset after the handshake shows up as 'close'; callers watch that
    const key = randomBytes(16).toString('base64'); // section 4.1: 16 random bytes, base64
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${extraHeaders}\r\n`,
    );
    let buf = Buffer.alloc(0);
    let end = -1;
    while (end === -1) {
      const [chunk] = (await once(socket, 'data')) as [Buffer];
      buf = Buffer.concat([buf, chunk]);
      end = buf.indexOf('\r\n\r\n');
    }
    const [statusLine = '', ...lines] = buf.subarray(0, end).toString('latin1').split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const i = line.indexOf(':');
      headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    let pending = buf.subarray(end + 4);
    const waiting: Array<(f: Frame) => void> = [];
    const frames: Frame[] = [];
    const pump = (): void => {
      for (let d = decodeFrame(pending); d; d = decodeFrame(pending)) {
        pending = d.rest;
        const w = waiting.shift();
        if (w) w(d.frame);
        else frames.push(d.frame);
      }
    };
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      pump();
    });
    pump();
    const nextFrame = (ms: number): Promise<Frame> => {
      const ready = frames.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise<Frame>((resolve, reject) => {
        const t = setTimeout(() => {
          waiting.splice(waiting.indexOf(done), 1);
          reject(Object.assign(new Error(`no frame within ${ms} ms`), { code: 'ETIMEDOUT' }));
        }, ms);
        const done = (f: Frame): void => {
          clearTimeout(t);
          resolve(f);
        };
        waiting.push(done);
      });
    };
    return { socket, key, status: Number(statusLine.split(' ')[1]), headers, nextFrame };
  } catch (err) {
    socket.destroy();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
