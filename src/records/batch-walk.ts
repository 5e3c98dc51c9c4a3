/**
 * Walking a Buffer that holds several RecordBatches back to back: a produce payload for
 * one partition, a fetch response's records, or a stretch of a log segment.
 *
 * Fetch responses may legally end in a partial batch (the broker cuts at maxBytes, and
 * clients ignore the stub), and a crashed log segment may end in a torn write, so the
 * trailing bytes are reported to the caller rather than treated as an error.
 */
import { RecordBatchView } from './batch-view.js';
import { BATCH_LENGTH_OFFSET, LOG_OVERHEAD, MIN_BATCH_LENGTH } from './layout.js';

/** Bytes after the last whole batch. */
export interface TrailingBytes {
  /** Where the bytes start in the walked buffer. */
  position: number;
  /** The bytes themselves (zero-copy). */
  bytes: Buffer;
  /**
   * `truncated`: a batch that would fit if more bytes followed (normal at the end of a
   * fetch response). `invalid-length`: batchLength is below the v2 minimum, so these
   * bytes cannot be a batch and the walk cannot find the next one.
   */
  reason: 'truncated' | 'invalid-length';
}

/**
 * Yields a view per whole batch, in order; the generator's return value is the trailing
 * bytes, or null when the buffer ends exactly on a batch boundary. Views are sliced to
 * exactly one batch each but are not validated: check magic and CRC before trusting one.
 */
export function* walkBatches(buffer: Buffer): Generator<RecordBatchView, TrailingBytes | null> {
  let position = 0;
  while (position < buffer.length) {
    const trailing = (reason: TrailingBytes['reason']): TrailingBytes => ({
      position,
      bytes: buffer.subarray(position),
      reason,
    });
    if (buffer.length - position < LOG_OVERHEAD) return trailing('truncated');
    const batchLength = buffer.readInt32BE(position + BATCH_LENGTH_OFFSET);
    if (batchLength < MIN_BATCH_LENGTH) return trailing('invalid-length');
    const size = LOG_OVERHEAD + batchLength;
    if (buffer.length - position < size) return trailing('truncated');
    yield new RecordBatchView(buffer.subarray(position, position + size));
    position += size;
  }
  return null;
}

/** walkBatches, collected: every whole batch plus the trailing bytes (or null). */
export function splitBatches(buffer: Buffer): {
  batches: RecordBatchView[];
  trailing: TrailingBytes | null;
} {
  const batches: RecordBatchView[] = [];
  const walk = walkBatches(buffer);
  for (;;) {
    const step = walk.next();
    if (step.done) return { batches, trailing: step.value };
    batches.push(step.value);
  }
}
