// Protobuf on the wire: a hand-written encoder for varints, zig-zag and tags, checked
// byte for byte against protobufjs as @grpc/proto-loader uses it, then three schema
// changes: one compatible, one that silently corrupts data, one that loses data.
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { inventory } from './lib/grpc-helpers.ts';

// Base-128 varint: 7 bits per byte, least significant group first, high bit = "more".
function varint(value: bigint): number[] {
  let v = BigInt.asUintN(64, value); // negative int32/int64 are sign-extended to 64 bits
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return out;
}
const zigzag32 = (n: number): bigint => BigInt(((n << 1) ^ (n >> 31)) >>> 0); // 0,-1,1,-2 -> 0,1,2,3
const tag = (field: number, wireType: number): number[] => varint(BigInt((field << 3) | wireType));
const VARINT = 0;
const LEN = 2;
const str = (field: number, s: string): number[] => {
  const bytes = [...Buffer.from(s, 'utf8')];
  return [...tag(field, LEN), ...varint(BigInt(bytes.length)), ...bytes];
};
const hex = (bytes: Iterable<number>): string => Buffer.from([...bytes]).toString('hex').replace(/(..)/g, '$1 ').trim();

console.log('varint(1)   =', hex(varint(1n)));
console.log('varint(150) =', hex(varint(150n)));
console.log('varint(300) =', hex(varint(300n)));
console.log('int32 -1    =', hex(varint(-1n)), `(${varint(-1n).length} bytes)`);
console.log('sint32 -1   =', hex(varint(zigzag32(-1))), `(zig-zag -> ${zigzag32(-1)})`);

// The message, encoded by hand: field number << 3 | wire type, then the payload.
const item = { sku: 'A1', quantity: 150, delta: -2, bins: [1, 2, 300] }; // name left unset
const packed = item.bins.flatMap((b) => varint(BigInt(b)));
const byHand = [
  ...str(1, item.sku), // 0a 02 41 31
  // name (field 2) is unset, so nothing is written for it
  ...tag(3, VARINT), ...varint(BigInt(item.quantity)), // 18 96 01
  ...tag(4, VARINT), ...varint(zigzag32(item.delta)), // 20 03
  ...tag(5, LEN), ...varint(BigInt(packed.length)), ...packed, // 2a 04 01 02 ac 02 (packed by default in proto3)
];

// The serializer grpc-js will call: proto-loader builds it from protobufjs.
const { definition } = inventory();
const service = definition['demo.v1.Inventory'] as Record<string, { requestSerialize(v: unknown): Buffer }>;
const fromLibrary = service.UploadItems.requestSerialize(item);
console.log('by hand     =', hex(byHand));
console.log('protobufjs  =', hex(fromLibrary));
assert.deepEqual([...fromLibrary], byHand);
console.log(`identical: ${byHand.length} bytes; JSON.stringify would be ${Buffer.byteLength(JSON.stringify(item))} bytes`);
// The proto3 spec says a default value need not be sent; protobufjs 7 still writes a field
// that is present in the object, even when it holds the default. Both decode the same.
console.log("with name:''=", hex(service.UploadItems.requestSerialize({ ...item, name: '' })));

// Schema evolution, decoded by an old reader.
const type = (body: string): protobuf.Type => protobuf.parse(`syntax = "proto3"; message Item { ${body} }`).root.lookupType('Item');
const v1 = type('string sku = 1; int32 quantity = 3;');
const v2 = type('string sku = 1; int32 quantity = 3; string warehouse = 6;');
const written = v2.encode({ sku: 'A1', quantity: 7, warehouse: 'FRA' }).finish();
const readByV1 = v1.decode(written);
console.log('1. add field 6, old reader:', JSON.stringify(v1.toObject(readByV1)));
const reencoded = v1.encode(readByV1).finish();
console.log(`   old reader re-encodes ${reencoded.length} of ${written.length} bytes: protobufjs dropped the unknown field`);

const asInt32 = type('int32 delta = 4;');
const asSint32 = type('sint32 delta = 4;');
const signed = asSint32.encode({ delta: -2 }).finish();
console.log('2. sint32 -2 read as int32:', JSON.stringify(asInt32.toObject(asInt32.decode(signed))), '(same wire type, no error)');

const renumbered = type('string sku = 1; int32 quantity = 4;'); // someone "tidied up" the numbers
console.log('3. quantity moved 3 -> 4:', JSON.stringify(renumbered.toObject(renumbered.decode(v1.encode({ sku: 'A1', quantity: 7 }).finish()), { defaults: true })));
