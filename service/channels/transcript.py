"""Transcript and chat adapters: JSON turns, WebVTT, SRT and ``Name: text`` lines.

Speaker roles follow one documented rule, which the caller can override with ``agent=NAME``:
1. a JSON turn's own ``role`` (customer, agent, user, assistant, ...) is that turn's role;
2. a speaker named like an agent (agent, rep, support, advisor, operator; a platform's "system" turns and bots;
   a service desk: "Customer Service", "Customer Care") is the agent, one named like a customer (customer, caller,
   client, user) is the customer;
3. otherwise the first speaker not named like a customer is the agent (in a contact centre the agent answers)
   and everyone else is a customer; the result then carries a warning that roles were guessed.
"""

from __future__ import annotations

import html
import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Iterator
from typing import NamedTuple, NoReturn

from emotrace.channels.utterance import AGENT, CUSTOMER, Conversation, Utterance
from emotrace.errors import EmotraceError
from emotrace.text.visible import is_blank
from emotrace.wording import counted_doing

AGENT_WORDS = ("agent", "rep", "support", "advisor", "adviser", "operator", "staff", "assistant")
CUSTOMER_WORDS = ("customer", "caller", "client", "user", "member")
ROLE_WORDS = {**dict.fromkeys(AGENT_WORDS, AGENT), **dict.fromkeys(CUSTOMER_WORDS, CUSTOMER)}  # a whole speaker cell
# A platform's own turns and its bots: the company's side of a conversation file, read as the agent's (a table's rows
# of them are neither customer nor agent: ``batch --ingest`` and ``drivers`` leave them out, ROLE_WORDS has none).
PLATFORM_WORDS = ("system", "bot", "chatbot")
_TURN_ROLES = {**ROLE_WORDS, **dict.fromkeys(PLATFORM_WORDS, AGENT)}  # a JSON turn's ``role``
DESK_WORDS = ("service", "care", "representative")  # "Customer Service", "Member Care": the agent's side, in a name
MAX_SPEAKER_CHARS = 64  # a speaker's name in a transcript, as the upload's agent name
_TIME = r"(\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}"  # WebVTT hours have two or more digits
_CUE = re.compile(rf"^\s*(?P<start>{_TIME})\s*-->\s*(?P<end>{_TIME})")
_TIMING_LIKE = re.compile(r"^\s*\d.*->")  # a line meant as a cue's timing, whether it reads or not
_NOT_A_CUE = re.compile(r"^\s*(WEBVTT|NOTE|STYLE|REGION)\b")  # blocks of a WebVTT file that hold no speech
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")  # a voice span's start tag; the name its group
_TAG = re.compile(r"</?(?:(?:[bciu]|ruby|rt)(?:\.[\w-]+)*|(?:v|lang)(?:\.[\w-]+)*(?:\s[^<>]*)?|font(?:\s[^<>]*)?)>"
                  r"|<(?:\d+:)?\d{2}:\d{2}\.\d{3}>", re.IGNORECASE)  # cue tags and timestamps; a lone "<5 days" is text
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp][Mm])?"
_DATE = r"\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4},?\s+"
_STAMP = rf"(?:\[(?:{_DATE})?{_CLOCK}\]|{_DATE}{_CLOCK}\s+[-\u2013]\s)\s*"  # "[10:02] ", "12/03/2024, 10:02 - "
_NAME = rf"^\s*(?:{_STAMP})?(?P<name>[^:\n]{{1,{MAX_SPEAKER_CHARS}}}?)\s*:"
NAMED_TURN = re.compile(rf"{_NAME}\s+(?P<text>\S.*)$")
_EMPTY_TURN = re.compile(rf"{_NAME}\s*$")  # a speaker's label, the words (if any) below it
_ASIDE = re.compile(r"\([^)]*\)|\[[^]]*\]")  # "(agent)" in a speaker's label "Jane (agent)"
MAX_TURN_SECONDS = 7 * 24 * 3600  # a turn's start/end: seconds from the conversation's start, at most a week
MAX_INTEGER_DIGITS = 4_300  # Python's default limit on int-string conversion


