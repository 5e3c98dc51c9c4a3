/**
 * Interop with confluent-kafka-python 1.7 on Debian's librdkafka 2.0.2 (issue 4), run by
 * python/confluent_client.py under /usr/bin/python3.
 *
 * The idempotent producer (enable.idempotence=true, acks=all) sends 100,000 records,
 * 20,000 per codec (none, gzip, snappy, lz4, zstd), each with a key, three headers and an
 * explicit CreateTime, and reports the partition/offset of every delivery. A Consumer with
 * assign() from offset 0 (no group joined, no commits) reads them back.
 *
 * Checked: every record is consumed exactly where its delivery report put it, with the
 * same value, key, headers and timestamp; key → partition stickiness over all partitions;
 * per-partition order and contiguous offsets; each stored batch compressed with its codec;
 * a producer id on every batch.
 */
import { describePythonClient } from './python-client-scenario.js';

describePythonClient({
  title: 'confluent-kafka-python (librdkafka 2.0.2)',
  name: 'confluent',
  script: 'confluent_client.py',
  idempotent: true,
  // librdkafka, like kafka-python, sends a batch uncompressed when compressing would not
  // shrink it.
  uncompressedFallback: true,
  produceTitle: 'produces 100,000 records with the idempotent producer and every codec',
  consumeTitle: 'consumes them back with assign() from offset 0, without a group',
});
