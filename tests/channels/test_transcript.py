from __future__ import annotations

import json
import re

import pytest

from emotrace.channels.load import load_conversation
from emotrace.channels.transcript import read_transcript
from emotrace.errors import EmotraceError
from emotrace.settings import Settings

VTT = """WEBVTT

NOTE recorded 2026-11-02

00:00:00.000 --> 00:00:02.500
<v Agent>Thanks for calling, how can I help?

00:00:02.600 --> 00:00:06.000
<v Customer>My parcel is lost again.
"""

SRT = """1
00:00:00,000 --> 00:00:02,000
Jane: Hello, Jane speaking.

2
00:00:02,500 --> 00:00:05,000
Tom: Hi, I've been waiting an hour.

3
00:00:04,000 --> 00:00:06,000
Jane: Sorry about that.
"""


def test_webvtt_voices_and_times() -> None:
    conv = read_transcript(VTT, "vtt")
    assert [(u.speaker, u.role) for u in conv.utterances] == [("Agent", "agent"), ("Customer", "customer")]
    assert conv.utterances[1].start == 2.6 and conv.utterances[1].end == 6.0
    assert conv.warnings == []


def test_srt_roles_are_guessed_with_a_warning_and_overlaps_reported() -> None:
    conv = read_transcript(SRT, "srt")
    assert [u.role for u in conv.utterances] == ["agent", "customer", "agent"]
    assert any("guessed" in w and "'Jane'" in w for w in conv.warnings)
    assert any("overlap" in w and "turn 3" in w for w in conv.warnings)


def test_a_speaker_named_like_the_agent_is_not_called_a_first_speaker_guess() -> None:
    """"Kunde: ... / Agent: ..." said "'Agent' is the agent (first speaker)": the agent was named, not first; what was
    guessed is that Kunde is a customer."""
    conv = read_transcript("Kunde: Mein Paket fehlt.\nAgent: Das tut mir leid.\nKunde: Schon wieder!", "lines", channel="chat")
    assert [u.role for u in conv.utterances] == ["customer", "agent", "customer"]
    (warning,) = conv.warnings
    assert "first speaker" not in warning and "'Kunde'" in warning and "customer" in warning, warning


def test_agent_override() -> None:
    conv = read_transcript(SRT, "srt", agent="Tom")
    assert [u.role for u in conv.utterances] == ["customer", "agent", "customer"]
    with pytest.raises(EmotraceError, match=r"E603.*\['Jane', 'Tom'\]"):
        read_transcript(SRT, "srt", agent="Bob")


def test_json_turns_and_named_lines() -> None:
    turns = [{"speaker": "caller", "text": "Hi", "start": 0, "end": 1}, {"speaker": "rep", "text": "Hello"}]
    conv = read_transcript(json.dumps({"turns": turns}), "json")
    assert [u.role for u in conv.utterances] == ["customer", "agent"]
    lines = read_transcript("Agent: Hello\nCustomer: My card\nwas declined\n", "lines")
    assert [u.text for u in lines.utterances] == ["Hello", "My card was declined"]


@pytest.mark.parametrize(("raw", "kind", "code"), [
    ("{not json", "json", "E604"), ('{"a": 1}', "json", "E605"), ('[{"speaker": "x"}]', "json", "E606"),
    ("WEBVTT\n\nno cues here", "vtt", "E607"), ("no speaker line", "lines", "E608"), ("[]", "json", "E602")])
def test_bad_transcripts(raw: str, kind: str, code: str) -> None:
    with pytest.raises(EmotraceError, match=code):
        read_transcript(raw, kind)


def test_webvtt_hours_of_three_digits_are_read() -> None:
    """WebVTT hours have two or more digits: a cue 100 hours into a recording is a turn, not a skipped block."""
    raw = VTT + "\n100:00:01.000 --> 100:00:03.500\n<v Customer>Still waiting.\n"
    conv = read_transcript(raw, "vtt")
    assert [u.text for u in conv.utterances][-1] == "Still waiting."
    assert conv.utterances[-1].start == 360001.0 and conv.utterances[-1].end == 360003.5


@pytest.mark.parametrize("timing", ["12345678:00:00.000 --> 12345678:00:01.000", "00:00:0x.000 --> 00:00:02.000",
                                    "00:00:03.000 -> 00:00:04.000"])
