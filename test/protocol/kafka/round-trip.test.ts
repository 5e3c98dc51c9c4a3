/**
 * Property-based round trip of every message in the schemas, every version, requests and
 * responses (plus headers and data records): random values of the fields that exist in
 * that version — nulls where the version allows them, tagged fields, unknown tagged fields
 * in flexible versions — encode, decode to an equal value, and re-encode to the same bytes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Reader } from '../../../src/protocol/kafka/wire/reader.js';
import { Writer } from '../../../src/protocol/kafka/wire/writer.js';
import {
  MESSAGE_SPECS,
  inRanges,
  loadCodec,
  versionsOf,
  type FieldSpec,
  type MessageSpec,
} from './message-specs.js';

const RUNS = Number(process.env['WEIR_PROPERTY_RUNS'] ?? 12);
const SEED = Number(process.env['WEIR_PROPERTY_SEED'] ?? 20261125);

const INT_RANGES: Record<string, [number, number]> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};

type Arb = fc.Arbitrary<unknown>;

function primitiveArb(type: string): Arb | undefined {
  const ints = INT_RANGES[type];
  if (ints) return fc.integer({ min: ints[0], max: ints[1] });
  switch (type) {
    case 'bool':
      return fc.boolean();
    case 'int64':
      return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    case 'float64':
      return fc.double();
    case 'string':
      return fc.string({ unit: 'grapheme', maxLength: 8 });
    case 'uuid':
      return fc
        .uint8Array({ minLength: 16, maxLength: 16 })
        .map((bytes) => Buffer.from(bytes).toString('base64url'));
    case 'bytes':
    case 'records':
      return fc.uint8Array({ maxLength: 24 }).map((bytes) => Buffer.from(bytes));
    default:
      return undefined;
  }
}

/** Unknown tagged fields with tags no schema uses, in ascending order as decoders keep them. */
const unknownTaggedFieldsArb = fc
  .uniqueArray(fc.integer({ min: 5000, max: 6000 }), { maxLength: 2 })
  .chain((tags) =>
    fc.tuple(
      ...tags
        .sort((a, b) => a - b)
        .map((tag) =>
          fc.uint8Array({ maxLength: 6 }).map((data) => ({ tag, data: Buffer.from(data) })),
        ),
    ),
  );

class ValueArbitraries {
  constructor(
    private readonly spec: MessageSpec,
    private readonly defaults: Record<string, () => Record<string, unknown>>,
    private readonly version: number,
  ) {}

  private get flexible(): boolean {
    return inRanges(this.spec.flexibleVersions, this.version);
  }

  message(): Arb {
    return this.struct(this.spec.name, this.spec.fields);
  }

  private struct(tsName: string, fields: FieldSpec[]): Arb {
    const defaultValue = this.defaults[tsName]!();
    const model: Record<string, Arb> = {};
    for (const field of fields) {
      if (!(field.name in defaultValue)) continue; // field exists in no valid version
      model[field.name] = inRanges(field.versions, this.version)
        ? this.field(field)
        : fc.constant(defaultValue[field.name]);
    }
    // fc.record builds null-prototype objects; decoders build plain ones.
    const record = fc.record(model).map((value) => ({ ...value })) as fc.Arbitrary<
      Record<string, unknown>
    >;
    if (!this.flexible) return record;
    return fc
      .tuple(record, fc.option(unknownTaggedFieldsArb, { nil: undefined }))
      .map(([value, unknown]) =>
        unknown !== undefined && unknown.length > 0
          ? { ...value, unknownTaggedFields: unknown }
          : value,
      );
  }

  private field(field: FieldSpec): Arb {
    const nullable = inRanges(field.nullableVersions, this.version);
    const value = this.typeArb(field.type);
    return nullable ? fc.option(value, { nil: null }) : value;
  }

  private typeArb(type: string): Arb {
    if (type.startsWith('[]')) return fc.array(this.typeArb(type.slice(2)), { maxLength: 3 });
    const primitive = primitiveArb(type);
    if (primitive) return primitive;
    const struct = this.spec.structs[type];
    if (!struct) throw new Error(`${this.spec.name}: no struct ${type}`);
    return this.struct(struct.tsName, struct.fields);
  }
}

function encode(
  codec: Awaited<ReturnType<typeof loadCodec>>,
  value: unknown,
  version: number,
): Buffer {
  const w = new Writer();
  codec.encode(w, value, version);
  return w.toBuffer();
}

for (const spec of MESSAGE_SPECS) {
  describe(`${spec.name} round trip`, () => {
    for (const version of versionsOf(spec)) {
      it(`v${version}`, async () => {
        const codec = await loadCodec(spec);
        const arbitrary = new ValueArbitraries(spec, codec.defaults, version).message();
        fc.assert(
          fc.property(arbitrary, (value) => {
            const bytes = encode(codec, value, version);
            const reader = new Reader(bytes);
            const decoded = codec.decode(reader, version);
            assert.equal(reader.remaining, 0, 'decoder must consume the whole message');
            assert.deepStrictEqual(decoded, value);
            assert.ok(
              encode(codec, decoded, version).equals(bytes),
              're-encoding changes the bytes',
            );
          }),
          { numRuns: RUNS, seed: SEED + version },
        );
      });
    }
  });
}