class Turn(NamedTuple):
    """One turn as a transcript gives it: the speaker's name, the words, start and end (seconds), and the role the
    file states for it (a JSON turn's ``role``), if any."""

    speaker: str
    text: str
    start: float | None = None
    end: float | None = None
    role: str | None = None


def seconds(stamp: str) -> float:
    """'01:02:03.5' / '02:03,500' -> seconds."""
    parts = stamp.replace(",", ".").split(":")
    return float(sum(float(p) * 60**i for i, p in enumerate(reversed(parts))))


def _names_a(name: str, words: tuple[str, ...]) -> bool:
    """Whether the (lower-case) speaker name holds one of ``words`` as a word of its own ("Support Team", not
    "Staffan")."""
    return any(re.search(rf"(?<![a-z]){word}s?(?![a-z])", name) for word in words)  # "agent_1" and "rep2" count


def assign_roles(turns: list[Turn], channel: str, agent: str | None = None) -> Conversation:
    """Utterances from ``turns``, with roles by the module's rule."""
    if not turns:
        raise EmotraceError("E602", "The transcript holds no turns.", "Check the file format.")
    for number, (name, *_) in enumerate(turns, 1):
        if len(name) > MAX_SPEAKER_CHARS:
            raise EmotraceError("E620", f"Turn {number}'s speaker name is {len(name):,} characters long (at most "
                                        f"{MAX_SPEAKER_CHARS}): '{name[:40]}…'.")
    warnings: list[str] = []
    names = list(dict.fromkeys(name for name, *_ in turns))
    stated = {turn.speaker: turn.role for turn in reversed(turns) if turn.role}  # a speaker's first stated role
    if agent is not None and agent not in names:
        raise EmotraceError("E603", f"Agent '{agent}' is not a speaker here.", f"Speakers: {names}.")

    def role_of(name: str) -> str | None:
        if agent is not None:
            return AGENT if name == agent else CUSTOMER
        if name in stated:
            return stated[name]
        if not name:  # a turn without a speaker (a VTT cue without <v>) is the customer's, as the warning says
            return CUSTOMER
        low = name.lower()
        if _names_a(low, AGENT_WORDS + PLATFORM_WORDS + DESK_WORDS):
            return AGENT
        if _names_a(low, CUSTOMER_WORDS):
            return CUSTOMER
        return None

    known = {name: role_of(name) for name in names}
    roles: dict[str, str] = {n: r for n, r in known.items() if r is not None}
    if len(roles) < len(known):
        named_agent = next((n for n in names if known[n] == AGENT), None)
        guess_agent = named_agent or next(n for n in names if known[n] is None)
        roles = {n: (AGENT if n == guess_agent else CUSTOMER) if r is None else r for n, r in known.items()}
        if named_agent is None:
            first = "first speaker" if guess_agent == names[0] else "first speaker not named like a customer"
            warnings.append(f"Speaker roles guessed: '{guess_agent}' is the agent ({first}); "
                            "pass the agent's name to override.")
        else:  # the agent was named so; the speakers named like neither are the guess
            others = ", ".join(f"'{n}'" for n in names if known[n] is None)
            warnings.append(f"Speaker roles guessed: {others} read as the customer ('{named_agent}' is named like "
                            "the agent); pass the agent's name to override.")
    if "" in roles:
        warnings.append("Some turns have no speaker; they are read as the customer's.")
    utterances = [Utterance(turn.text.strip(), turn.speaker or "unknown",
                            turn.role if turn.role and agent is None else roles[turn.speaker], turn.start, turn.end)
                  for turn in turns if not is_blank(turn.text)]
    if silent := len(turns) - len(utterances):
        warnings.append(f"{counted_doing(silent, 'turn', 'has', 'have')} nothing said (an attachment sent alone?): "
                        "left out.")
    timed = [u.start for u in utterances if u.start is not None]
    if len(timed) == len(utterances) and timed != sorted(timed):  # the arc, peak and replies follow time, as stored
        utterances.sort(key=lambda u: u.start or 0.0)
        warnings.append("The turns are listed out of time order: read in the order of their start times.")
    elif timed != sorted(timed):  # some untimed: where they belong in time is unknown
        warnings.append("The timed turns are listed out of time order and some turns have no time: read in the "
                        "listed order, each with its own time; check the file's times.")
    overlaps = [i for i, (before, after) in enumerate(itertools.pairwise(utterances), start=1)
                if after.start is not None and before.end is not None and after.start < before.end - 0.05]
    if overlaps:
        warnings.append(f"{counted_doing(len(overlaps), 'turn', 'overlaps', 'overlap')} the previous one in time "
                        f"(first at turn {overlaps[0] + 1}).")
    return Conversation(channel, utterances, warnings)