def test_a_cue_whose_timing_cannot_be_read_is_refused_not_dropped(timing: str) -> None:
    raw = VTT + f"\n{timing}\n<v Customer>I want a refund.\n"
    with pytest.raises(EmotraceError, match=r"\[E615\] Cue 3 .*" + re.escape(timing[:12])):
        read_transcript(raw, "vtt")


@pytest.mark.parametrize("block", ["<v Customer>I want a refund.", "7\nCustomer: I want a refund."])
def test_a_block_of_speech_without_a_timing_is_refused_not_dropped(block: str) -> None:
    """A cue whose timing line was lost was skipped as if it were a header: its words were never read."""
    with pytest.raises(EmotraceError, match=r"\[E619\].*after cue 2.*I want a refund"):
        read_transcript(VTT + f"\n{block}\n", "vtt")
    kept = read_transcript(VTT + "\nNOTE recorded for training\n\nSTYLE\n::cue { color: white }\n\n9\n", "vtt")
    assert len(kept.utterances) == len(read_transcript(VTT, "vtt").utterances)


@pytest.mark.parametrize("raw", ["", "\n\n", "  \n"])
@pytest.mark.parametrize("kind", ["vtt", "srt"])
def test_an_empty_cue_file_says_it_has_no_cues(raw: str, kind: str) -> None:
    with pytest.raises(EmotraceError, match="E607"):
        read_transcript(raw, kind)


def test_a_json_turn_that_ends_before_it_starts_is_refused_by_number() -> None:
    turns = [{"speaker": "Agent", "text": "Hello", "start": 0, "end": 1.5},
             {"speaker": "Customer", "text": "late again", "start": 9, "end": 4}]
    with pytest.raises(EmotraceError, match=r"E618.*Turn 2 ends at 4s, before it starts \(9s\)"):
        read_transcript(json.dumps(turns), "json")
    turns[1]["end"] = 9  # a turn of no length is read
    assert len(read_transcript(json.dumps(turns), "json").utterances) == 2


@pytest.mark.parametrize("first_cue", ["My parcel is lost again.", "<v Jane>Hello, Jane speaking."])
def test_a_vtt_cue_without_a_speaker_is_read_as_the_customers_as_warned(first_cue: str) -> None:
    """Issue 28: a cue without <v> was warned "read as the customer's", then taken for the agent (its empty name was
    the first speaker) and printed `unknown (agent)`, unscored."""
    vtt = f"WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n{first_cue}\n\n00:00:02.500 --> 00:00:04.000\nStill waiting.\n"
    conv = read_transcript(vtt, "vtt")
    unnamed = [u for u in conv.utterances if u.speaker == "unknown"]
    assert unnamed and all(u.role == "customer" for u in unnamed)
    assert any("read as the customer's" in w for w in conv.warnings)


def test_a_speaker_line_with_nothing_said_is_an_empty_turn_not_part_of_the_previous_one() -> None:
    """Found by a new-user trial: in "Agent: hi / Customer:" (a chat export whose customer sent only an attachment)
    the label was read as words of the agent's turn ("hi Customer:"); a label whose text follows on the next lines
    starts that speaker's turn."""
    conv = read_transcript("Agent: hi\nCustomer:\nAgent: Are you still there?\n", "lines")
    assert [(u.role, u.text) for u in conv.utterances] == [("agent", "hi"), ("agent", "Are you still there?")]
    assert any("1 turn has nothing said" in w for w in conv.warnings), conv.warnings
    conv = read_transcript("Agent: How can I help?\nCustomer:\nmy parcel never came\nand nobody answers\n", "lines")
    assert [(u.role, u.text) for u in conv.utterances] == [("agent", "How can I help?"),
                                                           ("customer", "my parcel never came and nobody answers")]
    conv = read_transcript("Agent: Here is what I found:\nthe order shipped on Monday.\n", "lines")
    assert [u.text for u in conv.utterances] == ["Here is what I found: the order shipped on Monday."]


