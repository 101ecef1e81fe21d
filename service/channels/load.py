"""Picking the adapter for a file by its extension."""

from __future__ import annotations

from pathlib import Path

from service.audio.io import AUDIO_SUFFIXES
from service.channels.email import read_email
from service.channels.transcript import read_transcript
from service.channels.utterance import Conversation
from service.errors import EmotraceError
from service.settings import Settings

TRANSCRIPT_KINDS = {".vtt": "vtt", ".srt": "srt", ".json": "json"}
CONVERSATION_SUFFIXES = {".eml", *TRANSCRIPT_KINDS, *AUDIO_SUFFIXES}


def is_conversation_file(value: str) -> bool:
    """True when ``value`` names an existing e-mail, transcript or call audio file."""
    path = Path(value)
    return path.suffix.lower() in CONVERSATION_SUFFIXES and path.is_file()


def load_conversation(path: Path, agent: str | None = None, settings: Settings | None = None) -> Conversation:
    """An e-mail (.eml), transcript (.vtt, .srt, .json) or call audio file as a conversation."""
    suffix = path.suffix.lower()
    if suffix in AUDIO_SUFFIXES:
        from service.audio.call import read_call

        s = settings or Settings()
        return read_call(path, s.max_audio_seconds, s.audio_agent_channel, s.mono_speaker_role, s.asr_model,
                         s.threads or 2)
    raw = path.read_bytes()
    if suffix == ".eml":
        return read_email(raw)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EmotraceError("E004", f"{path} is not valid UTF-8 (byte {exc.start}).", "Re-encode it as UTF-8.") from None
    if suffix in TRANSCRIPT_KINDS:
        return read_transcript(text, TRANSCRIPT_KINDS[suffix], agent)
    raise EmotraceError("E611", f"Unsupported conversation file '{suffix}'.",
                        "Use .eml, .vtt, .srt, .json, or .wav/.flac/.mp3/.ogg.")
