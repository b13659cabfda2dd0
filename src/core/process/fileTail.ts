import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

/**
 * Reads a file that another process appends to, from where the last read stopped: each byte
 * is delivered once, and a UTF-8 character split across two reads is decoded whole.
 */
export class FileTail {
  private offset = 0;
  private readonly decoder = new StringDecoder('utf8');
  private reading: Promise<string> | undefined;
  private readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  /** What was appended since the last call; '' when nothing was (or the file does not exist yet). Calls made during a read wait for it. */
  read(): Promise<string> {
    const previous = this.reading ?? Promise.resolve('');
    const next = previous.then(() => this.readMore());
    this.reading = next;
    return next;
  }

  private async readMore(): Promise<string> {
    let handle;
    try {
      handle = await open(this.path, 'r');
    } catch {
      return '';
    }
    try {
      let text = '';
      const buffer = Buffer.alloc(64 * 1024);
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        text += this.decoder.write(buffer.subarray(0, bytesRead));
      }
      return text;
    } finally {
      await handle.close();
    }
  }
}