def parse_json_turns(raw: str) -> list[Turn]:
    """JSON: a list of turns (or {"turns": [...]}) with speaker/text, optional start/end and role; an object naming a
    key twice is refused (JSON readers keep the last value silently)."""
    from emotrace.tabular import RepeatedKeyError, without_repeats  # here: reading a VTT or chat never pays for pyarrow

    repeated: list[_Repeated] = []  # the objects naming a key twice, as read

    def unique(pairs: list[tuple[str, object]]) -> dict[str, object]:
        try:
            return without_repeats(pairs)
        except RepeatedKeyError as exc:
            repeated.append(_Repeated(pairs, exc.msg))
            return repeated[-1]

    try:
        data = json.loads(raw, parse_int=_integer, object_pairs_hook=unique)
    except json.JSONDecodeError as exc:
        raise EmotraceError("E604", f"Transcript is not valid JSON ({exc.msg}, line {exc.lineno}).",
                            "Give a JSON list of {speaker, text, start, end} turns.") from None
    except RecursionError:
        raise EmotraceError("E604", "Transcript JSON is nested too deeply to be a list of turns.",
                            "Give a JSON list of {speaker, text, start, end} turns.") from None
    turns = data.get("turns") or data.get("messages") if isinstance(data, dict) else data
    if not isinstance(turns, list) or not all(isinstance(t, dict) for t in turns):
        raise EmotraceError("E605", "JSON transcript must be a list of turn objects.",
                            'E.g. [{"speaker": "Agent", "text": "Hello", "start": 0.0, "end": 1.2}].')
    if repeated:
        _refuse_repeats(data, turns)
    out = []
    for i, turn in enumerate(turns, 1):
        text = turn["text"] if isinstance(turn.get("text"), str) else turn.get("message")
        if not isinstance(text, str):
            raise EmotraceError("E606", f"Turn {i} has no text.", 'Each turn needs a "text" string.')
        speaker = next((str(turn[key]) for key in ("speaker", "name", "role") if turn.get(key) not in (None, "")), "")
        for field, value in (("speaker", speaker), ("text", text)):
            if (at := _lone_surrogate(value)) is not None:
                raise EmotraceError("E617", f"Turn {i}'s {field} holds a lone UTF-16 surrogate (character {at + 1}, "
                                            f"{value[at].encode('utf-8', 'backslashreplace').decode()}): it is not "
                                            "valid Unicode.",
                                    "Write the text as UTF-8, or escape characters outside the Basic Multilingual "
                                    "Plane as a surrogate pair (e.g. \\ud83d\\ude00).")
        start, end = _turn_time(turn, "start", i), _turn_time(turn, "end", i)
        if start is not None and end is not None and end < start:
            raise EmotraceError("E618", f"Turn {i} ends at {end:g}s, before it starts ({start:g}s).",
                                "Give each turn an end time at or after its start (seconds from the conversation's "
                                "start).")
        role = _TURN_ROLES.get(str(turn.get("role", "")).strip().lower())
        out.append(Turn(speaker, text, start, end, role))
    return out


class _Repeated(dict[str, object]):
    """A JSON object that names a key twice (its last value kept), marked to be refused by where it is."""

    def __init__(self, pairs: list[tuple[str, object]], why: str) -> None:
        super().__init__(pairs)
        self.why = why  # "the key 'text' is given twice in one object"


