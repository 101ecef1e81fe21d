"""Loading call audio (WAV, FLAC, MP3, OGG) with clear errors for corrupt, unsupported or too long files."""

from __future__ import annotations

import io
import mmap
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from emotrace.errors import EmotraceError

Bytes = bytes | mmap.mmap  # a recording's bytes: a copy, or a file mapped (read where looked at)
AUDIO_SUFFIXES = {".wav", ".flac", ".mp3", ".ogg", ".oga"}
SAMPLE_RATE = 16_000


@dataclass
class Audio:
    """Float32 samples at 16 kHz, one row per channel."""

    channels: np.ndarray  # (n_channels, n_samples)
    duration: float

    @property
    def mono(self) -> np.ndarray:
        """All channels mixed down."""
        return np.asarray(self.channels.mean(axis=0), dtype=np.float32)


def load_audio(path: Path, max_seconds: float) -> Audio:
    """Decode ``path`` to 16 kHz float32, keeping its channels (at most two: one speaker each); refuse what cannot be
    read, is too long, or has more channels or a sample rate no recording has, before decoding it. A file of several
    recordings joined end to end (``cat a.mp3 b.mp3``, a chained Ogg stream) is read whole, one after another."""
    if path.suffix.lower() not in AUDIO_SUFFIXES:
        raise EmotraceError("E701", f"Unsupported audio format '{path.suffix}' ({path}).",
                            "Use WAV, FLAC, MP3 or OGG.")
    sources = _sources(path)
    try:
        infos = [sf.info(source) for source in sources]
        for info in infos:
            _check_layout(path, info.channels, info.samplerate, info.frames)
        if len({info.channels for info in infos}) > 1:
            raise EmotraceError("E703", f"{path} joins recordings of {' and '.join(str(i.channels) for i in infos)} "
                                        "channels end to end.",
                                "Send each recording on its own, or convert them to the same channels before joining.")
        if (duration := sum(info.duration for info in infos)) > max_seconds:
            raise EmotraceError("E702", f"{path} lasts {duration:.0f} s, over the limit of {max_seconds:.0f} s.",
                                "Split the recording or raise EMOTRACE_MAX_AUDIO_SECONDS.")
        decoded = [sf.read(_rewound(source), dtype="float32", always_2d=True) for source in sources]
    except (sf.LibsndfileError, RuntimeError, ValueError) as exc:
        raise EmotraceError("E703", f"{path} is not readable audio ({exc}).",
                            "The file may be corrupt or truncated; re-export it.") from None
    for source, info, (data, _) in zip(sources, infos, decoded, strict=True):
        with _bytes_of(source) as raw:
            problem = incompleteness(raw, info.frames, len(data))
        if problem:
            raise EmotraceError("E705", f"{path} is incomplete: {problem}.",
                                "The file was cut short or damaged in transfer; send the whole recording.")
    if sum(data.size for data, _ in decoded) == 0:
        raise EmotraceError("E704", f"{path} holds no audio samples.", "Check the recording.")
    for data, rate in decoded:
        _check_finite(path, data, rate)
    channels = np.concatenate([_resampled(data.T, rate) for data, rate in decoded], axis=1)
    return Audio(np.ascontiguousarray(channels, dtype=np.float32), channels.shape[1] / SAMPLE_RATE)


