/**
 * Kafka UUIDs (topic ids, …) travel as 16 raw bytes. In memory Weir keeps them as Kafka
 * prints them: URL-safe base64 without padding (22 characters), e.g. the all-zero
 * "none" id is `AAAAAAAAAAAAAAAAAAAAAA`.
 */
export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

export function uuidFromBytes(bytes: Buffer): string {
  return bytes.toString('base64url');
}

/** Returns the 16 bytes of a UUID string; throws a RangeError for anything else. */
export function uuidToBytes(uuid: string): Buffer {
  const bytes = Buffer.from(uuid, 'base64url');
  if (bytes.length !== 16 || uuid.length !== 22) {
    throw new RangeError(`not a Kafka UUID: ${JSON.stringify(uuid)}`);
  }
  return bytes;
}
