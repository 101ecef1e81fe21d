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


def test_a_distressed_turn_no_agent_answered_is_not_counted_against_the_agent(classifier) -> None:
    """Issue 28: "agent empathy: 0/1" was printed when no agent turn followed (read as an agent failure)."""
    chat = "Agent: Hello, how can I help?\nCustomer: My order never arrived and nobody answers. Useless.\n"
    _, summary = read_conversation(classifier, read_transcript(chat, "lines"))
    assert (summary.negative_customer_turns, summary.unanswered_distressed_turns) == (0, 1)
    assert summary.empathy_rate is None


def test_the_cli_says_when_no_agent_answered_the_distress(tmp_path) -> None:
    chat = tmp_path / "chat.txt"
    chat.write_text("Agent: Hello, how can I help?\nCustomer: My order never arrived and nobody answers. Useless.\n")
    result = run("analyze", str(chat))
    assert result.returncode == 0, result.stderr
    assert "0/1" not in result.stdout and "no agent turn followed" in result.stdout


def test_the_cli_gives_the_agent_empathy_signal_in_one_line(tmp_path) -> None:
    """Found by a new-user trial: an answered and an unanswered distressed turn printed two "agent empathy:" lines
    ("1/1 ... met with caring" and "no agent turn followed 1"), which read as contradicting each other."""
    chat = tmp_path / "chat.txt"
    chat.write_text("Agent: Hello, how can I help?\nCustomer: My order never arrived and nobody answers. Useless.\n"
                    "Agent: I am so sorry about that, let me check it for you right away.\n"
                    "Customer: This is ridiculous, I have waited three weeks. Terrible service.\n")
    result = run("analyze", str(chat))
    assert result.returncode == 0, result.stderr
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("agent empathy:")]
    # a second trial: "1 of 2 distressed customer turns the agent answered met with caring/remorse/gratitude (anger 1
    # of 2)" did not parse
    assert "the agent answered 1 distressed customer turn: 1 with caring, remorse or gratitude" in line, line
    assert "no agent turn followed 1 more distressed customer turn" in line, line


def test_the_arc_gives_the_first_and_last_customer_tones_as_their_turns_do(tmp_path) -> None:
    """Found by a new-user re-trial: the arc said "-0.73 -> -0.69" while the last customer turn said "tone -0.68"
    (the summary's tone, already rounded to three decimals, was rounded again to two)."""
    import re

    chat = tmp_path / "chat.txt"
    chat.write_text("Agent: Hi, thanks for contacting us. How can I help?\n"
                    "Customer: My package is lost again and I am absolutely furious about it.\n"
                    "Agent: I'm so sorry about that, I completely understand how frustrating this is. I'll fix it now.\n"
                    "Customer: Fine. But honestly I'm still really upset, this keeps happening and I'm sick of it.\n")
    result = run("analyze", str(chat))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    customer = [re.search(r"tone ([+-][0-9.]+)", lines[i + 1]).group(1)
                for i, line in enumerate(lines) if line.startswith("Customer:")]
    arc = re.search(r"customer arc: \w+ \(([+-][0-9.]+) -> ([+-][0-9.]+)\)", result.stdout)
    assert arc is not None and (arc.group(1), arc.group(2)) == (customer[0], customer[-1]), result.stdout


def test_a_customer_turns_intents_are_printed_with_its_reading(tmp_path) -> None:
    """Found by a new-user trial: `analyze chat.txt` printed each turn's labels and tone but never its intents,
    while `--json` and `analyze` of the same text alone gave the churn threat (docs/cli.md: every printed reading
    carries the intents view). An agent's turn names none (alerts and routing read the customer's)."""
    chat = tmp_path / "chat.txt"
    chat.write_text("Agent: Hello, how can I help?\nCustomer: My internet has been down for a week.\n"
                    "Agent: I can book an engineer, or cancel the contract if you prefer.\n"
                    "Customer: Thanks, but honestly I'm cancelling my contract and switching to another provider.\n")
    plain, as_json = run("analyze", str(chat)), run("analyze", str(chat), "--json")
    assert plain.returncode == 0 and as_json.returncode == 0, plain.stderr + as_json.stderr
    turns = json.loads(as_json.stdout)["turns"]
    lines = plain.stdout.splitlines()
    readings = [lines[i + 1] for i, line in enumerate(lines) if line.startswith(("Agent:", "Customer:"))]
    assert len(readings) == len(turns) == 4
    assert "churn_threat" in turns[3]["reading"]["views"]["intents"]["labels"]
    assert readings[3].endswith("intents: " + ", ".join(turns[3]["reading"]["views"]["intents"]["labels"])), readings[3]
    assert not any("intents:" in line for line in readings[:3]), readings


