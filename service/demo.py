"""Demo data: a few customers' chats, e-mails, reviews and calls over several weeks (written for emotrace)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from service.api.recording import new_message
from service.api.schemas import Channel, MessageIn, Speaker
from service.model.classifier import EmotionClassifier
from service.settings import Settings
from service.store.database import Store

DEMO_FILE = Path(__file__).parent / "demo_data.json"


def demo_messages(now: datetime) -> list[MessageIn]:
    """The demo conversations as messages, timed relative to ``now``."""
    data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    out = []
    for conv in data["conversations"]:
        start = now - timedelta(days=conv["days_ago"], hours=2)
        for i, (speaker, text) in enumerate(conv["turns"]):
            out.append(MessageIn(customer_id=conv["customer"], conversation_id=conv["id"], channel=Channel(conv["channel"]),
                                 speaker=Speaker(speaker), timestamp=start + timedelta(minutes=3 * i), text=text))
    return out


def load_demo(store: Store, classifier: EmotionClassifier, settings: Settings) -> int:
    """Read and store the demo messages in one transaction; returns how many were stored."""
    now = datetime.now(UTC)
    messages = demo_messages(now)
    readings = classifier.predict([m.text for m in messages])
    store.add_messages([new_message(m, r, settings, now) for m, r in zip(messages, readings, strict=True)])
    return len(messages)
