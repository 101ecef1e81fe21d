"""Loading call audio (WAV, FLAC, MP3, OGG) with clear errors for corrupt, unsupported or too long files."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from emotrace.errors import EmotraceError

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
    read, is too long, or has more channels or a sample rate no recording has, before decoding it."""
    if path.suffix.lower() not in AUDIO_SUFFIXES:
        raise EmotraceError("E701", f"Unsupported audio format '{path.suffix}' ({path}).",
                            "Use WAV, FLAC, MP3 or OGG.")
    source = _readable(path)
    try:
        info = sf.info(source)
        _check_layout(path, info.channels, info.samplerate, info.frames)
        if info.duration > max_seconds:
            raise EmotraceError("E702", f"{path} lasts {info.duration:.0f} s, over the limit of {max_seconds:.0f} s.",
                                "Split the recording or raise EMOTRACE_MAX_AUDIO_SECONDS.")
        if isinstance(source, io.BytesIO):
            source.seek(0)
        data, rate = sf.read(source, dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, ValueError) as exc:
        raise EmotraceError("E703", f"{path} is not readable audio ({exc}).",
                            "The file may be corrupt or truncated; re-export it.") from None
    if problem := incompleteness(path, info.frames, len(data)):
        raise EmotraceError("E705", f"{path} is incomplete: {problem}.",
                            "The file was cut short or damaged in transfer; send the whole recording.")
    if data.size == 0:
        raise EmotraceError("E704", f"{path} holds no audio samples.", "Check the recording.")
    _check_finite(path, data, rate)
    channels = data.T
    if rate != SAMPLE_RATE:
        divisor = np.gcd(int(rate), SAMPLE_RATE)
        from scipy.signal import resample_poly  # here, not at import: reading text never pays for scipy.signal

        channels = resample_poly(channels, SAMPLE_RATE // divisor, int(rate) // divisor, axis=1).astype(np.float32)
    return Audio(np.ascontiguousarray(channels, dtype=np.float32), channels.shape[1] / SAMPLE_RATE)


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


def incompleteness(path: Path, declared_frames: int, decoded_frames: int) -> str | None:
    """Why a decodable file is not the whole recording (None when nothing says so): fewer samples decoded than
    its header declares; a WAV whose RIFF or data chunk declares more bytes than the file holds; an Ogg stream
    without its end-of-stream page. The container is told by the file's first bytes, not its name (a WAV named
    .ogg is a WAV)."""
    if decoded_frames < declared_frames - MP3_FRAME_SAMPLES:
        return f"{decoded_frames:,} of the {declared_frames:,} samples its header declares could be decoded"
    raw = path.read_bytes()
    if raw[:4] == b"RIFF" and raw[8:12] == b"WAVE":
        return _wav_shortfall(raw)
    if raw[:4] == b"OggS":
        last_page = raw.rfind(b"OggS")
        if last_page < 0 or last_page + 5 >= len(raw) or not raw[last_page + 5] & 0x04:
            return "the Ogg stream has no end-of-stream page"
    return None


def _wav_shortfall(raw: bytes) -> str | None:
    riff_size = int.from_bytes(raw[4:8], "little")
    if _declared(riff_size) and riff_size + 8 > len(raw):
        return f"its header declares {riff_size + 8:,} bytes, the file holds {len(raw):,}"
    if (found := _data_chunk(raw)) is not None:
        at, size = found
        if _declared(size) and at + 8 + size > len(raw):
            return f"its data chunk declares {size:,} bytes, the file holds {len(raw) - at - 8:,}"
    return None


def _data_chunk(raw: bytes) -> tuple[int, int] | None:
    """Where a RIFF/WAVE file's data chunk starts and the size its header gives (None without one)."""
    at = 12
    while at + 8 <= len(raw):
        chunk, size = raw[at : at + 4], int.from_bytes(raw[at + 4 : at + 8], "little")
        if chunk == b"data":
            return at, size
        at += 8 + size + size % 2
    return None


def _readable(path: Path) -> str | io.BytesIO:
    """What libsndfile is given: the path, or for a WAV whose data chunk says 0 bytes while samples follow (a
    streaming writer's placeholder: libsndfile would read none) a copy whose header says "to the end"."""
    with path.open("rb") as file:
        head = file.read(4096)
    found = _data_chunk(head) if head[:4] == b"RIFF" and head[8:12] == b"WAVE" else None
    if found is None or found[1] != 0 or found[0] + 8 >= path.stat().st_size:
        return str(path)
    raw = bytearray(path.read_bytes())
    raw[found[0] + 4 : found[0] + 8] = (0xFFFFFFFF).to_bytes(4, "little")
    return io.BytesIO(bytes(raw))


def _declared(size: int) -> bool:
    """Whether a WAV header's chunk size is a size, not a streaming writer's placeholder."""
    return size not in WAV_SIZE_UNKNOWN and size < WAV_SIZE_PLACEHOLDER


def is_silent(samples: np.ndarray, threshold_db: float = -50.0) -> bool:
    """True when the loudest 50 ms stays under ``threshold_db`` dBFS (RMS)."""
    frame = SAMPLE_RATE // 20
    usable = samples[: len(samples) // frame * frame].reshape(-1, frame) if len(samples) >= frame else samples[None, :]
    rms = np.sqrt((usable.astype(np.float64) ** 2).mean(axis=1)).max()
    return bool(20 * np.log10(max(rms, 1e-12)) < threshold_db)