@pytest.mark.parametrize("kind", ["vtt", "srt"])
def test_a_cue_with_a_speaker_and_nothing_said_is_left_out_with_the_warning(kind: str) -> None:
    """Found by a re-trial: a `Customer:` cue was stored and scored as a speakerless customer turn "Customer:"."""
    cues = [("00:00:01.000", "00:00:02.000", "Agent: hi"), ("00:00:03.000", "00:00:04.000", "Customer:"),
            ("00:00:05.000", "00:00:06.000", "Customer: where is my refund")]
    if kind == "vtt":
        raw = "WEBVTT\n\n" + "".join(f"{a} --> {b}\n{t}\n\n" for a, b, t in cues)
    else:
        raw = "".join(f"{i}\n{a.replace('.', ',')} --> {b.replace('.', ',')}\n{t}\n\n" for i, (a, b, t) in enumerate(cues, 1))
    conv = read_transcript(raw, kind)
    assert [(u.role, u.text) for u in conv.utterances] == [("agent", "hi"), ("customer", "where is my refund")]
    assert any("1 turn has nothing said" in w for w in conv.warnings) and not any("no speaker" in w for w in conv.warnings)


def test_a_json_turn_with_an_empty_text_is_left_out_like_a_blank_one() -> None:
    """Found by a re-trial: `"text": ""` refused the whole conversation (E606 "needs a text string") where `"   "`
    was left out with a warning."""
    conv = read_transcript(json.dumps([{"speaker": "Agent", "text": "hi"}, {"speaker": "Customer", "text": ""}]),
                           "json")
    assert [u.text for u in conv.utterances] == ["hi"] and any("nothing said" in w for w in conv.warnings)


def test_a_role_word_inside_a_name_does_not_make_the_role() -> None:
    """Found by a re-trial: "Staffan" held "staff" and was read as the agent (and the real agent as the customer);
    role words count as whole words ("Support Team" is the agent)."""
    conv = read_transcript("Jane: Hello, how can I help?\nStaffan: my refund is missing\nJane: So sorry\n", "lines")
    assert [u.role for u in conv.utterances] == ["agent", "customer", "agent"]
    conv = read_transcript("Support Team: Hello\nKuser: my refund is missing\n", "lines")
    assert [u.role for u in conv.utterances] == ["agent", "customer"]
    conv = read_transcript("Hannah: Hi\nagent_2: Hello, how can I help?\n", "lines")
    assert [u.role for u in conv.utterances] == ["customer", "agent"]


def test_numbered_speakers_of_a_diarised_transcript_keep_their_numbers() -> None:
    """Found by a review: speaker 0 (as diarisation tools number them) was read as no speaker (falsy), so every turn
    was the customer's, the warning named '' the agent, and --agent 0 was refused."""
    turns = [{"speaker": 0, "text": "Thanks for calling, how can I help?"},
             {"speaker": 1, "text": "My parcel never came, I am furious."}, {"speaker": 0, "text": "I am sorry."}]
    conv = read_transcript(json.dumps(turns), "json")
    assert [u.speaker for u in conv.utterances] == ["0", "1", "0"]
    assert [u.role for u in conv.utterances] == ["agent", "customer", "agent"], conv.warnings
    told = read_transcript(json.dumps(turns), "json", agent="1")
    assert [u.role for u in told.utterances] == ["customer", "agent", "customer"]


@pytest.mark.parametrize(("transcript", "kind", "roles", "agent"), [
    ("Customer: My parcel never arrived.\nJane: I am so sorry.\nCustomer: Again!", "lines",
     ["customer", "agent", "customer"], "Jane"),
    ("WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nMy parcel is lost.\n\n00:00:02.500 --> 00:00:04.000\n<v Jane>Sorry "
     "to hear that.\n\n00:00:04.500 --> 00:00:06.000\n<v Bob>It is the third time.\n", "vtt",
     ["customer", "agent", "customer"], "Jane"),
    (json.dumps([{"role": "user", "text": "Where is my refund?"}, {"role": "assistant", "text": "Let me check."}]),
     "json", ["customer", "agent"], None),
])
def test_the_guessed_agent_is_never_a_speaker_named_like_a_customer(transcript: str, kind: str, roles: list[str],
                                                                   agent: str | None) -> None:
    """A first speaker named like a customer (or with no name) was still guessed the agent: every turn of the call
    became the customer's, the agent's apologies scored as the customer's words, and the warning said "'Customer' is
    the agent"."""
    conv = read_transcript(transcript, kind)
    assert [u.role for u in conv.utterances] == roles
    if agent:
        assert any(f"'{agent}' is the agent" in w for w in conv.warnings), conv.warnings


