"""Where the shipped model and the shared data live by default (a leaf: importing it loads nothing heavy)."""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path

from emotrace.errors import EmotraceError

REPO_ROOT = Path(__file__).resolve().parents[1]  # a source checkout's root (data and training sources live there)
# the shipped model is package data (emotrace.models): found the same way from a checkout and from a wheel
DEFAULT_MODEL_DIR = Path(str(files("emotrace.models"))) / "emotrace-minilm-v1"
HUB_PREFIX = "hf://"  # a model named on the Hugging Face hub ("hf://org/name"), not a local folder
DEFAULT_DATA_ROOT = REPO_ROOT.parent / "shared" / "data"
CORPUS_DIR = REPO_ROOT / "data" / "customer_service"  # the written customer-service corpus (source checkouts only)
PII_MESSAGES = REPO_ROOT / "data" / "pii" / "messages.jsonl"  # hand-written personal data, for measuring redaction


def existing_file(path: Path, folder_fix: str | None = None, missing_fix: str | None = None) -> Path:
    """``path`` when it is a file; E012 when it is a folder, E006 when nothing is there."""
    if path.is_dir():
        raise EmotraceError("E012", f"{path} is a folder.", folder_fix)
    if not path.is_file():
        raise EmotraceError("E006", f"{path}: no such file.", missing_fix)
    return path


def writable_file(path: Path) -> Path:
    """``path`` when a file can be written there (E516 when it is a folder or its folder is missing or read-only):
    checked before the work whose result it will hold."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        problem = "it is a folder."
    elif not _can_create_in(folder):
        problem = "its folder is missing or not writable."
    elif path.exists() and not os.access(path, os.W_OK):
        problem = "it is read-only."
    else:
        return path
    raise EmotraceError("E516", f"Cannot write {path}: {problem}")


def writable_folder(path: Path, option: str) -> Path:
    """``path`` when a folder can be made there: the nearest folder above it that exists takes a new entry (the
    folders missing between them are made as it is written); E516 naming ``option`` otherwise (a read-only mount,
    another user's folder, a file on the way): checked before the work whose result it will hold."""
    above = next(folder for folder in path.absolute().parents if folder.exists())
    if not _can_create_in(above):
        raise EmotraceError("E516", f"Cannot write {option} {path}: {above} is not a folder this process can write "
                            "in.", f"Give {option} a folder path you can write to.")
    return path


def _can_create_in(folder: Path) -> bool:
    """Whether a file can be made in ``folder``, tried with a temporary file removed at once: ``os.access`` says yes
    to root where the system still refuses (``/proc``)."""
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        return False
    try:
        with tempfile.NamedTemporaryFile(prefix=".emotrace-write-check-", dir=folder):
            pass
    except OSError:
        return False
    return True


def not_the_input(output: Path, source: Path) -> Path:
    """``output`` unless it is the file ``source`` (E518: writing it would replace the input it is made from)."""
    if output.resolve() == source.resolve():
        raise EmotraceError("E518", f"{output} is the input file {source}.")
    return output


@contextmanager
def staged_file(path: Path) -> Iterator[Path]:
    """A temporary file beside ``path`` for the block to write, renamed onto ``path`` when the block ends without an
    error: a write refused midway (a full disk) leaves an existing ``path`` as it was, and no temporary file."""
    staged = path.with_name(f".{path.stem}.tmp{path.suffix}")  # its suffix kept: a table's format is read from it
    try:
        yield staged
        os.replace(staged, path)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise


def write_refused(path: Path, exc: OSError, kept: str = "") -> EmotraceError:
    """E516 for a write of ``path`` the system refused: where the disk is full or a size limit met, that fix, ending
    with ``kept`` (what a rerun keeps, e.g. a batch's finished chunks)."""
    full = exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)
    return EmotraceError("E516", f"Cannot write {path} ({exc.strerror or exc}).",
                         f"Free space on its disk (or lift the file size limit), then run the command again{kept}."
                         if full else None)


def write_text_file(path: Path, text: str, kept: str = "") -> None:
    """Write ``text`` (UTF-8) to ``path``, whole or not at all (:func:`staged_file`); E516 when the system refuses
    (:func:`write_refused`, its fix ending with ``kept``)."""
    try:
        with staged_file(path) as staged:
            staged.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise write_refused(path, exc, kept) from None


def with_default_mode(path: Path) -> Path:
    """``path`` given the permissions a new file gets under the process's umask (0644 as usual): safetensors writes
    0600, which a service running as another user could not read."""
    umask = os.umask(0)
    os.umask(umask)
    path.chmod(0o666 & ~umask)
    return path


@contextmanager
def staged_folder(folder: Path) -> Iterator[Path]:
    """A folder of ``folder``'s name, assembled beside it, renamed into place when the block ends without an error
    (an existing ``folder`` is replaced only then); left out, with nothing else touched, when the block fails."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{folder.name}.staging-", dir=folder.parent))
    try:
        staged = work / "new" / folder.name  # a model card is titled by its folder's name
        staged.parent.mkdir()
        yield staged
        if folder.exists():
            folder.rename(work / "replaced")
        staged.rename(folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def outside_of(folder: Path, source: Path) -> Path:
    """``folder`` unless it lies inside the folder ``source`` (E030: a copy of ``source`` assembled there would copy
    itself into itself, again and again); checked before anything is read or copied."""
    if source.resolve() in folder.resolve().parents:
        raise EmotraceError("E030", f"{folder} is inside {source}, the model it would be a copy of.",
                            "Choose a --model-dir outside the --from-model folder.")
    return folder


@contextmanager
def staged_copy(source: Path, folder: Path) -> Iterator[Path]:
    """A copy of the folder ``source`` as the :func:`staged_folder` of ``folder``, to change before it is renamed into
    place (E030, before anything is copied, where ``folder`` lies inside ``source``)."""
    outside_of(folder, source)
    with staged_folder(folder) as staged:
        shutil.copytree(source, staged)
        yield staged
