// Buffers: what alloc, allocUnsafe and the pool really give you, how subarray shares
// memory, why `.buffer` is a trap, and how encodings meet chunk boundaries.
import { Buffer, constants } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';

// ---- 1. alloc versus allocUnsafe, and the pool ------------------------------
// Pool size is 8 KiB before Node 24.18.0 and 64 KiB from it (PR #63597).
console.log(`Buffer.poolSize=${Buffer.poolSize} on ${process.version}`);
const small1 = Buffer.allocUnsafe(16);
const small2 = Buffer.allocUnsafe(16);
console.log(`allocUnsafe(16) twice: same backing ArrayBuffer=${small1.buffer === small2.buffer}, ` +
  `its size is the pool's=${small1.buffer.byteLength === Buffer.poolSize}`);
const half = Buffer.poolSize >>> 1;
console.log(`allocUnsafe(poolSize/2) is pooled=${Buffer.allocUnsafe(half).buffer.byteLength !== half} (the cut-off is size < poolSize >>> 1)`);
console.log(`alloc(16) is pooled=${Buffer.alloc(16).buffer.byteLength !== 16}, zero-filled=${Buffer.alloc(16).every((b) => b === 0)}`);
console.log(`Buffer.from('hi') is pooled=${Buffer.from('hi').buffer.byteLength === Buffer.poolSize}`);
console.log(`allocUnsafeSlow(16) is pooled=${Buffer.allocUnsafeSlow(16).buffer.byteLength !== 16}`);

// ---- 2. .buffer is the whole pool, not your bytes -----------------------------
const secret = Buffer.from('password=hunter2');
const mine = Buffer.from('public');
const wrong = new Uint8Array(mine.buffer); // every byte of the pool slab
const right = new Uint8Array(mine.buffer, mine.byteOffset, mine.byteLength);
console.log(`secret and mine share a pool slab=${secret.buffer === mine.buffer}; view over mine.buffer: ` +
  `${wrong.length === Buffer.poolSize ? 'poolSize' : wrong.length} bytes, contains the secret=${Buffer.from(wrong).includes(secret)}`);
console.log(`view with byteOffset/byteLength: ${right.length} bytes = "${Buffer.from(right).toString()}"`);

// ---- 3. subarray shares memory; copies are explicit -------------------------
const record = Buffer.from('id=42;name=Ada');
const name = record.subarray(11); // a view: no copy
const copy = Buffer.from(record.subarray(3, 5)); // a copy
record.write('Bob', 11);
console.log(`after overwriting the parent: view="${name.toString()}", copy="${copy.toString()}"`);
const viaUint8Slice = Uint8Array.prototype.slice.call(record, 0, 2);
console.log(`Uint8Array.prototype.slice copies: ${viaUint8Slice.buffer !== record.buffer}; ` +
  `Buffer#slice does not: ${record.slice(0, 2).buffer === record.buffer}`);
// A 5-byte view keeps its whole backing store reachable; copy what you keep long-term.
const big = Buffer.alloc(1024 * 1024);
const header = big.subarray(0, 5);
const kept = Buffer.from(header); // a copy: small, so it lands in the shared pool
console.log(`a 5-byte subarray pins ${header.buffer.byteLength} bytes; its copy lives in the pool slab=${kept.buffer.byteLength === Buffer.poolSize}`);

// ---- 4. Encodings: characters are not bytes --------------------------------
const price = '€12';
console.log(`'${price}': ${price.length} UTF-16 code units, ${Buffer.byteLength(price, 'utf8')} UTF-8 bytes, ` +
  `utf8 hex=${Buffer.from(price).toString('hex')}`);
console.log(`latin1 cannot hold '€': round trip="${Buffer.from(price, 'latin1').toString('latin1')}"`);
const token = Buffer.from([0xfb, 0xff, 0xfe]);
console.log(`base64="${token.toString('base64')}" base64url="${token.toString('base64url')}" hex="${token.toString('hex')}"`);

// A chunk boundary inside a multi-byte character: toString() per chunk corrupts it,
// StringDecoder (what readable.setEncoding() uses) carries the partial bytes over.
const bytes = Buffer.from('1€');
const [a, b] = [bytes.subarray(0, 2), bytes.subarray(2)];
console.log(`per-chunk toString: ${JSON.stringify(a.toString() + b.toString())}`);
const decoder = new StringDecoder('utf8');
console.log(`StringDecoder: ${JSON.stringify(decoder.write(a) + decoder.write(b) + decoder.end())}`);

// ---- 5. Limits -----------------------------------------------------------------
// A string cannot exceed MAX_STRING_LENGTH code units, whatever memory is free.
console.log(`constants.MAX_STRING_LENGTH=${constants.MAX_STRING_LENGTH}: a bigger file cannot be read into one string`);
