/**
 * Interop with kafka-python 2.0.2 (Debian's python3-kafka, pure Python) (issue 4), run by
 * python/kafka_python_client.py under /usr/bin/python3.
 *
 * kafka-python 2.0.2 probes the broker with ApiVersions v0 and infers a version tuple
 * ((2, 4, 0) for Weir: Produce v8 listed), which allows zstd. It compresses gzip with
 * zlib, snappy/lz4/zstd with Debian's python3-snappy, python3-lz4 and python3-zstandard
 * (installed by .ci/run). It has no idempotent producer (batches carry producer id -1).
 *
 * 100,000 records, 20,000 per codec (none, gzip, snappy, lz4, zstd), each with a key,
 * three headers and an explicit CreateTime, acks=all; every send's RecordMetadata gives
 * its partition/offset. A KafkaConsumer(group_id=None) with assign() + seek(0) reads them
 * back. Checked as for the other clients: each record exactly where it was acknowledged,
 * content, key stickiness, per-partition order, contiguous offsets, timestamps, and the
 * codec of every stored batch.
 */
import { describePythonClient } from './python-client-scenario.js';

describePythonClient({
  title: 'kafka-python 2.0.2',
  name: 'kafka-python',
  script: 'kafka_python_client.py',
  idempotent: false,
  // kafka-python 2.0.2 sends a batch uncompressed when compressing does not shrink it.
  uncompressedFallback: true,
  produceTitle: 'produces 100,000 records with every codec (no idempotent producer in 2.0.2)',
  consumeTitle: 'consumes them back with assign() from offset 0, without a group',
});
