/**
 * One Record inside a RecordBatch (magic 2), and its decoder.
 *
 *   length varint | attributes int8 (unused) | timestampDelta varlong | offsetDelta varint
 *   | keyLength varint (-1 = null) | key | valueLength varint (-1 = null) | value
 *   | headerCount varint | [headerKeyLength varint | key utf8 | headerValueLength varint | value]
 *
 * Decoding is bounds-checked throughout: malformed input fails with INVALID_RECORD (as in
 * Kafka's DefaultRecord.readFrom), never reads outside the record, and never allocates
 * in proportion to a claimed count that the bytes cannot back.
 */
import { ByteReader } from './byte-reader.js';
import { TimestampType } from './layout.js';

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/** A decoded record. key, value and header values are zero-copy slices of the batch. */
export interface KafkaRecord {
  /** Size of the record after its own length varint. */
  length: number;
  attributes: number;
  timestampDelta: bigint;
  offsetDelta: number;
  /** baseOffset + offsetDelta. */
  offset: bigint;
  /** baseTimestamp + timestampDelta; for LOG_APPEND_TIME batches, the batch maxTimestamp. */
  timestamp: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

/** The batch-level fields a record's absolute offset and timestamp derive from. */
export interface RecordContext {
  baseOffset: bigint;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  timestampType: TimestampType;
}

/** attributes, timestampDelta, offsetDelta, keyLength, valueLength, headerCount. */
const MIN_RECORD_BODY = 6;
/** headerKeyLength + headerValueLength. */
const MIN_HEADER_SIZE = 2;

/** BigInt(i) for small i: offset and timestamp deltas are mostly small, and hot. */
const SMALL_BIGINTS: readonly bigint[] = Array.from({ length: 4096 }, (_, i) => BigInt(i));

function toBigInt(n: number): bigint {
  return n >= 0 && n < SMALL_BIGINTS.length ? SMALL_BIGINTS[n]! : BigInt(n);
}

/**
 * Decodes the record at `reader.offset` and moves the reader past it. `body`, when given,
 * is a reader over the same buffer that this call re-points at the record (saving an
 * allocation per record); its position afterwards is unspecified.
 */
export function decodeRecord(
  reader: ByteReader,
  context: RecordContext,
  body = new ByteReader(reader.buffer, reader.offset, reader.offset),
): KafkaRecord {
  const length = reader.readVarint();
  if (length < MIN_RECORD_BODY || length > reader.remaining) {
    reader.fail(`invalid record length ${length} with ${reader.remaining} bytes left`);
  }
  body.reset(reader.offset, reader.offset + length);
  reader.offset += length;
  const attributes = body.readInt8();
  const timestampDelta = body.readVarlongCompact();
  const offsetDelta = body.readVarint();
  const key = body.readNullableBytes('key');
  const value = body.readNullableBytes('value');
  const headers = decodeHeaders(body);
  if (body.remaining !== 0) {
    body.fail(`record length ${length} leaves ${body.remaining} bytes unread`);
  }
  const delta = typeof timestampDelta === 'bigint' ? timestampDelta : toBigInt(timestampDelta);
  const timestamp =
    context.timestampType === TimestampType.LOG_APPEND_TIME
      ? context.maxTimestamp
      : delta === 0n
        ? context.baseTimestamp
        : context.baseTimestamp + delta;
  const offset = context.baseOffset + toBigInt(offsetDelta);
  return {
    length,
    attributes,
    timestampDelta: delta,
    offsetDelta,
    offset,
    timestamp,
    key,
    value,
    headers,
  };
}

function decodeHeaders(body: ByteReader): RecordHeader[] {
  const count = body.readVarint();
  if (count < 0 || count > body.remaining / MIN_HEADER_SIZE) {
    body.fail(`invalid header count ${count} with ${body.remaining} bytes left`);
  }
  const headers: RecordHeader[] = [];
  for (let i = 0; i < count; i++) {
    const keyLength = body.readVarint();
    if (keyLength < 0) body.fail(`invalid header key length ${keyLength}`);
    const key = body.readSlice(keyLength).toString('utf8');
    headers.push({ key, value: body.readNullableBytes('header value') });
  }
  return headers;
}
