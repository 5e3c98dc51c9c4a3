/** Shared test helpers for test/records. */
import assert from 'node:assert/strict';
import { RecordsError, type RecordsErrorCode } from '../../src/records/index.js';

/** Asserts that `run` throws a RecordsError with `code`. */
export function assertThrowsCode(run: () => unknown, code: RecordsErrorCode): void {
  assert.throws(run, (error: unknown) => isRecordsError(error, code));
}

/** Asserts that `promise` rejects with a RecordsError with `code`. */
export async function assertRejectsCode(
  promise: Promise<unknown>,
  code: RecordsErrorCode,
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => isRecordsError(error, code));
}

function isRecordsError(error: unknown, code: RecordsErrorCode): boolean {
  if (!(error instanceof RecordsError)) {
    assert.fail(`expected RecordsError ${code}, got ${String(error)}`);
  }
  assert.equal(error.code, code, error.message);
  return true;
}

/** Deterministic pseudo-random bytes (xorshift32), so failures reproduce. */
export function pseudoRandomBytes(length: number, seed = 1): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

/** Text-like bytes that compress well, like real JSON payloads. */
export function compressibleBytes(length: number): Buffer {
  const unit = Buffer.from('{"user":"alice","event":"click","n":12345}\n');
  const bytes = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) bytes[i] = unit[i % unit.length] ^ (i % 97 === 0 ? 1 : 0);
  return bytes;
}
