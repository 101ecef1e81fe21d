"""Demo data: a few customers' chats, e-mails, reviews and calls over several weeks (written for emotrace)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from emotrace.messages import Channel, Speaker, new_message, reading_record
from emotrace.model.classifier import EmotionClassifier
from emotrace.services.summaries import record_messages
from emotrace.settings import Settings
from emotrace.store import Store

DEMO_FILE = Path(__file__).parent / "demo_data.json"


def load_demo(store: Store, classifier: EmotionClassifier, settings: Settings) -> int:
    """Read and store the demo conversations (timed relative to now) in one transaction; returns how many
    messages were stored."""
    now = datetime.now(UTC)
    data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    turns = [(conv, now - timedelta(days=conv["days_ago"], hours=2, minutes=-3 * i), speaker, text)
             for conv in data["conversations"] for i, (speaker, text) in enumerate(conv["turns"])]
    readings = classifier.predict([text for *_, text in turns])
    record_messages(store, [
        new_message(customer_id=conv["customer"], conversation_id=conv["id"], channel=Channel(conv["channel"]),
                    speaker=Speaker(speaker), timestamp=timestamp, text=text, record=reading_record(reading),
                    settings=settings, agent_id=conv.get("agent"))
        for (conv, timestamp, speaker, text), reading in zip(turns, readings, strict=True)], settings.scoring)
    return len(turns)