def test_a_turn_names_its_role_only_where_the_speaker_does_not(tmp_path) -> None:
    """Found by a new-user trial: every turn of a chat printed "Agent (agent): ..." / "Customer (customer): ..."."""
    chat = tmp_path / "chat.txt"
    chat.write_text("Agent: Hello, how can I help?\nCustomer: My order never arrived.\n")
    named = tmp_path / "named.vtt"
    named.write_text("WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n<v Sam>Hello, Sam speaking, how can I help?\n\n"
                     "00:00:02.500 --> 00:00:04.000\n<v Jo>My order never arrived.\n")
    plain, with_names = run("analyze", str(chat)), run("analyze", str(named), "--agent", "Sam")
    assert plain.returncode == 0 and with_names.returncode == 0, plain.stderr + with_names.stderr
    assert "Agent: Hello" in plain.stdout and "Customer: My order" in plain.stdout and "(agent)" not in plain.stdout
    assert "Sam (agent): Hello" in with_names.stdout and "Jo (customer): My order" in with_names.stdout


def test_an_empty_conversation_file_is_said_to_be_empty(tmp_path) -> None:
    """Found by a new-user trial: an empty .txt upload was refused as "E601 E-mail without a body"."""
    # a zero-width space and a Hangul filler look blank too (found by a re-trial: read as an e-mail)
    for name, blank in (("empty.txt", "\n \n"), ("blank.vtt", "\n \n"), ("zero-width.txt", "\u200b\n\u3164\n")):
        (tmp_path / name).write_text(blank, encoding="utf-8")
        result = run("analyze", str(tmp_path / name))
        assert result.returncode == 2 and "[E602]" in result.stderr and f"{name} is empty" in result.stderr, result.stderr


def test_an_agent_turn_read_as_remorse_counts_as_empathy(classifier) -> None:
    """Found by a new-user trial: at 8 kHz an agent's "I am so sorry..." was labelled remorse (it fired at 0.184, over
    its threshold) while the summary said "0 with caring, remorse or gratitude" (it asked for 0.2)."""
    from dataclasses import replace

    from emotrace.channels.reading import with_readings

    conversation = read_transcript("Customer: My order never arrived, this is useless.\nAgent: I am so sorry.\n",
                                   "lines")
    customer, agent = classifier.predict([u.text for u in conversation.utterances])
    faint = replace(agent, probabilities={**agent.probabilities, "remorse": 0.184, "caring": 0.01, "gratitude": 0.01},
                    labels=["remorse"])
    _, summary = with_readings(conversation, [customer, faint])
    assert (summary.negative_customer_turns, summary.empathic_responses) == (1, 1), summary


def test_a_turn_of_no_tone_is_no_peak_negative_moment(classifier) -> None:
    """Found by a new-user trial: a call of one "Okay." printed `peak negative moment: "Okay." (tone -0.000)`."""
    from dataclasses import replace

    from emotrace.channels.reading import with_readings

    conversation = read_transcript("Agent: Anything else?\nCustomer: Okay.\n", "lines")
    agent, customer = classifier.predict([u.text for u in conversation.utterances])
    flat = replace(customer, valence=-0.0002, satisfaction_score=0.0)
    _, summary = with_readings(conversation, [agent, flat])
    assert summary.peak_negative is None, summary.peak_negative


def test_a_chat_file_with_an_empty_customer_turn_is_read_as_a_chat(tmp_path) -> None:
    """Found by a new-user trial: "Agent: hi / Customer:" was read as an e-mail (one named line of two)."""
    from emotrace.channels.load import detect_format

    assert detect_format("Agent: hi\nCustomer:\n") == "chat"
    assert detect_format("Hello,\nThe problems were:\nthe app, the bill.\nRegards,\nAnn\n") == "email"


def test_a_chat_whose_turns_run_over_several_lines_below_their_label_is_a_chat(tmp_path) -> None:
    """Found by a re-trial: "Agent: hi / Customer: / three lines" was read as one e-mail from the customer, agent
    words included (the lines below a label counted against the file being a chat)."""
    from emotrace.channels.load import detect_format

    assert detect_format("Agent: hi\nCustomer:\nmy order is late\nstill waiting\nit has been a week, I am furious\n") \
        == "chat"
    assert detect_format("Dear team,\nThe problems were:\nthe app\nthe bill\nthe wait\nRegards\n") == "email"
    # a re-trial: an e-mail of "Field: value" lines was taken for a chat and refused (E608, first line no speaker)
    assert detect_format("Hi,\nOrder number: 1234\nMember ID: 5678\nIssue: my parcel never arrived\nThanks, Ann\n") \
        == "email"
