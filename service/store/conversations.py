"""Agents' conversations: every conversation an agent took part in, turn by turn, with its customer's segment."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

from emotrace.scoring.agents import Turn
from emotrace.store.database import Database, chunks
from emotrace.store.tables import Customer, Message
from emotrace.times import utc


class AgentConversations:
    """The conversations agents took part in, read for their profiles and routing."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def of(self, agents: Collection[str] | None = None) -> list[tuple[str, list[Turn]]]:
        """The conversations agents took part in (``agents``: only those these agents took part in, the routing
        answer's few of a whole floor), each with its customer's segment and every turn in time order."""
        with self.db.session() as session:
            named = select(Message.customer_id, Message.conversation_id).where(Message.agent_id.is_not(None))
            if agents is None:
                keys = set(session.execute(named.distinct()).all())
            else:
                keys = {key for part in chunks(sorted(set(agents))) for key in session.execute(
                    named.where(Message.agent_id.in_(part)).distinct()).all()}
            customers = sorted({customer for customer, _ in keys})
            segments = {customer: segment for part in chunks(customers) for customer, segment in session.execute(
                select(Customer.id, Customer.segment).where(Customer.id.in_(part)))}
            turns: dict[tuple[str, str], list[Turn]] = {key: [] for key in keys}
            for part in chunks(customers):
                rows = session.execute(
                    select(Message.customer_id, Message.conversation_id, Message.channel, Message.speaker,
                           Message.agent_id, Message.timestamp, Message.valence, Message.satisfaction, Message.labels)
                    .where(Message.customer_id.in_(part))
                    .order_by(Message.timestamp, Message.id))
                for customer_id, conv, channel, speaker, agent, ts, valence, satisfaction, labels in rows:
                    if (customer_id, conv) in turns:
                        turns[(customer_id, conv)].append(Turn(conv, customer_id, channel, speaker, agent, utc(ts),
                                                               valence, satisfaction, labels))
        # a conversation erased between the reads (each its own snapshot on PostgreSQL) is left out, not kept empty
        return [(segments.get(customer, "neutral"), found) for (customer, _), found in sorted(turns.items()) if found]
