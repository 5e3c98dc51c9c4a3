"""A kafka-python (2.0.2, Debian) group consumer run as a child process by Weir's group
interop tests. Run with /usr/bin/python3. Same argument and JSON-lines output as
confluent_consumer.py (eager assignors only: range or roundrobin). Commits synchronously
after every record. SIGTERM: leave the group and exit.
"""

import json
import signal
import sys

from kafka import ConsumerRebalanceListener, KafkaConsumer, OffsetAndMetadata
from kafka.errors import KafkaError

args = json.loads(sys.argv[1])
running = True


def emit(event):
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


class Listener(ConsumerRebalanceListener):
    def on_partitions_revoked(self, revoked):
        emit({"e": "revoked", "partitions": sorted(tp.partition for tp in revoked)})

    def on_partitions_assigned(self, assigned):
        emit({"e": "assigned", "partitions": sorted(tp.partition for tp in assigned)})


def stop(signum, frame):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)
consumer = KafkaConsumer(
    bootstrap_servers=args["bootstrap"],
    group_id=args["group"],
    client_id=args["clientId"],
    enable_auto_commit=False,
    auto_offset_reset="earliest",
    session_timeout_ms=args["sessionTimeoutMs"],
    heartbeat_interval_ms=500,
    max_poll_interval_ms=15000,
    fetch_max_wait_ms=100,
)
consumer.subscribe([args["topic"]], listener=Listener())
while running:
    polled = consumer.poll(timeout_ms=100)
    for tp, messages in polled.items():
        for message in messages:
            value = message.value.decode() if message.value is not None else None
            emit({"e": "r", "p": tp.partition, "o": message.offset, "v": value})
            try:
                consumer.commit({tp: OffsetAndMetadata(message.offset + 1, None)})
                emit({"e": "c", "p": tp.partition, "o": message.offset + 1})
            except KafkaError as error:
                emit({"e": "commit-error", "p": tp.partition, "o": message.offset + 1, "error": str(error)})
consumer.close()
