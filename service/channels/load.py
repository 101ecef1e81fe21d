"""Picking the adapter for a file by its extension."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from emotrace.audio.io import AUDIO_SUFFIXES, audio_container
from emotrace.channels.email import has_email_headers, read_email
from emotrace.channels.transcript import named_speakers, read_transcript, speaker_line
from emotrace.channels.utterance import Conversation
from emotrace.errors import EmotraceError
from emotrace.settings import Settings
from emotrace.text.visible import is_blank

TRANSCRIPT_KINDS = {".vtt": "vtt", ".srt": "srt", ".json": "json"}
TEXT_SUFFIXES = {".txt", ".text"}  # read by their content: an e-mail, or a chat of "Name: text" lines
CONVERSATION_SUFFIXES = {".eml", *TRANSCRIPT_KINDS, *TEXT_SUFFIXES, *AUDIO_SUFFIXES}
FORMATS = ("email", "chat", "vtt", "srt", "json")
AN_EMAIL = "an e-mail (the customer's alone)"  # what an e-mail file is, where an option it does not read is said
LINES_HINT = 3  # a header-less .txt of this many lines or more may be one text per line, not one e-mail


def is_conversation_file(value: str) -> bool:
    """True when ``value`` names an existing e-mail, transcript or call audio file."""
    path = Path(value)
    return path.suffix.lower() in CONVERSATION_SUFFIXES and path.is_file()


def detect_format(text: str) -> str:
    """``email`` or ``chat`` for a plain-text file: a chat when most lines are ``Name: text`` turns or the words
    below a ``Name:`` label (at least two speaker lines, the first line one of them), an e-mail otherwise (a header
    block, or just a body: "Hi, / Order number: 1234 / Issue: ..." is an e-mail)."""
    if has_email_headers(text):
        return "email"
    lines = [line for line in text.splitlines() if line.strip()]
    speakers = named_speakers(lines)
    said_lines = [speaker_line(line, speakers) for line in lines]
    named = below_label = 0  # speaker lines; lines below a label with nothing after it (that turn's words)
    label_open = False
    for said in said_lines:
        if said is not None:
            named += 1
            label_open = not said[1]
        elif label_open:
            below_label += 1
    starts_with_a_turn = bool(said_lines) and said_lines[0] is not None  # a chat's first line is a turn
    return "chat" if starts_with_a_turn and named >= 2 and named + below_label >= len(lines) / 2 else "email"


def load_conversation(path: Path, settings: Settings, agent: str | None = None, form: str | None = None) -> Conversation:
    """An e-mail (.eml, or plain text), chat (``Name: text`` lines), transcript (.vtt, .srt, .json) or call
    audio file as a conversation. A ``.txt`` file is read by its content (:func:`detect_format`) unless ``form``
    (one of :data:`FORMATS`) says what it is."""
    suffix = path.suffix.lower()
    if form is not None and form not in FORMATS:
        raise EmotraceError("E614", f"Unknown format '{form}'.", f"Use one of {list(FORMATS)}.")
    if suffix in AUDIO_SUFFIXES:
        from emotrace.channels.call import read_call

        call = read_call(path, settings.max_audio_seconds, settings.audio_agent_channel, settings.mono_speaker_role,
                         settings.asr_model, settings.threads or 2)
        return _unused(call, "call audio (its speakers are told apart by channel)", agent=agent, format=form)
    raw = path.read_bytes()
    if form == "email" or (form is None and suffix == ".eml"):
        with _named(path):
            return _unused(read_email(raw), AN_EMAIL, agent=agent)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if (container := audio_container(raw)) is not None:
            raise EmotraceError("E004", f"{path} holds {container} audio, not text.",
                                f"Give it its audio suffix, .{container.lower()}, to read it as call audio.") from None
        raise EmotraceError("E004", f"{path} is not valid UTF-8 (byte {exc.start}).", "Re-encode it as UTF-8.") from None
    if is_blank(text):  # whatever its format (a zero-width space too): it was read as an e-mail of that "body"
        raise EmotraceError("E602", f"{path.name} is empty: no turn to read.")
    if form is None and suffix in TEXT_SUFFIXES:
        form = detect_format(text)
        if form == "email":
            with _named(path):
                conversation = read_email(text)
            lines = [line for line in text.splitlines() if line.strip()]
            if not has_email_headers(text) and len(lines) >= LINES_HINT:
                conversation.warnings.append(f"{path.name} has no e-mail headers and {len(lines)} lines, read as one "
                                             "e-mail; to read one text per line, use --file (HTTP: /v1/analyze/batch).")
            return _unused(conversation, AN_EMAIL, agent=agent)
    kind = form or TRANSCRIPT_KINDS.get(suffix)
    if kind is not None:
        with _named(path):
            if kind == "chat":
                return read_transcript(text, "lines", agent, channel="chat")
            return read_transcript(text, kind, agent)
    raise EmotraceError("E611", f"Unsupported conversation file '{suffix}'.",
                        "Use .eml, .txt, .vtt, .srt, .json, or .wav/.flac/.mp3/.ogg.")


@contextmanager
def _named(path: Path) -> Iterator[None]:
    """An error of a reader, which sees the file's content alone, said with the file's name."""
    try:
        yield
    except EmotraceError as exc:
        raise EmotraceError(exc.code, f"{path.name}: {exc.problem}", exc.fix) from None


def _unused(conversation: Conversation, what: str, **given: str | None) -> Conversation:
    """``conversation`` with a warning naming each option ``given`` that ``what`` does not read (said, not dropped
    silently)."""
    unused = [f"{name} '{value}'" for name, value in given.items() if value is not None]
    if unused:
        conversation.warnings.append(f"{' and '.join(unused)} not read: the file is {what}.")
    return conversation