def _refuse_repeats(data: object, turns: list[dict[str, object]]) -> NoReturn:
    """E604 naming the first turn that holds an object naming a key twice (at any depth), else the transcript."""
    number, at = next(((i, turn) for i, turn in enumerate(turns, 1) if _repeated_in(turn)), (None, data))
    where = "The transcript" if number is None else f"Turn {number}"
    raise EmotraceError("E604", f"{where} is not read: {_repeated_in(at)}.",
                        "Give each key once in each object (JSON readers keep the last value and drop the other).")


def _repeated_in(value: object) -> str | None:
    """Why an object naming a key twice in ``value`` (at any depth) is refused, or None when none does."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, _Repeated):
            return item.why
        stack.extend(item.values() if isinstance(item, dict) else item if isinstance(item, list) else ())
    return None


def _integer(digits: str) -> int:
    """A JSON integer; one too long for Python to read (its int-string conversion limit) is refused by name."""
    if len(digits.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise EmotraceError("E616", f"The transcript holds a number of {len(digits.lstrip('-')):,} digits, too long "
                                    "to read as a time or anything else.",
                            f"Check the file: turn times are seconds from the conversation's start (0 to "
                            f"{MAX_TURN_SECONDS:,}), and no number in a transcript needs thousands of digits.")
    return int(digits)


def _lone_surrogate(text: str) -> int | None:
    """Where ``text`` holds a lone UTF-16 surrogate (JSON's ``\\ud800`` escape unpaired), or None."""
    return next((i for i, ch in enumerate(text) if "\ud800" <= ch <= "\udfff"), None)


def _turn_time(turn: dict[str, object], key: str, number: int) -> float | None:
    """A JSON turn's ``start``/``end``: absent, or seconds from the conversation's start."""
    value = turn.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) \
            or (isinstance(value, float) and not math.isfinite(value)) or not 0 <= value <= MAX_TURN_SECONDS:
        raise EmotraceError("E613", f"Turn {number} has {key} {_clip(repr(value), 40)}, which is not a time in the "
                                    "conversation.",
                            f"Give {key} in seconds from the conversation's start (0 to {MAX_TURN_SECONDS:,}).")
    return float(value)


def parse_cues(raw: str) -> list[Turn]:
    """WebVTT or SRT cues; the speaker from ``<v Name>`` (a turn per voice span) or a ``Name:`` prefix (one that
    reads as a speaker's in the file, see :func:`named_speakers`); a cue of several speakers on dialogue-dash lines
    is read line by line (:func:`_cue_segments`)."""
    timed: list[tuple[list[str], float, float]] = []  # each cue's segments of text, start and end
    cues = 0  # timed cues read
    untimed: tuple[int, str] | None = None  # the first block with words but no timing: (cues before it, its text)
    blocks = re.split(r"\n\s*\n", _newlines(raw).strip())
    for lines in (cue for block in blocks for cue in _cue_blocks(block)):
        timing = next((i for i, line in enumerate(lines) if _CUE.match(line)), None)
        if timing is None:
            if unread := next((line for line in lines if _TIMING_LIKE.match(line)), None):
                _refuse_cue(cues + 1, unread, "which is not a cue timing")
            if lines and untimed is None and not _NOT_A_CUE.match(lines[0]) and not all(x.strip().isdigit() for x in lines):
                untimed = (cues, " ".join(lines))
            continue  # WEBVTT header, NOTE, STYLE or REGION blocks, a lone SRT number
        match = _CUE.match(lines[timing])
        assert match is not None
        start, end = seconds(match["start"]), seconds(match["end"])
        cues += 1
        if max(start, end) > MAX_TURN_SECONDS:
            _refuse_cue(cues, lines[timing], "more than a week into the conversation")
        if end < start:
            raise EmotraceError("E618", f"Cue {cues} has the timing {_clip(lines[timing].strip(), 60)!r}, "
                                        "which ends before it starts.",
                                "Give each cue an end time at or after its start (HH:MM:SS.mmm --> HH:MM:SS.mmm).")
        timed.append((_cue_segments(lines[timing + 1 :]), start, end))
    if not timed:
        raise EmotraceError("E607", "No timed cues found.", "Expected WebVTT or SRT ('00:00:01.000 --> ...').")
    if untimed is not None:
        raise EmotraceError("E619", f"A block after cue {untimed[0]} has text but no timing: {_clip(untimed[1], 60)!r}; "
                                    "its words would not be read.",
                            "Give it a timing line (HH:MM:SS.mmm --> HH:MM:SS.mmm) or delete it.")
    speakers = named_speakers([_plain(_VOICE.split(text, maxsplit=1)[0]) for segments, *_ in timed for text in segments])
    return [turn for cue in timed for turn in _cue_turns(*cue, speakers)]


