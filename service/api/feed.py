"""The live feed's events, and the listener that brings writes made by other replicas into this one's feed.

Every replica publishes its own writes to its subscribers at once. On PostgreSQL each write transaction also
sends a change notice (``NOTIFY``, delivered only on commit, see :meth:`Store._notify`); the listener here
reads the notices of other replicas, loads what they name, and publishes it the same way. No broker is needed
besides the database all replicas already share.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading

import psycopg
from sqlalchemy.engine import make_url

from emotrace.api.events import EventBus
from emotrace.api.schemas import AlertDetailOut, CorrectionOut, CustomerOut, StoredMessageOut
from emotrace.services.alerts import alert_view
from emotrace.store import Store
from emotrace.store.database import CHANGES_CHANNEL
from emotrace.store.tables import Customer

log = logging.getLogger(__name__)
RECONNECT_SECONDS = 2.0


def publish_recorded(bus: EventBus, messages: list[StoredMessageOut], customers: list[Customer]) -> None:
    """A ``reading`` event per stored message and a ``customer`` event per refreshed customer."""
    if not bus.wants_events():  # the events cost a serialization each; skip them when no one listens or may resume
        return
    newest: dict[str, int] = {}
    for message in messages:
        newest[message.customer_id] = max(newest.get(message.customer_id, 0), message.id)
        bus.publish({"type": "reading", "customer_id": message.customer_id, "message_id": message.id,
                     "data": message.model_dump(mode="json")})
    for customer in customers:
        bus.publish({"type": "customer", "customer_id": customer.id, "message_id": newest.get(customer.id, 0),
                     "data": {**CustomerOut.model_validate(customer).model_dump(mode="json"), "alerts": customer.alerts}})


def publish_alert(bus: EventBus, alert: AlertDetailOut) -> None:
    """An ``alert`` event: an alert was acknowledged, assigned, resolved or reopened (its newest message's id: an
    erasure of its customer published first drops it)."""
    bus.publish({"type": "alert", "customer_id": alert.customer_id, "message_id": max(alert.message_ids, default=0),
                 "data": alert.model_dump(mode="json")})


def publish_correction(bus: EventBus, correction: CorrectionOut) -> None:
    """A ``correction`` event: a person corrected a message's reading."""
    bus.publish({"type": "correction", "customer_id": correction.customer_id, "message_id": correction.message_id,
                 "data": correction.model_dump(mode="json")})


def publish_deleted(bus: EventBus, customer_id: str, through: int) -> None:
    """A ``deleted`` event naming the erased customer, whose earlier events (of messages up to id ``through``) are no
    longer replayed, nor sent when they come after it."""
    bus.forget(customer_id, through)
    bus.publish({"type": "deleted", "customer_id": customer_id, "data": {"customer_id": customer_id}})


def alert_detail(store: Store, alert_id: int) -> AlertDetailOut | None:
    """An alert with its customer and history, or None when it is unknown (or erased)."""
    state = store.alerts.get(alert_id)
    customer = None if state is None else store.customers.get(state.customer_id)
    if state is None or customer is None:
        return None
    return AlertDetailOut.model_validate({**alert_view(customer, state), "customer_id": customer.id,
                                          "history": store.alerts.history(alert_id)})


class ReplicaListener:
    """Listens for other replicas' change notices on a connection of its own, in a thread of its own."""

    def __init__(self, store: Store, bus: EventBus, loop: asyncio.AbstractEventLoop) -> None:
        self.store = store
        self.bus = bus
        self.loop = loop
        self.listening = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="replica-listener", daemon=True)
        url = make_url(store.db.url)
        self._conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)

    def start(self) -> None:
        """Start listening (returns at once)."""
        self._thread.start()

    def stop(self) -> None:
        """Stop listening and wait for the thread."""
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as connection:
                    connection.execute(f"LISTEN {CHANGES_CHANNEL}")
                    self.listening.set()
                    while not self._stop.is_set():
                        for notice in connection.notifies(timeout=1.0):
                            self._apply(notice.payload)
            except psycopg.Error as exc:  # the database restarted or the network dropped: listen again
                self.listening.clear()
                log.warning("live feed: lost the change notices of other replicas (%s); reconnecting", exc)
                self._stop.wait(RECONNECT_SECONDS)

    def _apply(self, payload: str) -> None:
        change = json.loads(payload)
        if change.get("origin") == self.store.db.replica:
            return  # this replica's own write: already published
        if "deleted" in change:
            self.loop.call_soon_threadsafe(publish_deleted, self.bus, str(change["deleted"]),
                                           int(change.get("through", 0)))
            return
        if "correction" in change:
            if (correction := self.store.corrections.get(int(change["correction"]))) is not None:
                self.loop.call_soon_threadsafe(publish_correction, self.bus, CorrectionOut.model_validate(correction))
            return
        if "alert" in change:
            if (detail := alert_detail(self.store, int(change["alert"]))) is not None:
                self.loop.call_soon_threadsafe(publish_alert, self.bus, detail)
            return
        messages, customers = self.store.messages.with_customers([int(i) for i in change.get("messages", [])])
        out = [StoredMessageOut.model_validate(m) for m in messages]
        self.loop.call_soon_threadsafe(publish_recorded, self.bus, out, customers)