def test_a_turn_time_of_hundreds_of_digits_is_refused_by_name() -> None:
    """A 400-digit start passed the digit limit and overflowed converting to float: HTTP 500, a CLI traceback."""
    for key in ("start", "end"):
        turns = f'[{{"speaker": "Agent", "text": "hi", "{key}": -{"9" * 400}}}]'
        with pytest.raises(EmotraceError, match="E613"):
            read_transcript(turns, "json")


def test_a_turn_of_invisible_characters_is_left_out_with_the_nothing_said_warning() -> None:
    """A turn of only U+2800 (or a zero-width space) was kept, then refused the whole upload (E901 "text is
    empty")."""
    for blank in ("\u2800", "\u200b"):
        conv = read_transcript(f"Agent: Hello\nCustomer: {blank}\nCustomer: My card was declined.", "lines")
        assert [u.text for u in conv.utterances] == ["Hello", "My card was declined."]
        assert any("1 turn has nothing said" in w for w in conv.warnings), conv.warnings


def test_turns_listed_out_of_time_order_are_read_in_time_order() -> None:
    """The store orders turns by time but the arc, peak and unanswered distress followed the list: a call that ended
    in thanks read "worsened", with no warning (the overlap check needs end times)."""
    turns = [{"speaker": "Customer", "text": "Thanks, that fixed it.", "start": 60},
             {"speaker": "Agent", "text": "Refunded now, sorry.", "start": 30},
             {"speaker": "Customer", "text": "This is outrageous.", "start": 0}]
    conv = read_transcript(json.dumps(turns), "json")
    assert [u.text for u in conv.utterances] == [t["text"] for t in reversed(turns)]
    assert any("out of time order" in w for w in conv.warnings), conv.warnings


@pytest.mark.parametrize("index", [True, False])
def test_srt_cues_without_blank_lines_between_them_are_one_turn_each(index: bool) -> None:
    """Found by a review: an SRT file whose cues had no blank line between them was one turn, the first speaker's,
    holding every later cue's number, timing line and words."""
    cues = [("00:00:01,000", "00:00:03,000", "Agent: Hello, how can I help?"),
            ("00:00:04,000", "00:00:07,000", "Customer: My order never arrived and I am furious."),
            ("00:00:08,000", "00:00:10,000", "Agent: I am so sorry about that.")]
    raw = "".join((f"{i}\n" if index else "") + f"{a} --> {b}\n{text}\n" for i, (a, b, text) in enumerate(cues, 1))
    conv = read_transcript(raw, "srt")
    assert [(u.role, u.text, u.start) for u in conv.utterances] == [
        ("agent", "Hello, how can I help?", 1.0), ("customer", "My order never arrived and I am furious.", 4.0),
        ("agent", "I am so sorry about that.", 8.0)]


def test_each_voice_span_of_a_webvtt_cue_is_its_own_turn() -> None:
    """Found by a review: a cue with two <v> spans went wholly to the first voice, the customer's words scored as the
    agent's."""
    raw = ("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Agent>Hello, how can I help?</v>\n"
           "<v Customer>My order is late and I am furious!</v>\n\n"
           "00:00:05.000 --> 00:00:07.000\n<v Agent>Sorry about that.</v> <v.loud Customer>It is &lt;late&gt;!</v>\n")
    conv = read_transcript(raw, "vtt")
    assert [(u.speaker, u.role, u.text) for u in conv.utterances] == [
        ("Agent", "agent", "Hello, how can I help?"), ("Customer", "customer", "My order is late and I am furious!"),
        ("Agent", "agent", "Sorry about that."), ("Customer", "customer", "It is <late>!")]
    # the cue's time is shared in turn, by length: the two voices do not talk over each other
    assert [(u.start, u.end) for u in conv.utterances] == [(1.0, 2.179), (2.179, 4.0), (5.0, 6.133), (6.133, 7.0)]
    assert conv.warnings == []


