"""Bare kombu producer and consumer for the audit queue."""

from kombu import Connection, Consumer, Exchange, Producer, Queue
from kombu.serialization import registry

audit = Exchange("audit", type="direct")
audit_queue = Queue("audit", audit, routing_key="audit")

registry.enable("pickle")  # CPK007


def publish(event):
    with Connection("amqp://guest:guest@localhost//") as conn:
        producer = Producer(conn.channel(), exchange=audit, serializer="pickle")  # CPK005
        producer.publish(event, routing_key="audit")


def consume(handler):
    with Connection("amqp://guest:guest@localhost//") as conn:
        with Consumer(conn, [audit_queue], callbacks=[handler], accept=["pickle"]):  # CPK006
            conn.drain_events(timeout=1)
