"""Store cost per message when concurrent requests share write transactions (the service's group commit).

Single-message writes to 400 customers that already have history, stored one per transaction and in
groups (as the service's writer does when requests wait for it): each group is one transaction that
inserts the messages and re-scores their customers from one query. SQLite, a new file per group size.

    python -m emotrace.evaluation.benchmark_store [--groups 1 4 16] [--messages 1600]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from emotrace.evaluation.common import print_figures
from emotrace.services.summaries import record_messages
from emotrace.store import Store
from emotrace.store.messages import NewMessage

CUSTOMERS = 400
EKMAN = ("anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral")


def message(i: int, start: datetime) -> NewMessage:
    """The ``i``-th message: customers in rotation, one minute apart."""
    return NewMessage(customer_id=f"load-{i % CUSTOMERS}", conversation_id=f"c{i % CUSTOMERS}", channel="chat",
                      speaker="customer", timestamp=start + timedelta(minutes=i), text="Where is my order? It is late.",
                      labels=["curiosity"], ekman_probabilities=dict.fromkeys(EKMAN, 0.1), sentiment_labels=["ambiguous"],
                      valence=-0.2, arousal=0.4, satisfaction=-0.3, satisfaction_class="neutral")


def ms_per_message(store: Store, group: int, messages: int) -> float:
    """Milliseconds of store work per message, written in transactions of ``group`` messages."""
    start = datetime.now(UTC) - timedelta(days=30)
    record_messages(store, [message(i, start) for i in range(2 * CUSTOMERS)])  # two messages of history each
    first = 2 * CUSTOMERS
    began = time.perf_counter()
    for i in range(first, first + messages, group):
        record_messages(store, [message(j, start) for j in range(i, i + group)])
    return (time.perf_counter() - began) / messages * 1000


def main() -> None:
    """Print store milliseconds per message for each write group size."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--groups", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--messages", type=int, default=1600)
    args = parser.parse_args()
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        for group in args.groups:
            store = Store(f"sqlite:///{Path(tmp) / f'group-{group}.db'}")
            figures[f"ms per message, groups of {group}"] = round(ms_per_message(store, group, args.messages), 2)
            store.db.engine.dispose()
    print_figures("store: single-message writes", figures)


if __name__ == "__main__":
    main()