def test_a_webvtt_voice_inside_styling_tags_keeps_its_speaker_and_entities_are_decoded() -> None:
    """Found by a review: `<i><v Agent>…</v></i>` lost its speaker (the turn became an unnamed customer's), and
    `&amp;` / `&lt;` stayed in the words as written."""
    raw = ("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<i><v Agent>Hello, how can I help?</v></i>\n\n"
           "00:00:04.000 --> 00:00:06.000\n<lang en><c.red><v Customer>Q&amp;A says 3 &lt; 5 &amp; I&#39;m late."
           "</v></c></lang>\n")
    conv = read_transcript(raw, "vtt")
    assert [(u.speaker, u.role, u.text) for u in conv.utterances] == [
        ("Agent", "agent", "Hello, how can I help?"), ("Customer", "customer", "Q&A says 3 < 5 & I'm late.")]
    assert conv.warnings == []


def test_a_chat_with_old_mac_line_endings_reads_like_its_lf_copy() -> None:
    """Found by a review: a chat saved with CR-only line endings was one agent turn holding every line."""
    lf = "Agent: Hello, how can I help you today?\nCustomer: My order never arrived and I am furious.\nAgent: Sorry.\n"
    for kind, raw in (("lines", lf), ("srt", SRT)):
        read = read_transcript(raw, kind).utterances
        assert [(u.role, u.text) for u in read_transcript(raw.replace("\n", "\r"), kind).utterances] == \
            [(u.role, u.text) for u in read]


@pytest.mark.parametrize(("turns", "where"), [
    ('[{"speaker": "Agent", "text": "hi"}, {"speaker": "Customer", "text": "I love it", "text": "I hate you"}]',
     r"Turn 2 .*'text'"),
    ('[{"speaker": "Agent", "text": "hi", "meta": {"id": 1, "id": 2}}]', r"Turn 1 .*'id'"),
    ('{"turns": [{"speaker": "Agent", "text": "hi"}], "turns": [{"speaker": "Customer", "text": "hi"}]}',
     r"The transcript .*'turns'"),
])
def test_a_json_transcript_naming_a_key_twice_is_refused_by_turn_and_key(turns: str, where: str) -> None:
    """Found by a review: a turn naming "text" twice was read as its last text, silently, while request bodies and
    JSON Lines rows refuse a repeated key."""
    with pytest.raises(EmotraceError, match=rf"\[E604\] {where} .*given twice"):
        read_transcript(turns, "json")


def test_an_explicit_role_on_a_json_turn_wins_over_the_speakers_name() -> None:
    """Found by a review: `"role": "customer"` was a fallback behind the name guess: Bob (first speaker) became the
    agent and Jane, `"role": "agent"`, the customer, with a warning that roles were guessed."""
    turns = [{"speaker": "Bob", "role": "customer", "text": "My order never came."},
             {"speaker": "Jane", "role": "Agent", "text": "Sorry, let me check."},
             {"speaker": "Bob", "text": "Thanks."}]
    conv = read_transcript(json.dumps(turns), "json")
    assert [(u.speaker, u.role) for u in conv.utterances] == [("Bob", "customer"), ("Jane", "agent"), ("Bob", "customer")]
    assert conv.warnings == []
    told = read_transcript(json.dumps(turns), "json", agent="Bob")  # the caller's --agent still decides
    assert [u.role for u in told.utterances] == ["agent", "customer", "agent"]


@pytest.mark.parametrize("agent", ["Customer Service", "Customer Care", "Member Services", "Representative",
                                   "Customer Service Representative"])
def test_a_service_desk_named_with_a_customers_word_is_the_agent(agent: str) -> None:
    """Found by a review: "Customer Service: …" held "customer" and was read as the customer (and the customer, named
    like neither, guessed the agent)."""
    conv = read_transcript(f"{agent}: Thanks for contacting us, how can I help?\nJohn: My order never arrived.\n",
                           "lines", channel="chat")
    assert [u.role for u in conv.utterances] == ["agent", "customer"], conv.warnings