_DIALOGUE_DASH = re.compile(r"^\s*[-\u2013\u2014]\s+")  # "- How can I help?": a subtitle line of one speaker


def _cue_segments(lines: list[str]) -> list[str]:
    """A cue's text: one segment per speaker where two or more of its lines open with a dialogue dash ("- How can I
    help?" / "- My order is late."; a line without one goes on with the line before), else the whole cue as one."""
    if sum(bool(_DIALOGUE_DASH.match(line)) for line in lines) < 2:
        return [" ".join(lines).strip()]
    segments: list[str] = []
    for line in lines:
        if _DIALOGUE_DASH.match(line) or not segments:
            segments.append(_DIALOGUE_DASH.sub("", line).strip())
        else:
            segments[-1] = f"{segments[-1]} {line.strip()}"
    return segments


def _newlines(raw: str) -> str:
    """``raw`` with Windows (CR LF) and old Mac (CR) line ends as LF."""
    return re.sub(r"\r\n?", "\n", raw)


def _cue_blocks(block: str) -> Iterator[list[str]]:
    """The non-blank lines of a block, cut where a cue starts: at a timing line, or at the number line just before
    one (an SRT file without blank lines between its cues holds them all in one block)."""
    lines = [line for line in block.split("\n") if line.strip()]
    starts = [i - 1 if i > 0 and lines[i - 1].strip().isdigit() else i for i, line in enumerate(lines) if _CUE.match(line)]
    for first, stop in itertools.pairwise([0, *starts[1:], len(lines)]):
        yield lines[first:stop]


def _cue_turns(segments: list[str], start: float, end: float, speakers: set[str]) -> list[Turn]:
    """A cue's turns, segment by segment: one per ``<v Name>`` span; the words before the first span, or of a segment
    without one, a ``Name:`` line's of ``speakers`` (see :func:`speaker_line`) or no one's ("Customer:" alone: that
    speaker, nothing said). Several turns share the cue's time in turn, each in proportion to its length (not talking
    over each other)."""
    turns: list[Turn] = []
    for text in segments:
        before, *voices = _VOICE.split(text)
        plain = _plain(before)
        turns += [Turn(*(speaker_line(plain, speakers) or ("", plain)))] if not voices or not is_blank(plain) else []
        turns += [Turn(_plain(name), _plain(said)) for name, said in zip(voices[::2], voices[1::2], strict=True)]
    bounds = list(itertools.accumulate((len(turn.text) or 1 for turn in turns), initial=0))
    return [turn._replace(start=round(start + (end - start) * a / bounds[-1], 3),
                          end=round(start + (end - start) * b / bounds[-1], 3))
            for turn, (a, b) in zip(turns, itertools.pairwise(bounds), strict=True)]


def _plain(text: str) -> str:
    """Cue text without its tags (``<i>``, ``<c.loud>``, ``</v>``), its character references decoded (``&amp;``)."""
    return html.unescape(_TAG.sub("", text)).strip()


def _clip(text: str, limit: int) -> str:
    """``text``, cut to ``limit`` characters with an ellipsis (echoed input stays short)."""
    return text if len(text) <= limit else f"{text[:limit]}…"


