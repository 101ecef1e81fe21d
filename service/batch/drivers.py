"""Drivers of a batch output file (``emotrace drivers``): its rows' topics ranked by the dissatisfaction they carry,
by the same rules as the service's (:func:`emotrace.scoring.drivers.rank_drivers`), and drawn as an SVG bar chart."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any

from emotrace.channels.transcript import ROLE_WORDS
from emotrace.channels.utterance import AGENT, CUSTOMER
from emotrace.errors import EmotraceError
from emotrace.scoring.drivers import TopicMessage, rank_drivers, topic_feelings
from emotrace.tabular import all_records, cell_text
from emotrace.text.redact import redact
from emotrace.times import cell_time, iso_utc

UNDATED = datetime(1970, 1, 1, tzinfo=UTC)  # the time of every row of a file read without a time column


def _cell(value: object, row: int, column: str) -> Any:
    """A list or map cell as batch output writes it: itself (JSONL, Parquet) or as JSON text (CSV); None when
    empty (a row read before the column existed)."""
    if not isinstance(value, str):
        return value
    if not value.strip():
        return None
    try:
        return json.loads(value)
    except ValueError:
        raise EmotraceError("E514", f"Row {row}: '{column}' is not a JSON list ({value[:40]!r}).",
                            "Give the file batch wrote, unchanged.") from None


def _topic_cells(record: dict[str, Any], row: int) -> tuple[list[str] | None, list[dict[str, Any]] | None]:
    """A row's topic labels (a list of names) and aspects (a list of {"topic", "satisfaction" in [-1, 1], ...}), as
    batch wrote them; E514 naming the cell otherwise."""
    labels, aspects = _cell(record["topic_labels"], row, "topic_labels"), _cell(record.get("aspects"), row, "aspects")
    if labels is not None and not (isinstance(labels, list) and all(isinstance(t, str) for t in labels)):
        raise EmotraceError("E514", f"Row {row}: 'topic_labels' is not a list of topic names.",
                            "Give the file batch wrote, unchanged.")
    if aspects is not None and not (isinstance(aspects, list) and all(
            isinstance(a, dict) and isinstance(a.get("topic"), str) and isinstance(a.get("satisfaction"), int | float)
            and not isinstance(a.get("satisfaction"), bool) and -1 <= a["satisfaction"] <= 1 for a in aspects)):
        raise EmotraceError("E514", f"Row {row}: 'aspects' is not a list of {{topic, satisfaction in [-1, 1]}}.",
                            "Give the file batch wrote, unchanged.")
    return labels, aspects


def _satisfaction(value: object, row: int) -> float:
    """A row's satisfaction score (0 when empty); E514 unless a number in [-1, 1]."""
    if value is None or value == "":
        return 0.0
    try:
        score = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        score = float("nan")
    if not -1 <= score <= 1:
        raise EmotraceError("E514", f"Row {row}: 'satisfaction' is not a number in [-1, 1] ({str(value)[:40]!r}).",
                            "Give the file batch wrote, unchanged.")
    return score


def _customer(record: dict[str, Any], column: str | None) -> str | None:
    """A row's customer id; None (no customer: the row counts for its topics but for no customer) without a
    customer column or where its cell is empty or blank."""
    customer = cell_text(record[column]) if column else ""
    return customer if customer.strip() else None


@dataclass
class FileMessages:
    """The customer messages of a batch output, and how many rows of agents and of other speakers were left out."""

    messages: list[TopicMessage]
    agent_rows: int = 0
    other_speaker_rows: int = 0  # a speaker neither customer nor agent ("bot"), which --ingest does not store


def file_messages(path: Path, encoding: str = "utf-8", time_column: str | None = None,
                  customer_column: str | None = None, text_column: str | None = None,
                  speaker_column: str | None = None) -> FileMessages:
    """The rows of a batch output as drivers read them (E503 naming the columns it lacks: ``topic_labels``,
    ``satisfaction`` and the columns asked for; ``aspects`` is read where present); with ``speaker_column``, rows
    whose speaker is not the customer (the agent, ``agent`` or a role word, or another speaker, as ``--ingest`` reads
    it) are left out and counted."""
    records = all_records(path, encoding, ("topic_labels", "satisfaction", time_column, customer_column, text_column,
                                           speaker_column))
    found = FileMessages([])
    for number, record in enumerate(records, 1):
        speaker = cell_text(record.get(speaker_column)).strip().lower() if speaker_column else ""
        role = ROLE_WORDS.get(speaker) if speaker else CUSTOMER  # an empty cell is the customer's, as --ingest reads it
        if role != CUSTOMER:
            if role == AGENT:
                found.agent_rows += 1
            else:
                found.other_speaker_rows += 1
            continue
        labels, aspects = _topic_cells(record, number)
        found.messages.append(TopicMessage(
            customer_id=_customer(record, customer_column),
            timestamp=cell_time(record.get(time_column), number, time_column) if time_column else UNDATED,
            text=cell_text(record[text_column]) or None if text_column else None,
            topics=topic_feelings(labels, aspects,
                                  _satisfaction(record.get("satisfaction"), number),
                                  str(record.get("satisfaction_class") or ""))))
    return found


def file_drivers(messages: list[TopicMessage], days: float | None, limit: int | None = None) -> dict[str, Any]:
    """The drivers of ``messages``: over the ``days`` up to the latest of their times against the ``days`` before
    (None: all of them, with nothing to compare against), examples redacted; as a JSON-ready report."""
    current, previous, since, until = messages, [], None, None
    if days is not None and messages:
        until = max(m.timestamp for m in messages)
        since = until - timedelta(days=days)
        current = [m for m in messages if m.timestamp > since]
        previous = [m for m in messages if since - timedelta(days=days) < m.timestamp <= since]
    report = rank_drivers(current, previous, limit, shown=redact)
    return {"since": iso_utc(since) if since else None, "until": iso_utc(until) if until else None,
            "messages": report.messages, "without_topics": report.without_topics,
            "previous_messages": report.previous_messages, "drivers": [asdict(d) for d in report.drivers]}


def drivers_svg(rows: list[dict[str, Any]]) -> str:
    """A horizontal bar chart of the dissatisfaction each topic (a report's drivers) carried: an SVG document,
    written with the standard library."""
    label_w, bar_w, row_h, top = 190, 360, 22, 28
    most = max([r["carried"] for r in rows] + [1e-9])
    height = top + row_h * len(rows) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 120}" height="{height}" '
             'font-family="sans-serif" font-size="12">',
             '<text x="4" y="16" font-weight="bold">Dissatisfaction carried per topic</text>']
    for i, r in enumerate(rows):
        y = top + i * row_h
        width = max(1.0, bar_w * r["carried"] / most)
        parts += [f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{escape(r["name"])}</text>',
                  f'<rect class="driver" x="{label_w}" y="{y + 3}" width="{width:.1f}" height="{row_h - 6}" '
                  f'fill="#c4161c"><title>{escape(r["topic"])}: {r["messages"]} messages</title></rect>',
                  f'<text x="{label_w + width + 6:.1f}" y="{y + 14}">{r["carried"]:.2f} ({r["messages"]} msgs)</text>']
    return "\n".join([*parts, "</svg>"]) + "\n"
