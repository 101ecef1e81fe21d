"""``emotrace.json``: a model directory's description of itself, in one versioned file.

::

    {"format_version": 1,
     "label_schema": {"labels": [...], "groupings": {...}, "neutral_label": "neutral", "intents": [...]},
     "heads": {"num_labels": 28, "with_affect": true, ...},          # the trainable network's head layout
     "thresholds": {"labels": {...}, "groupings": {...}, "satisfaction_temperature": 1.5},
     "provenance": {"base_model": ..., "training_data": [...], "recipe": [...], "commands": [...]},
     "metrics": {"emotions_dev": {...}, ...}}                          # the measured figures

Each section belongs to the module that reads it (:class:`~emotrace.model.labels.LabelSchema`,
:class:`~emotrace.model.decision.Thresholds`, training's network and provenance); this module reads and writes the
file and checks its version. A directory in the previous layout (``labels.json``, ``heads.json``,
``thresholds.json``, ``metrics.json``; emotrace 0.1) still loads, for one release: its files are read as the
sections, with no provenance, and the first write turns it into ``emotrace.json``.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from pathlib import Path
from typing import Any

from emotrace.errors import EmotraceError

CONFIG_FILE = "emotrace.json"
FORMAT_VERSION = 1
INVALID_HINT = 'It needs a "format_version" and a "label_schema" with a "labels" list.'
SECTIONS = ("label_schema", "heads", "thresholds", "provenance", "metrics")  # the order they are written in
# The previous layout: one file per section (read for one release; removed when the directory is next written).
LEGACY_FILES = {"label_schema": "labels.json", "heads": "heads.json", "thresholds": "thresholds.json",
                "metrics": "metrics.json"}


def read_config(directory: Path) -> dict[str, Any]:
    """The sections of ``directory``'s ``emotrace.json`` (or of its previous-layout files), version checked."""
    sections = _read_sections(directory)
    if sections is None:
        raise EmotraceError(
            "E105", f"No {CONFIG_FILE} in {directory}.",
            "Give a model directory written by `emotrace train` (e.g. models/emotrace-minilm-v1).")
    return sections


def update_config(directory: Path, **sections: object) -> None:
    """Write ``sections`` into ``directory``'s ``emotrace.json``, keeping the others (a ``None`` section is
    dropped); a directory in the previous layout is converted on the way."""
    merged = {**dict.fromkeys(SECTIONS), **(_read_sections(directory) or {}), **sections}
    kept = {name: value for name, value in merged.items() if value is not None}
    directory.mkdir(parents=True, exist_ok=True)
    (directory / CONFIG_FILE).write_text(json.dumps({"format_version": FORMAT_VERSION, **kept}, indent=2) + "\n")
    for legacy in LEGACY_FILES.values():
        (directory / legacy).unlink(missing_ok=True)


def _read_sections(directory: Path) -> dict[str, Any] | None:
    """The sections without ``format_version`` (None: neither ``emotrace.json`` nor the previous layout)."""
    path = directory / CONFIG_FILE
    if not path.exists():
        return _read_legacy(directory)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        version = raw.pop("format_version")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise EmotraceError("E106", f"{path} is not a valid model config ({exc!r}).",
                            INVALID_HINT) from exc
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise EmotraceError("E106", f"{path} has format_version {version!r}, not a positive whole number.",
                            INVALID_HINT)
    if version > FORMAT_VERSION:
        raise EmotraceError(
            "E115", f"{path} is format {version}; this emotrace reads format {FORMAT_VERSION} and older.",
            "Upgrade emotrace (pip install -U emotrace) to load this model.")
    return dict(raw)


def _read_legacy(directory: Path) -> dict[str, Any] | None:
    """The previous layout's files as sections (None when the directory has none of them)."""
    found = {name: directory / file for name, file in LEGACY_FILES.items() if (directory / file).exists()}
    if not found:
        return None
    warnings.warn(f"{directory} is in the emotrace 0.1 layout (labels.json, ...); it loads in this release only. "
                  f"Retraining or refitting it writes {CONFIG_FILE}.", FutureWarning, stacklevel=3)
    try:
        return {name: json.loads(path.read_text(encoding="utf-8")) for name, path in found.items()}
    except ValueError as exc:
        raise EmotraceError("E106", f"A model file in {directory} is not valid JSON ({exc}).",
                            INVALID_HINT) from exc


def model_folder(path: Path, overwrite: bool, what: str) -> Path:
    """``path`` as the folder a model will be written into: E026 when it is a file (never replaced, even with
    ``overwrite``), E314 when it already holds files and ``overwrite`` is not given (``what`` replaces them), E028
    when ``overwrite`` would replace a folder that is not a model's (no :data:`CONFIG_FILE`, nor the previous
    layout's) or the working folder (or one holding it)."""
    if path.exists() and not path.is_dir():
        raise EmotraceError("E026", f"{path} is a file, not a model folder.")
    if not (path.is_dir() and any(path.iterdir())):
        return path
    if not overwrite:
        raise EmotraceError("E314", f"{path} already holds files; {what} would replace them.",
                            "Pass --overwrite to replace that model, or choose another --model-dir.")
    if not any((path / name).exists() for name in (CONFIG_FILE, LEGACY_FILES["label_schema"])):
        raise EmotraceError("E028", f"{path} holds files and is not a model folder (no {CONFIG_FILE}); --overwrite "
                                    f"replaces a model only, and {what} would delete them.")
    if path.resolve() in (Path.cwd().resolve(), *Path.cwd().resolve().parents):
        raise EmotraceError("E028", f"{path} is the working folder (or holds it); {what} cannot replace it.",
                            "Choose another --model-dir, or run the command from outside that folder.")
    return path


def model_fingerprint(directory: Path) -> str:
    """A SHA-256 over every file of a model folder (relative path and bytes): another model copied into the same
    folder (sizes and times may match) gives another fingerprint. ~0.1 s for the shipped model."""
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()