def test_a_clause_before_a_colon_is_not_a_new_speaker() -> None:
    """Found by a review: any "words: text" line started a new speaker: an SRT cue "The problem is: my card was
    charged twice." became the agent 'The problem is', and a chat's "Step 1: open Settings" customer turns, the
    agent's own instructions read as the customer's."""
    srt = ("1\n00:00:01,000 --> 00:00:03,000\nThe problem is: my card was charged twice.\n\n"
           "2\n00:00:04,000 --> 00:00:05,000\nI see, let me look.\n")
    conv = read_transcript(srt, "srt")
    assert [(u.speaker, u.role, u.text) for u in conv.utterances] == [
        ("unknown", "customer", "The problem is: my card was charged twice."),
        ("unknown", "customer", "I see, let me look.")]
    chat = "Customer: How do I reset it?\nAgent: Do this:\nStep 1: open Settings\nStep 2: tap Reset\n"
    conv = read_transcript(chat, "lines", agent="Agent")
    assert [(u.role, u.text) for u in conv.utterances] == [
        ("customer", "How do I reset it?"), ("agent", "Do this: Step 1: open Settings Step 2: tap Reset")]
    # a label that starts two lines, however written, is a speaker's (diarised "SPEAKER_00", a lower-case name)
    conv = read_transcript("SPEAKER_00: Hello, how can I help?\nSPEAKER_01: My card was charged twice.\n"
                           "SPEAKER_00: Sorry.\nSPEAKER_01: Fix it.\n", "lines")
    assert [u.speaker for u in conv.utterances] == ["SPEAKER_00", "SPEAKER_01"] * 2


def test_a_speaker_name_of_up_to_the_longest_allowed_starts_its_turn() -> None:
    """Found by a review: a speaker's name of 41-64 characters (allowed up to 64) was merged into the previous turn:
    the agent's apology scored as the customer's words."""
    conv = read_transcript("Customer: My order is late and I'm angry.\n"
                           "Jonathan Smithfield (Customer Service Agent): I'm so sorry, I'll refund you now.\n"
                           "Customer: Thank you!\n", "lines")
    assert [(u.role, u.text) for u in conv.utterances] == [
        ("customer", "My order is late and I'm angry."), ("agent", "I'm so sorry, I'll refund you now."),
        ("customer", "Thank you!")]


def test_a_literal_angle_bracket_in_a_cue_is_kept() -> None:
    """Found by a review: a `<` in SRT/VTT text deleted everything up to the next `>`: "delivery in <5 days and it has
    been >3 weeks!" read "delivery in 3 weeks!"."""
    raw = ("1\n00:00:01,000 --> 00:00:04,000\nCustomer: you promised delivery in <5 days and it has been >3 weeks!\n"
           "\n2\n00:00:05,000 --> 00:00:06,000\n<font color=\"#fff\">Agent: <b>Sorry</b> <00:00:05.500>about that.</font>\n")
    conv = read_transcript(raw, "srt")
    assert [u.text for u in conv.utterances] == ["you promised delivery in <5 days and it has been >3 weeks!",
                                                 "Sorry about that."]


@pytest.mark.parametrize("stamps", [("[10:02] ", "[10:03] "), ("[10:02:15] ", "[10:03:40] "),
                                    ("12/03/2024, 10:02 - ", "12/03/2024, 10:03 - "),
                                    ("[12/03/2024, 10:02:15] ", "[12/03/2024, 10:03:40] ")])
def test_chat_lines_with_a_timestamp_prefix_are_turns(stamps: tuple[str, str]) -> None:
    """Found by a review: "[10:02] Agent: Hello" (a chat export's time stamp before the name) was no speaker line: the
    chat was refused (E608, first line has no speaker)."""
    chat = f"{stamps[0]}Agent: Hello, how can I help?\n{stamps[1]}Customer: My order is late and I am angry.\n"
    conv = read_transcript(chat, "lines")
    assert [(u.speaker, u.role, u.text) for u in conv.utterances] == [
        ("Agent", "agent", "Hello, how can I help?"), ("Customer", "customer", "My order is late and I am angry.")]


@pytest.mark.parametrize(("raw", "kind"), [
    (json.dumps([{"role": "system", "text": "The chat was transferred to billing."},
                 {"role": "user", "text": "My order is late and I am angry."},
                 {"role": "assistant", "text": "Sorry about that."}]), "json"),
    ("System: Chat started.\nCustomer: My order is late and I am angry.\nAgent: Sorry about that.\n", "lines"),
    ("Bot: Hi! How can I help?\nCustomer: My order is late and I am angry.\nAgent: Sorry about that.\n", "lines")])
