// Protobuf identifies fields by number on the wire, never by name. Removing a field is
// safe only if its number (and name) can never be given to another field: `reserved`.
// protobufjs 7.6.6 is the parser under @grpc/proto-loader 0.8.1.
import protobuf from 'protobufjs';

const v1 = protobuf.parse(`syntax = "proto3"; package shop;
  message Order { string id = 1; int64 total_cents = 2; string note = 3; }`).root.lookupType('shop.Order');

// v2 removes note correctly and adds a field under a new number.
const v2 = protobuf.parse(`syntax = "proto3"; package shop;
  message Order { reserved 3; reserved "note"; string id = 1; int64 total_cents = 2; string coupon_code = 4; }`).root.lookupType('shop.Order');

// v2-bad removes note and gives its number to a new field of the same wire type.
const v2bad = protobuf.parse(`syntax = "proto3"; package shop;
  message Order { string id = 1; int64 total_cents = 2; string coupon_code = 3; }`).root.lookupType('shop.Order');

const show = (m: protobuf.Message): string => JSON.stringify(m.$type.toObject(m, { longs: String }));

const fromOldClient = v1.encode(v1.fromObject({ id: 'ord_1', totalCents: 1250, note: 'leave at door' })).finish();
console.log(`v1 bytes (${fromOldClient.length}): ${Buffer.from(fromOldClient).toString('hex')}`);
console.log(`read by v2:     ${show(v2.decode(fromOldClient))}  (field 3 skipped as unknown)`);
console.log(`read by v2-bad: ${show(v2bad.decode(fromOldClient))}  (silently wrong)`);

const fromNewClient = v2.encode(v2.fromObject({ id: 'ord_2', totalCents: 990, couponCode: 'SPRING' })).finish();
console.log(`v2 bytes read by v1: ${show(v1.decode(fromNewClient))}  (field 4 skipped)`);

// Changing a field's type is not safe either: protobufjs decodes by the reader's schema,
// here the varint 1250 becomes a string length and the bytes that follow are misread.
const v2retyped = protobuf.parse(`syntax = "proto3"; package shop;
  message Order { string id = 1; string total_cents = 2; }`).root.lookupType('shop.Order');
try {
  console.log(`int64 read as string: ${show(v2retyped.decode(fromOldClient))}`);
} catch (err) {
  console.log(`int64 read as string: ${(err as Error).name}: ${(err as Error).message}`); // a truncated message ends here
}

// Reusing a reserved name is rejected when protobufjs loads the schema. Reserved *numbers*
// are checked with an exclusive upper bound in protobufjs 7.6.6, although the language
// guide defines ranges as inclusive: `reserved 3;` protects nothing, and `reserved 3 to 5;`
// does not protect 5. Let protoc or buf enforce reservations in CI, not this parser.
for (const [reserved, field] of [
  ['reserved "note";', 'string note = 5;'],
  ['reserved 3;', 'string gift_message = 3;'],
  ['reserved 3 to 5;', 'string gift_message = 4;'],
  ['reserved 3 to 5;', 'string gift_message = 5;'],
] as const) {
  let verdict = 'accepted';
  try {
    protobuf.parse(`syntax = "proto3"; message Order { ${reserved} ${field} }`);
  } catch (err) {
    verdict = `rejected: ${(err as Error).message}`;
  }
  console.log(`${reserved.padEnd(17)} ${field.padEnd(25)} -> ${verdict}`);
}
