"""confluent-kafka (librdkafka) side of Weir's interop tests. Run with /usr/bin/python3.

  produce  --bootstrap B --topic T --records IN.jsonl --acks OUT.jsonl [--idempotent]
      Produces the records of IN (one JSON SpecRecord a line) with one producer per codec,
      in file order, with key, headers and CreateTime; writes one {index, partition,
      offset} line per delivery report. Exits 1 if any delivery failed.
  consume  --bootstrap B --topic T --partitions N --expect COUNT --out OUT.jsonl
      Consumes every partition from offset 0 without a consumer group (assign(), no
      commits) until each partition reports EOF; writes one ConsumedRecord a line.
  stream   --bootstrap B --topic T --count N --rate R [--idempotent]
      For the crash test: produces N records at about R per second with acks=all and
      prints "ack <index> <partition> <offset>" / "err <index> <reason>" lines, flushed
      at once, until every record is acknowledged or has failed.
"""

import argparse
import json
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, Producer, TopicPartition

TIMESTAMP_TYPES = {1: "create", 2: "append"}


def index_of(value):
    return int(value.split(b":", 1)[0][1:])


def produce(args):
    with open(args.records) as f:
        records = [json.loads(line) for line in f if line.strip()]
    acks = open(args.acks, "w")
    errors = []

    def on_delivery(err, msg):
        if err is not None:
            errors.append("record %d: %s" % (index_of(msg.value()), err))
            return
        acks.write(
            json.dumps(
                {"index": index_of(msg.value()), "partition": msg.partition(), "offset": msg.offset()}
            )
            + "\n"
        )

    codecs = []
    for record in records:
        if not codecs or codecs[-1] != record["codec"]:
            codecs.append(record["codec"])
    for codec in codecs:
        producer = Producer(
            {
                "bootstrap.servers": args.bootstrap,
                "client.id": "weir-interop-confluent",
                "compression.codec": codec,
                "enable.idempotence": args.idempotent,
                "acks": "all",
                "linger.ms": 5,
                "message.timeout.ms": 60000,
                "error_cb": lambda err: errors.append("producer error: %s" % err),
            }
        )
        for record in records:
            if record["codec"] != codec:
                continue
            while True:
                try:
                    producer.produce(
                        args.topic,
                        value=record["value"].encode(),
                        key=record["key"].encode(),
                        headers=[(k, v.encode()) for k, v in record["headers"]],
                        timestamp=record["timestamp"],
                        on_delivery=on_delivery,
                    )
                    break
                except BufferError:
                    producer.poll(0.05)
            producer.poll(0)
        remaining = producer.flush(90)
        if remaining:
            errors.append("%d %s records still queued after flush" % (remaining, codec))
    acks.close()
    if errors:
        print("\n".join(errors[:20]), file=sys.stderr)
        sys.exit(1)


def consume(args):
    consumer = Consumer(
        {
            "bootstrap.servers": args.bootstrap,
            "client.id": "weir-interop-confluent",
            # No group is joined: assign() below; the id is only required by the constructor.
            "group.id": "weir-interop-unused",
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
            "enable.partition.eof": True,
        }
    )
    start = OFFSET_BEGINNING if args.from_beginning else 0
    consumer.assign([TopicPartition(args.topic, p, start) for p in range(args.partitions)])
    at_eof = set()
    count = 0
    deadline = time.time() + args.timeout
    with open(args.out, "w") as out:
        while len(at_eof) < args.partitions or count < args.expect:
            if time.time() > deadline:
                print(
                    "timed out: %d records, partitions at EOF %s" % (count, sorted(at_eof)),
                    file=sys.stderr,
                )
                sys.exit(1)
            for msg in consumer.consume(1000, 1.0):
                err = msg.error()
                if err is not None:
                    if err.code() == KafkaError._PARTITION_EOF:
                        at_eof.add(msg.partition())
                        continue
                    print("consume error: %s" % err, file=sys.stderr)
                    sys.exit(1)
                at_eof.discard(msg.partition())
                ts_type, ts = msg.timestamp()
                key = msg.key()
                out.write(
                    json.dumps(
                        {
                            "partition": msg.partition(),
                            "offset": msg.offset(),
                            "timestamp": ts,
                            "timestampType": TIMESTAMP_TYPES.get(ts_type, "none"),
                            "key": None if key is None else key.decode(),
                            "value": msg.value().decode(),
                            "headers": [
                                [k, None if v is None else v.decode()]
                                for k, v in (msg.headers() or [])
                            ],
                        }
                    )
                    + "\n"
                )
                count += 1
    consumer.close()


def stream(args):
    done = [0]

    def on_delivery(err, msg):
        done[0] += 1
        index = index_of(msg.value())
        if err is not None:
            print("err %d %s" % (index, err), flush=True)
        else:
            print("ack %d %d %d" % (index, msg.partition(), msg.offset()), flush=True)

    producer = Producer(
        {
            "bootstrap.servers": args.bootstrap,
            "client.id": "weir-interop-crash",
            "enable.idempotence": args.idempotent,
            "acks": "all",
            "linger.ms": 2,
            "message.timeout.ms": 90000,
            "reconnect.backoff.ms": 50,
            "reconnect.backoff.max.ms": 500,
            "retry.backoff.ms": 50,
            "error_cb": lambda err: print("log %s" % err, flush=True),
        }
    )
    started = time.time()
    t0 = int(started * 1000) - args.count - 60000
    for index in range(args.count):
        # Pace the producer so the broker is killed while it is busy.
        ahead = index / args.rate - (time.time() - started)
        if ahead > 0:
            producer.poll(ahead)
        value = ("v%d:none:" % index + "crash-test payload " * (1 + index % 8)).encode()
        while True:
            try:
                producer.produce(
                    args.topic,
                    value=value,
                    key=("key-%d" % (index % 997)).encode(),
                    headers=[("idx", str(index).encode())],
                    timestamp=t0 + index,
                    on_delivery=on_delivery,
                )
                break
            except BufferError:
                producer.poll(0.05)
        producer.poll(0)
    producer.flush(120)
    print("done %d" % done[0], flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["produce", "consume", "stream"])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--records")
    parser.add_argument("--acks")
    parser.add_argument("--out")
    parser.add_argument("--partitions", type=int)
    parser.add_argument("--expect", type=int, default=0)
    parser.add_argument("--from-beginning", action="store_true")
    parser.add_argument("--timeout", type=float, default=90)
    parser.add_argument("--count", type=int)
    parser.add_argument("--rate", type=float, default=5000)
    parser.add_argument("--idempotent", action="store_true")
    args = parser.parse_args()
    {"produce": produce, "consume": consume, "stream": stream}[args.mode](args)


if __name__ == "__main__":
    main()
