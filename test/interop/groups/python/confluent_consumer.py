"""A confluent-kafka (librdkafka) group consumer run as a child process by Weir's group
interop tests. Run with /usr/bin/python3 (Debian's python3-confluent-kafka).

Argument: one JSON object {bootstrap, topic, group, clientId, sessionTimeoutMs,
assignor?, instanceId?}. Prints JSON lines on stdout:
  {"e":"assigned","partitions":[...]}  the full assignment after every change
  {"e":"revoked","partitions":[...]}   partitions taken away (incrementally with
                                        cooperative-sticky, all of them with eager)
  {"e":"r","p":P,"o":O,"v":VALUE}      a record, before its offset is committed
  {"e":"c","p":P,"o":NEXT}             a successful synchronous commit of NEXT
  {"e":"commit-error","p":P,"o":NEXT}  a failed one (the record may be redelivered)
SIGTERM: close (a static member does not leave the group) and exit.
"""

import json
import signal
import sys

from confluent_kafka import Consumer, KafkaException

args = json.loads(sys.argv[1])
cooperative = args.get("assignor") == "cooperative-sticky"
current = set()
running = True


def emit(event):
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def on_assign(consumer, partitions):
    global current
    mine = {p.partition for p in partitions if p.topic == args["topic"]}
    current = (current | mine) if cooperative else mine
    emit({"e": "assigned", "partitions": sorted(current), "added": sorted(mine)})


def on_revoke(consumer, partitions):
    global current
    gone = {p.partition for p in partitions if p.topic == args["topic"]}
    current = current - gone
    emit({"e": "revoked", "partitions": sorted(gone)})


def stop(signum, frame):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)
config = {
    "bootstrap.servers": args["bootstrap"],
    "group.id": args["group"],
    "client.id": args["clientId"],
    "session.timeout.ms": args["sessionTimeoutMs"],
    "heartbeat.interval.ms": 500,
    "max.poll.interval.ms": 15000,
    "enable.auto.commit": False,
    "auto.offset.reset": "earliest",
    "partition.assignment.strategy": args.get("assignor", "range"),
    "fetch.wait.max.ms": 100,
}
if args.get("instanceId"):
    config["group.instance.id"] = args["instanceId"]
consumer = Consumer(config)
consumer.subscribe([args["topic"]], on_assign=on_assign, on_revoke=on_revoke)
while running:
    message = consumer.poll(0.1)
    if message is None:
        continue
    if message.error():
        emit({"e": "error", "error": str(message.error())})
        continue
    value = message.value().decode() if message.value() is not None else None
    emit({"e": "r", "p": message.partition(), "o": message.offset(), "v": value})
    try:
        consumer.commit(message=message, asynchronous=False)
        emit({"e": "c", "p": message.partition(), "o": message.offset() + 1})
    except KafkaException as error:
        emit({"e": "commit-error", "p": message.partition(), "o": message.offset() + 1, "error": str(error)})
consumer.close()
