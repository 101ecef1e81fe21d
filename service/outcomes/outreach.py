"""The outreach guard over stored customers: one customer, or a whole campaign audience streamed in chunks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from itertools import islice

from emotrace.scoring.outreach import OutreachDecision, outreach_decision
from emotrace.settings import Settings, stored_id
from emotrace.store import Store
from emotrace.store.database import ID_CHUNK


def check_audience(store: Store, settings: Settings, customer_ids: Iterable[str], now: datetime,
                   chunk: int = 4 * ID_CHUNK) -> Iterator[tuple[str, OutreachDecision]]:
    """Each customer id with the guard's decision, in the order given, reading the store a chunk at a time (so a
    million ids stream through in bounded memory). Ids emotrace has never read are ``ok``, with that said."""
    since = now - timedelta(days=settings.outreach.lookback_days)
    remaining = iter(customer_ids)
    while ids := list(islice(remaining, chunk)):
        stored = {customer_id: stored_id(customer_id, settings) for customer_id in ids}
        facts = store.outcomes.outreach_facts(list(dict.fromkeys(stored.values())), since)
        for customer_id in ids:
            yield customer_id, outreach_decision(facts.get(stored[customer_id]), now, settings.outreach)
