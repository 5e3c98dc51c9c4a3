"""kafka-python (2.0.2, Debian) side of Weir's interop tests. Run with /usr/bin/python3.

  produce  --bootstrap B --topic T --records IN.jsonl --acks OUT.jsonl
      Produces the records of IN (one JSON SpecRecord a line) with one KafkaProducer per
      codec (snappy, lz4 and zstd need Debian's python3-snappy, python3-lz4 and
      python3-zstandard), with key, headers and CreateTime, and writes one {index,
      partition, offset} line per acknowledged record. kafka-python 2.0.2 has no
      idempotent producer.
  consume  --bootstrap B --topic T --partitions N --expect COUNT --out OUT.jsonl
      Consumes every partition from offset 0 without a group (group_id=None, assign() +
      seek()) until each position reaches the high watermark; one ConsumedRecord a line.
"""

import argparse
import json
import sys
import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

CODECS = {"none": None, "gzip": "gzip", "snappy": "snappy", "lz4": "lz4", "zstd": "zstd"}


def produce(args):
    with open(args.records) as f:
        records = [json.loads(line) for line in f if line.strip()]
    codecs = []
    for record in records:
        if not codecs or codecs[-1] != record["codec"]:
            codecs.append(record["codec"])
    with open(args.acks, "w") as acks:
        for codec in codecs:
            producer = KafkaProducer(
                bootstrap_servers=args.bootstrap,
                client_id="weir-interop-kafka-python",
                compression_type=CODECS[codec],
                acks="all",
                linger_ms=5,
                batch_size=65536,
                retries=0,
            )
            pending = []
            for record in records:
                if record["codec"] != codec:
                    continue
                future = producer.send(
                    args.topic,
                    value=record["value"].encode(),
                    key=record["key"].encode(),
                    headers=[(k, v.encode()) for k, v in record["headers"]],
                    timestamp_ms=record["timestamp"],
                )
                pending.append((record["index"], future))
            producer.flush(timeout=90)
            for index, future in pending:
                metadata = future.get(timeout=30)
                acks.write(
                    json.dumps(
                        {"index": index, "partition": metadata.partition, "offset": metadata.offset}
                    )
                    + "\n"
                )
            producer.close(timeout=10)


def consume(args):
    consumer = KafkaConsumer(
        bootstrap_servers=args.bootstrap,
        client_id="weir-interop-kafka-python",
        group_id=None,
        enable_auto_commit=False,
        max_partition_fetch_bytes=4 << 20,
    )
    partitions = [TopicPartition(args.topic, p) for p in range(args.partitions)]
    consumer.assign(partitions)
    for tp in partitions:
        consumer.seek(tp, 0)
    count = 0
    deadline = time.time() + args.timeout
    with open(args.out, "w") as out:
        while True:
            if time.time() > deadline:
                print("timed out after %d records" % count, file=sys.stderr)
                sys.exit(1)
            batches = consumer.poll(timeout_ms=500, max_records=10000)
            for records in batches.values():
                for r in records:
                    out.write(
                        json.dumps(
                            {
                                "partition": r.partition,
                                "offset": r.offset,
                                "timestamp": r.timestamp,
                                "timestampType": "create" if r.timestamp_type == 0 else "append",
                                "key": None if r.key is None else r.key.decode(),
                                "value": None if r.value is None else r.value.decode(),
                                "headers": [
                                    [k, None if v is None else v.decode()] for k, v in r.headers
                                ],
                            }
                        )
                        + "\n"
                    )
                    count += 1
            if count >= args.expect and all(
                consumer.highwater(tp) is not None and consumer.position(tp) >= consumer.highwater(tp)
                for tp in partitions
            ):
                break
    consumer.close(autocommit=False)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["produce", "consume"])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--records")
    parser.add_argument("--acks")
    parser.add_argument("--out")
    parser.add_argument("--partitions", type=int)
    parser.add_argument("--expect", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=90)
    args = parser.parse_args()
    {"produce": produce, "consume": consume}[args.mode](args)


if __name__ == "__main__":
    main()