def _resampled(channels: np.ndarray, rate: int) -> np.ndarray:
    """``channels`` (one row each) at ``rate`` brought to SAMPLE_RATE."""
    if rate == SAMPLE_RATE:
        return channels
    divisor = np.gcd(int(rate), SAMPLE_RATE)
    from scipy.signal import resample_poly  # here, not at import: reading text never pays for scipy.signal

    return np.asarray(resample_poly(channels, SAMPLE_RATE // divisor, int(rate) // divisor, axis=1), dtype=np.float32)


@contextmanager
def _bytes_of(source: str | io.BytesIO) -> Iterator[Bytes]:
    """The bytes of ``source``: a copy's, or a file's mapped, not read (the checks read its header and its last page:
    an hour of studio WAV is hundreds of MB)."""
    if isinstance(source, io.BytesIO):
        yield source.getvalue()
        return
    with open(source, "rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        yield mapped


def _rewound(source: str | io.BytesIO) -> str | io.BytesIO:
    """``source`` ready to be read from its start (``sf.info`` read a copy's header)."""
    if isinstance(source, io.BytesIO):
        source.seek(0)
    return source


MAX_CHANNELS = 2  # a call: mono, or one speaker per channel
SAMPLE_RATES = (4_000, 192_000)  # telephone 8 kHz down to half, studio 192 kHz: the rates recordings are made at
UNKNOWN_LENGTH = 2**62  # libsndfile's SF_COUNT_MAX (2**63 - 1) is how it says a header gives no length


def _check_layout(path: Path, channels: int, rate: int, frames: int) -> None:
    """E707 for more channels than a call has; E703 for a sample rate outside :data:`SAMPLE_RATES` (a crafted header:
    resampling from 2,147,483,647 Hz would ask for a filter of 4e10 taps) or a header that gives no length (a piped
    FLAC encoder's: it cannot be decoded)."""
    if channels > MAX_CHANNELS:
        raise EmotraceError("E707", f"{path} has {channels} channels.", "Give mono, or stereo with one speaker per "
                                                                          "channel.")
    low, high = SAMPLE_RATES
    if not low <= rate <= high:
        raise EmotraceError("E703", f"{path} declares a sample rate of {rate:,} Hz, which no recording has "
                                    f"({low:,}-{high:,} Hz).", "The file may be corrupt; re-export it.")
    if frames >= UNKNOWN_LENGTH:
        raise EmotraceError("E703", f"{path}'s header gives no length (written by an encoder into a pipe); it cannot "
                                    "be decoded.", "Re-encode it to a file (e.g. ffmpeg -i in.flac out.flac).")


def _check_finite(path: Path, data: np.ndarray, rate: int) -> None:
    """E703 for samples that are not numbers (NaN or infinite, in a float WAV): resampling and speech-to-text would
    turn their whole channel into silence, with no word of why."""
    finite = np.isfinite(data)
    if finite.all():
        return
    bad = data.size - int(np.count_nonzero(finite))
    first = int(np.argmin(finite.all(axis=1)))  # the first frame holding one
    which = "sample that is not a number" if bad == 1 else "samples that are not numbers"
    raise EmotraceError("E703", f"{path} holds {bad:,} {which} (NaN or infinite), the first at {first / rate:.2f} s: "
                                "the recording is damaged.",
                        "Re-export it from the original recording: every sample of a float WAV must be a finite number.")


WAV_SIZE_UNKNOWN = {0, 0xFFFFFFFF}  # what streaming writers put in a header before the length is known
WAV_SIZE_PLACEHOLDER = 0x7FFFF000  # SoX's (MS_UNSPEC) for output into a pipe: a size at or above it is no size
MP3_FRAME_SAMPLES = 1152


def incompleteness(raw: Bytes, declared_frames: int, decoded_frames: int) -> str | None:
    """Why a decodable recording (the bytes ``raw``) is not whole (None when nothing says so): fewer samples decoded
    than its header declares; a WAV whose RIFF or data chunk declares more bytes than the file holds; an Ogg stream
    without its end-of-stream page. The container is told by the file's first bytes, not its name (a WAV named
    .ogg is a WAV)."""
    if decoded_frames < declared_frames - MP3_FRAME_SAMPLES:
        return f"{decoded_frames:,} of the {declared_frames:,} samples its header declares could be decoded"
    container = audio_container(raw)
    if container == "WAV":
        return _wav_shortfall(raw)
    if container == "Ogg":
        last_page = raw.rfind(b"OggS")
        if last_page < 0 or last_page + 5 >= len(raw) or not raw[last_page + 5] & 0x04:
            return "the Ogg stream has no end-of-stream page"
    return None


def _wav_shortfall(raw: Bytes) -> str | None:
    riff_size = int.from_bytes(raw[4:8], "little")
    if _declared(riff_size) and riff_size + 8 > len(raw):
        return f"its header declares {riff_size + 8:,} bytes, the file holds {len(raw):,}"
    if (found := _data_chunk(raw)) is not None:
        at, size = found
        if _declared(size) and at + 8 + size > len(raw):
            return f"its data chunk declares {size:,} bytes, the file holds {len(raw) - at - 8:,}"
    return None


def _data_chunk(raw: Bytes) -> tuple[int, int] | None:
    """Where a RIFF/WAVE file's data chunk starts and the size its header gives (None without one)."""
    at = 12
    while at + 8 <= len(raw):
        chunk, size = raw[at : at + 4], int.from_bytes(raw[at + 4 : at + 8], "little")
        if chunk == b"data":
            return at, size
        at += 8 + size + size % 2
    return None


def _sources(path: Path) -> list[str | io.BytesIO]:
    """What libsndfile is given: the path, or copies of its bytes: each recording of an Ogg or MP3 file joining
    several end to end (libsndfile would read the first alone), or for a WAV whose data chunk says 0 bytes while
    samples follow (a streaming writer's placeholder: libsndfile would read none) a copy whose header says "to the
    end". A file is copied only where it needs to be: an Ogg or MP3 file is mapped to find its recordings, and a WAV too
    long to read is refused unread."""
    with path.open("rb") as file:
        head = file.read(4096)
    container = audio_container(head)
    if container == "WAV":
        found = _data_chunk(head)
        if found is None or found[1] != 0 or found[0] + 8 >= path.stat().st_size:
            return [str(path)]
        streamed = bytearray(path.read_bytes())
        streamed[found[0] + 4 : found[0] + 8] = (0xFFFFFFFF).to_bytes(4, "little")
        return [io.BytesIO(bytes(streamed))]
    if container not in ("Ogg", "MP3"):
        return [str(path)]
    with _bytes_of(str(path)) as raw:
        starts = _ogg_links(raw) if container == "Ogg" else _mp3_files(raw)
        if len(starts) == 1:
            return [str(path)]
        return [io.BytesIO(raw[start:end]) for start, end in _spans(starts, len(raw))]


def _spans(starts: list[int], size: int) -> list[tuple[int, int]]:
    """Each piece's (start, end) from where the pieces start, the last ending at ``size``."""
    return list(zip(starts, [*starts[1:], size], strict=True))


def _ogg_links(raw: Bytes) -> list[int]:
    """Where the streams of a chained Ogg file start, each at its beginning-of-stream page (a damaged page ends the
    walk: the rest stays with the stream it is in)."""
    starts, at, in_headers = [0], 0, True
    while raw[at : at + 4] == b"OggS" and at + 27 <= len(raw):
        begins = bool(raw[at + 5] & 0x02)
        if begins and not in_headers:
            starts.append(at)
        in_headers = begins  # a grouped stream's beginning pages come one after another: one link
        segments = raw[at + 26]
        at += 27 + segments + sum(raw[at + 27 : at + 27 + segments])
    return starts


XING_SEARCH = 40  # the Xing/Info tag follows a frame's 4-byte header and its side information (at most 32 bytes)


def _mp3_files(raw: Bytes) -> list[int]:
    """Where the MP3 files joined in ``raw`` start: each ends where its Xing/Info header's byte count says, when
    another MP3 (an ID3 tag or a frame) starts there; one file, ``raw`` whole, when its header says no length."""
    starts = [0]
    while (end := _mp3_end(raw, starts[-1])) is not None and end < len(raw) and _mp3_starts(raw, end):
        starts.append(end)
    return starts


def _mp3_end(raw: Bytes, at: int) -> int | None:
    """Where the MP3 file starting at ``at`` ends by its Xing/Info header (None without one)."""
    frame = at + _id3_size(raw, at)
    tag = next((found for name in (b"Xing", b"Info") if (found := raw.find(name, frame, frame + XING_SEARCH)) >= 0),
               None)
    if not _mp3_starts(raw, frame) or tag is None:
        return None
    flags = int.from_bytes(raw[tag + 4 : tag + 8], "big")
    size_at = tag + 8 + (4 if flags & 0x01 else 0)  # the frame count comes first when given
    size = int.from_bytes(raw[size_at : size_at + 4], "big") if flags & 0x02 else 0
    return frame + size if size else None


def _mp3_starts(raw: Bytes, at: int) -> bool:
    """Whether an MP3 file (an ID3v2 tag, or a layer III frame's sync bits; not a UTF-16 byte-order mark) starts at
    ``at``."""
    return raw[at : at + 3] == b"ID3" or (at + 1 < len(raw) and raw[at] == 0xFF and raw[at + 1] & 0xE6 == 0xE2)


def audio_container(raw: Bytes) -> str | None:
    """The audio container (WAV, Ogg, FLAC, MP3) that the bytes ``raw`` start with; None for anything else."""
    if raw[:4] == b"RIFF" and raw[8:12] == b"WAVE":
        return "WAV"
    return {b"OggS": "Ogg", b"fLaC": "FLAC"}.get(raw[:4]) or ("MP3" if _mp3_starts(raw, 0) else None)


def _id3_size(raw: Bytes, at: int) -> int:
    """The bytes of the ID3v2 tag at ``at`` (0 without one): 10, the size in 7-bit bytes, and a footer's 10."""
    if raw[at : at + 3] != b"ID3" or at + 10 > len(raw):
        return 0
    size = sum((byte & 0x7F) << (7 * (3 - i)) for i, byte in enumerate(raw[at + 6 : at + 10]))
    return 10 + size + (10 if raw[at + 5] & 0x10 else 0)


def _declared(size: int) -> bool:
    """Whether a WAV header's chunk size is a size, not a streaming writer's placeholder."""
    return size not in WAV_SIZE_UNKNOWN and size < WAV_SIZE_PLACEHOLDER


def is_silent(samples: np.ndarray, threshold_db: float = -50.0) -> bool:
    """True when the loudest 50 ms stays under ``threshold_db`` dBFS (RMS)."""
    frame = SAMPLE_RATE // 20
    usable = samples[: len(samples) // frame * frame].reshape(-1, frame) if len(samples) >= frame else samples[None, :]
    rms = np.sqrt((usable.astype(np.float64) ** 2).mean(axis=1)).max()
    return bool(20 * np.log10(max(rms, 1e-12)) < threshold_db)
