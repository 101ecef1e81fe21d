"""The store: customers, their messages and summaries, corrections of their readings, outcomes, agents' conversations
and write records, over one database (SQLite or PostgreSQL). Storage only: the rules that compute summaries are the caller's
(:mod:`emotrace.services`)."""

from __future__ import annotations

from emotrace.store.alerts import Alerts
from emotrace.store.conversations import AgentConversations
from emotrace.store.corrections import Corrections
from emotrace.store.customers import Customers
from emotrace.store.database import Database
from emotrace.store.messages import Messages
from emotrace.store.outbox import Outbox
from emotrace.store.outcomes import Outcomes
from emotrace.store.writes import Writes


class Store:
    """One database and each resource over it: ``customers``, ``messages``, ``corrections``, ``alerts``, ``outbox``
    (webhook events), ``outcomes``, ``conversations``, ``writes``."""

    def __init__(self, url: str, existing: bool = False) -> None:
        """Open (and migrate) the database at ``url``; ``existing``: refuse a SQLite file that is not there."""
        self.db = Database(url, existing)
        self.customers = Customers(self.db)
        self.alerts = Alerts(self.db)
        self.outbox = Outbox(self.db)
        self.messages = Messages(self.db, self.customers, self.alerts)
        self.corrections = Corrections(self.db)
        self.outcomes = Outcomes(self.db)
        self.conversations = AgentConversations(self.db)
        self.writes = Writes(self.db)
