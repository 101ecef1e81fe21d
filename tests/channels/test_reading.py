"""Conversations read by the shipped model: arc, peak negative moment, empathy, rating checks."""

from __future__ import annotations

import json
from pathlib import Path

from emotrace.channels.reading import read_conversation
from emotrace.channels.review import read_review
from emotrace.channels.transcript import read_transcript
from tests.test_cli import run

CALL = Path(__file__).resolve().parents[2] / "examples" / "call.vtt"


def test_call_arc_peak_and_empathy(classifier) -> None:
    conversation = read_transcript(CALL.read_text(), "vtt")
    turns, summary = read_conversation(classifier, conversation)
    assert len(turns) == 6
    assert summary.arc == "improved"
    assert "fed up" in summary.peak_negative["text"]
    assert summary.negative_customer_turns >= 1 and summary.empathic_responses >= 1


def test_one_star_review_that_reads_as_joy_is_flagged(classifier) -> None:
    _, summary = read_conversation(classifier, read_review("Wonderful, I absolutely love it!", rating=1))
    assert summary.flags and "sarcasm" in summary.flags[0]
    _, honest = read_conversation(classifier, read_review("Wonderful, I absolutely love it!", rating=5))
    assert honest.flags == []


def test_analyze_transcript_file_cli() -> None:
    result = run("analyze", str(CALL), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [t["role"] for t in data["turns"]] == ["agent", "customer"] * 3
    assert data["summary"]["arc"] == "improved"
