"""A first produce/consume throughput figure with confluent-kafka (librdkafka 2.0.2).
Not a test: run by hand against a running broker, with /usr/bin/python3:

  node bin/weir.js start --port 9092 --data-dir /tmp/weir-bench --set num.partitions=6 &
  /usr/bin/python3 test/interop/kafka/python/throughput.py --bootstrap 127.0.0.1:9092 \\
      --topic bench --count 500000 --size 1024

Produces COUNT records of SIZE bytes (acks=all, linger.ms=5, no compression unless
--codec), waits for every delivery report, then consumes them all from offset 0 of each
partition without a group, and prints one JSON line with records/s and MiB/s each way.
"""

import argparse
import json
import os
import time

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--count", type=int, default=500000)
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--codec", default="none")
    parser.add_argument("--acks", default="all")
    args = parser.parse_args()

    payload = os.urandom(args.size // 2).hex().encode()[: args.size]
    failed = [0]

    def on_delivery(err, _msg):
        if err is not None:
            failed[0] += 1

    producer = Producer(
        {
            "bootstrap.servers": args.bootstrap,
            "acks": args.acks,
            "linger.ms": 5,
            "compression.codec": args.codec,
            "queue.buffering.max.messages": 1000000,
            "queue.buffering.max.kbytes": 1048576,
        }
    )
    started = time.time()
    for i in range(args.count):
        while True:
            try:
                producer.produce(args.topic, value=payload, key=b"%d" % i, on_delivery=on_delivery)
                break
            except BufferError:
                producer.poll(0.01)
        if i % 1000 == 0:
            producer.poll(0)
    producer.flush(300)
    produce_s = time.time() - started

    partitions = producer.list_topics(args.topic, timeout=10).topics[args.topic].partitions
    consumer = Consumer(
        {
            "bootstrap.servers": args.bootstrap,
            "group.id": "weir-throughput-unused",
            "enable.auto.commit": False,
            "enable.partition.eof": True,
            "fetch.max.bytes": 52428800,
        }
    )
    consumer.assign([TopicPartition(args.topic, p, 0) for p in partitions])
    started = time.time()
    count = 0
    at_eof = set()
    while len(at_eof) < len(partitions) or count < args.count - failed[0]:
        for msg in consumer.consume(10000, 1.0):
            if msg.error() is not None:
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    at_eof.add(msg.partition())
                    continue
                raise SystemExit(str(msg.error()))
            count += 1
    consume_s = time.time() - started
    consumer.close()
    mib = args.count * args.size / 1048576
    print(
        json.dumps(
            {
                "records": args.count,
                "size": args.size,
                "codec": args.codec,
                "acks": args.acks,
                "failed": failed[0],
                "produce_records_per_s": round(args.count / produce_s),
                "produce_mib_per_s": round(mib / produce_s, 1),
                "consumed": count,
                "consume_records_per_s": round(count / consume_s),
                "consume_mib_per_s": round(count * args.size / 1048576 / consume_s, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