def _refuse_cue(number: int, line: str, why: str) -> NoReturn:
    raise EmotraceError("E615", f"Cue {number} has the timing {_clip(line.strip(), 60)!r}, {why}.",
                        "Write cue times as HH:MM:SS.mmm --> HH:MM:SS.mmm (WebVTT; SRT: a comma before the "
                        "milliseconds), at most a week from the start.")


def _names_a_role(name: str) -> bool:
    """Whether a ``Name:`` label names an agent or a customer as a speaker would: in one word ("agent_2") or in
    Title case ("Jonathan Smithfield (Customer Service Agent)"), not in a clause ("The customer said")."""
    return (_names_a(name.lower(), AGENT_WORDS + PLATFORM_WORDS + CUSTOMER_WORDS)
            and (len(name.split()) == 1 or _title_case(name)))


def _title_case(name: str) -> bool:
    """Whether each word of ``name`` that holds a letter, an aside in brackets left out ("Jane (agent)"), starts it
    with a capital (or a letter without case)."""
    firsts = [next((ch for ch in word if ch.isalpha()), "") for word in _ASIDE.sub(" ", name).split()]
    return any(firsts) and not any(ch.islower() for ch in firsts)


def _reads_as_a_speaker(name: str) -> bool:
    """Whether a ``Name:`` label is a speaker's on its own: it names a role, or it is a short Title-case name without
    digits ("Jane", "Mary Ann Lee"); "The problem is", "Step 1" and "Order number" are not."""
    return _names_a_role(name) or (_title_case(name) and len(name.split()) <= 3 and not any(ch.isdigit() for ch in name))


def named_speakers(lines: list[str]) -> set[str]:
    """The speakers of the ``Name: text`` lines among ``lines``: the names that read as a speaker's on their own
    and those that start two lines or more ("SPEAKER_00", a lower-case user name)."""
    counts = Counter(named["name"] for line in lines if (named := NAMED_TURN.match(line)))
    return {name for name, count in counts.items() if count >= 2 or _reads_as_a_speaker(name)}


def speaker_line(line: str, speakers: set[str]) -> tuple[str, str] | None:
    """(name, text) of a ``Name: text`` line whose name is one of ``speakers`` (see :func:`named_speakers`) or reads
    as a speaker's, or of a ``Name:`` line with nothing after it (an empty turn, or one whose words follow on the
    next lines) whose name is one of ``speakers`` or names a role ("The problems were:" in an e-mail is no speaker);
    a chat export's time stamp before the name ("[10:02] ", "12/03/2024, 10:02 - ") is dropped. None for any other
    line ("Step 1: open Settings" goes on the turn before it)."""
    if (named := NAMED_TURN.match(line)) and (named["name"] in speakers or _reads_as_a_speaker(named["name"])):
        return named["name"], named["text"]
    label = _EMPTY_TURN.match(line)
    if label and (label["name"] in speakers or _names_a_role(label["name"])):
        return label["name"], ""
    return None


def parse_named_lines(raw: str) -> list[Turn]:
    """``Name: text`` lines; a line without a name continues the previous turn; a speaker's label with nothing
    said (an attachment sent alone) is left out."""
    lines = [line for line in _newlines(raw).split("\n") if line.strip()]
    speakers = named_speakers(lines)
    out: list[Turn] = []
    for line in lines:
        if said := speaker_line(line, speakers):
            out.append(Turn(*said))
        elif out:
            out[-1] = out[-1]._replace(text=f"{out[-1].text} {line.strip()}".strip())
        else:
            raise EmotraceError("E608", f"First line has no speaker: '{line[:60]}'.", "Write 'Name: text' lines.")
    return out


def read_transcript(raw: str, kind: str, agent: str | None = None, channel: str = "call") -> Conversation:
    """A transcript of ``kind`` json / vtt / srt / lines as a conversation with speaker roles."""
    parsers = {"json": parse_json_turns, "vtt": parse_cues, "srt": parse_cues, "lines": parse_named_lines}
    return assign_roles(parsers[kind](raw), channel, agent)