def test_a_system_or_bot_turn_is_the_company_s_not_the_customer_s(raw: str, kind: str) -> None:
    """Found by a review: a platform's "system" turn (a JSON role, a chat's "System:" line) and a bot's greeting were
    read as the customer's words, scored, with a warning that roles were guessed."""
    read = read_transcript(raw, kind)
    assert [u.role for u in read.utterances] == ["agent", "customer", "agent"]
    assert not any("guessed" in warning for warning in read.warnings), read.warnings


@pytest.mark.parametrize(("raw", "kind"), [
    ("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n- <v Agent>How can I help?\n- <v Customer>My order is late.\n", "vtt"),
    ("1\n00:00:01,000 --> 00:00:04,000\n- Agent: How can I help?\n- Customer: My order is late.\n", "srt"),
    ("1\n00:00:01,000 --> 00:00:04,000\n– Agent: How can I help?\n– Customer: My order is\nlate.\n", "srt")])
def test_a_cue_of_two_speakers_each_on_a_dialogue_dash_line_is_two_turns(raw: str, kind: str) -> None:
    """Found by reviews: subtitles put two speakers in one cue, each line opening with a dash; an SRT cue was read as
    one agent turn holding the customer's words too ("How can I help? - Customer: My order is late."), a WebVTT one
    added a turn "-" of no one's and left a dash on the agent's words."""
    read = read_transcript(raw, kind)
    assert [(u.speaker, u.role, u.text) for u in read.utterances] == [
        ("Agent", "agent", "How can I help?"), ("Customer", "customer", "My order is late.")]
    assert read.utterances[0].start == 1.0 and read.utterances[1].end == 4.0
    assert read.utterances[0].end == read.utterances[1].start


def test_a_dash_that_opens_one_line_of_a_cue_is_its_text() -> None:
    """A cue with one dash line (a speaker's aside, a list) is read as before: one turn, its dash kept."""
    read = read_transcript("1\n00:00:01,000 --> 00:00:04,000\nCustomer: it is broken\n- and nobody called\n", "srt")
    assert [(u.speaker, u.text) for u in read.utterances] == [("Customer", "it is broken - and nobody called")]


def test_timed_turns_out_of_order_beside_untimed_ones_are_said() -> None:
    """Found by a review: with some turns untimed, turns listed out of time order were kept in their listed order
    without a word (all turns timed: sorted, and said), so a conversation could be stored with its times running
    backwards."""
    raw = json.dumps([{"speaker": "Agent", "text": "Hi, how can I help?", "start": 5},
                      {"speaker": "Customer", "text": "My order is late again."},
                      {"speaker": "Agent", "text": "Sorry about that.", "start": 2}])
    read = read_transcript(raw, "json")
    assert [u.text for u in read.utterances] == ["Hi, how can I help?", "My order is late again.", "Sorry about that."]
    assert any("out of time order" in warning and "listed order" in warning for warning in read.warnings), read.warnings
    in_order = json.dumps([{"speaker": "Agent", "text": "Hi", "start": 1}, {"speaker": "Customer", "text": "Late."},
                           {"speaker": "Agent", "text": "Sorry.", "start": 4}])
    assert not any("order" in warning for warning in read_transcript(in_order, "json").warnings)


@pytest.mark.parametrize(("name", "content", "code"), [
    ("turns.json", "[]", "E602"), ("turns.json", '{"a": 1}', "E605"), ("turns.json", "not json", "E604"),
    ("call.vtt", "WEBVTT\n\n", "E607"), ("quoted.eml", "From: a@b.c\nSubject: x\n\n> quoted only\n", "E601"),
])
def test_a_conversation_file_that_cannot_be_read_is_named(tmp_path, name, content, code) -> None:
    """Found by a review: ``emotrace analyze`` of an empty JSON transcript, a WebVTT file without cues or an e-mail of
    quotes alone said "[E602] The transcript holds no turns." (E605, E604, E607, E601 alike) without naming the
    file: in a loop over a folder, which one was left unknown."""
    path = tmp_path / f"appel été {name}"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(EmotraceError, match=code) as caught:
        load_conversation(path, Settings())
    assert caught.value.problem.startswith(f"{path.name}: "), caught.value.problem
