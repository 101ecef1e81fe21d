"""Reading labelled data: GoEmotions TSV, the user's CSV/JSONL/Parquet, EmoBank, satisfaction sources.

Every reader returns plain Python lists / NumPy arrays; nothing here touches the model.
"""

from __future__ import annotations

import csv
import zlib
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import TextIO

import numpy as np

from emotrace.errors import EmotraceError
from emotrace.model.labelled import LabelledTexts
from emotrace.paths import existing_file
from emotrace.tabular import all_records, cell_text, check_decodable, require_columns, unreadable_row
from emotrace.text.normalize import model_text_key
from emotrace.text.visible import text_problem
from emotrace.wording import and_more, counted, counted_doing


def stable_bucket(key: str, buckets: int = 10) -> int:
    """A bucket in ``range(buckets)`` that depends only on ``key`` (for reproducible splits)."""
    return zlib.crc32(key.encode("utf-8")) % buckets


def split_key(text: str) -> str:
    """What a labelled row is split by: its text case-folded with its spacing collapsed, so copies that differ only so
    land in one split (an all-caps copy too, though the model reads it with a ``shouting`` cue:
    :func:`model_text_key`)."""
    return " ".join(text.casefold().split())


def split_of(key: str) -> str:
    """Deterministic 80/10/10 train/dev/test split by group key."""
    bucket = stable_bucket(key)
    return "train" if bucket < 8 else ("dev" if bucket == 8 else "test")


def read_goemotions_tsv(path: Path, labels: Sequence[str], encoding: str = "utf-8") -> LabelledTexts:
    """Read a GoEmotions-format TSV (text, comma-separated label ids, comment id; no header): E004 where it is not
    valid ``encoding``, E514 at a line the reader cannot read, E511 naming lines whose text is :func:`unreadable`."""
    check_decodable(path, encoding)
    texts: list[str] = []
    rows: list[list[int]] = []
    unreadable_lines: list[int] = []
    with path.open(encoding=encoding, newline="") as handle:
        for line_no, row in _tsv_rows(path, handle):
            if not any(cell.strip() for cell in row):  # a blank line (a trailing one too): no row, as in CSV/JSONL
                continue
            if len(row) < 2:
                raise EmotraceError(
                    "E201", f"{path}:{line_no} has {len(row)} column(s), expected text<TAB>label ids.",
                    "Use the GoEmotions TSV layout, or a CSV/JSONL with --text-column/--label-column.",
                )
            try:
                ids = [int(x) for x in row[1].split(",")]
            except ValueError as exc:
                raise EmotraceError(
                    "E202", f"{path}:{line_no}: label ids '{row[1]}' are not integers.",
                    "The second column holds comma-separated label ids (0-based).",
                ) from exc
            bad = [i for i in ids if not 0 <= i < len(labels)]
            if bad:
                raise EmotraceError(
                    "E203", f"{path}:{line_no}: label ids {bad} are outside 0..{len(labels) - 1}.",
                    "The TSV does not match this model's label set.",
                )
            if unreadable(row[0]):
                unreadable_lines.append(line_no)
            texts.append(row[0])
            rows.append(ids)
    refuse_unreadable_texts(unreadable_lines, path, "text")
    if not texts:
        raise EmotraceError("E513", f"{path} is empty: it holds no rows.")
    return LabelledTexts(texts, _multi_hot(rows, len(labels)), tuple(labels))


def _tsv_rows(path: Path, handle: TextIO) -> Iterator[tuple[int, list[str]]]:
    """The numbered rows of an open TSV; E514 at a line the reader cannot read (a text over the field limit)."""
    reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
    line_no = 0
    try:
        for line_no, row in enumerate(reader, 1):
            yield line_no, row
    except csv.Error as exc:
        raise unreadable_row(path, line_no + 1, str(exc)) from None


def _multi_hot(rows: list[list[int]], width: int) -> np.ndarray:
    out = np.zeros((len(rows), width), dtype=np.float32)
    for i, ids in enumerate(rows):
        out[i, ids] = 1.0
    return out


def read_records(path: Path, encoding: str = "utf-8", required: Sequence[str] = ()) -> list[dict[str, object]]:
    """Rows of a CSV, JSONL or Parquet file (text files in ``encoding``), or of a ``datasets`` dataset saved with
    ``save_to_disk``, with every ``required`` column; the table reader's codes for a file's mistakes."""
    if path.is_dir() and any((path / f).exists() for f in ("dataset_info.json", "dataset_dict.json")):
        import datasets

        dataset = datasets.load_from_disk(str(path))
        if isinstance(dataset, datasets.DatasetDict):
            raise EmotraceError("E215", f"{path} holds several splits: {list(dataset)}.",
                                "Point --data at one split's folder (e.g. PATH/train).")
        if not len(dataset):
            raise EmotraceError("E513", f"{path} is empty: it holds no rows.")
        require_columns(path, dataset.column_names, required)
        return dataset.to_list()
    if path.is_dir():
        raise EmotraceError("E204", f"{path} is a folder, but not a dataset saved with datasets' save_to_disk "
                            "(no dataset_info.json).", "Point --data at a CSV/JSONL/Parquet file or a saved dataset.")
    return all_records(path, encoding, required)


def rows_named(rows: list[int], limit: int = 10) -> str:
    """Row numbers as a message names them: "row 7", "rows 7, 8", "rows 1, ..., 10 and 22 more"."""
    shown = ", ".join(str(r) for r in rows[:limit])
    return ("row " if len(rows) == 1 else "rows ") + shown + and_more(len(rows), limit)


def rows_that(rows: list[int], path: object, have: str) -> str:
    """A message's words for ``rows`` of file ``path`` that have something: "1 row of x.csv has no label (row 7)",
    "2 rows of x.csv have no label (rows 7, 8)" for ``have`` "no label"."""
    return f"{counted(len(rows), 'row')} of {path} {'has' if len(rows) == 1 else 'have'} {have} ({rows_named(rows)})"


def unreadable(text: str) -> bool:
    """Whether a text cell holds nothing a model can read: empty or only invisible characters, or characters no
    UTF-8 text holds (a NUL, a lone UTF-16 surrogate: the tokenizer fails on them)."""
    return text_problem(text) is not None


def any_case(names: Sequence[str]) -> dict[str, str]:
    """Each of ``names`` lower-cased, to its own spelling (the earlier name wins a clash of case): how a label file's
    labels are matched in any case."""
    return {name.lower(): name for name in reversed(names)}


def refuse_unreadable_texts(rows: list[int], path: object, text_column: str) -> None:
    """E511 naming the ``rows`` of ``path`` whose ``text_column`` is :func:`unreadable` (nothing when there are
    none)."""
    if rows:
        raise EmotraceError("E511", f"{rows_that(rows, path, f'an empty or unreadable {text_column!r}')} (nothing "
                                    "visible, a NUL or a lone UTF-16 surrogate).",
                            "Fill the text (as UTF-8) or drop those rows.")


def distinct_rows(path: object, texts: Sequence[str], names: Sequence[Collection[str]]) -> list[int]:
    """The positions of the rows to keep: each text once, as the model reads it (:func:`model_text_key`), at its first
    row, repeats with the same labels (``names``) merged into it; E325 naming the rows (counted from 1) where a text
    repeats with other labels."""
    first: dict[str, int] = {}
    conflicts: dict[str, list[int]] = {}
    keep = []
    for i, (text, labels) in enumerate(zip(texts, names, strict=True)):
        key = model_text_key(text)
        if key not in first:
            first[key] = i
            keep.append(i)
        elif set(labels) != set(names[first[key]]):
            conflicts.setdefault(key, [first[key] + 1]).append(i + 1)
    if conflicts:
        rows = sorted(r for rs in conflicts.values() for r in rs)
        example_key = next(iter(conflicts))
        example = texts[conflicts[example_key][0] - 1]
        raise EmotraceError(
            "E325", f"{counted_doing(len(conflicts), 'text', 'appears', 'appear')} in {path} more than once with "
                    "different labels "
                    f"({rows_named(rows)}; e.g. \"{example[:60]}\" in rows {conflicts[example_key]}).",
            "Give each text one set of labels: merge the conflicting rows into one or drop all but one.")
    return keep


def distinct_labelled_rows(rows: LabelledTexts, path: object) -> tuple[LabelledTexts, int]:
    """``rows`` (a user's file, read in order) with each text once (:func:`distinct_rows`: E325 where a text repeats
    with other labels) and how many repeats were merged."""
    keep = distinct_rows(path, rows.texts, [{rows.labels[j] for j in np.flatnonzero(target)} for target in rows.targets])
    return LabelledTexts([rows.texts[i] for i in keep], rows.targets[keep], rows.labels), len(rows.texts) - len(keep)


def every_row_holds_every_label(targets: np.ndarray) -> bool:
    """Whether each row of ``targets`` ((rows, labels) multi-hot) holds every label: nothing to tell them from (one
    label, or ``anger,joy`` on every row), as ``train --data`` and ``adapt`` both refuse (E323)."""
    return bool(np.asarray(targets).all())


def refuse_one_label(rows: LabelledTexts, path: object) -> None:
    """E323 for a file of one label, or whose every row holds every label (nothing to tell them from), before
    anything is trained or written. (A user's file with a text labelled two ways is refused,
    :func:`distinct_labelled_rows`; the shipped recipe's GoEmotions rows keep such copies: annotators disagree in
    multi-label data, its train split has 64 such texts, in 180 rows.)"""
    if len(rows.labels) < 2 or every_row_holds_every_label(rows.targets):
        one = len(rows.labels) == 1
        raise EmotraceError("E323", f"Every row of {path} is labelled {' and '.join(rows.labels)}: "
                                    f"{'one class only, ' if one else ''}nothing to tell {'it' if one else 'them'} "
                                    "from.", "Label rows of at least two labels, and rows without each label.")


def split_labels(value: object) -> list[str]:
    """Label names of one cell: comma- (or semicolon-) separated text, or a list."""
    if isinstance(value, list):
        return [name for name in (cell_text(v).strip() for v in value) if name]
    return [part.strip() for part in cell_text(value).replace(";", ",").split(",") if part.strip()]


def read_labelled_records(path: Path, text_column: str, label_column: str,
                          labels: Sequence[str] | None = None, encoding: str = "utf-8",
                          none_allowed: bool = False, what: str = "label") -> LabelledTexts:
    """Read a CSV/JSONL/Parquet file with a text column and a label column.

    The label column holds one label name, or several separated by commas (or a JSON list). With
    ``labels`` given, every label must be one of them, in any case ("Joy" is "joy"); otherwise the label set is what
    the file holds. An empty
    cell is an error (E209), or with ``none_allowed`` a row holding none of the labels (intents: most rows state
    none); ``what`` names the labels in messages.
    """
    records = read_records(path, encoding, (text_column, label_column))
    texts, label_rows, empty_rows, empty_texts = [], [], [], []
    spelling = any_case(labels or ())  # a model's labels match in any case
    for row_no, record in enumerate(records, 1):
        names = [spelling.get(name.lower(), name) for name in split_labels(record.get(label_column))]
        if not names and not none_allowed:
            empty_rows.append(row_no)
            continue
        texts.append(cell_text(record.get(text_column)))
        label_rows.append(names)
        if unreadable(texts[-1]):
            empty_texts.append(row_no)
    refuse_unreadable_texts(empty_texts, path, text_column)
    if empty_rows:
        raise EmotraceError(
            "E209", f"{rows_that(empty_rows, path, 'no label')}.",
            "Label every row or remove the unlabelled ones.",
        )
    if labels is None:
        _refuse_case_variants(path, label_rows)
    label_set = tuple(labels) if labels is not None else tuple(sorted({n for r in label_rows for n in r}))
    index = {name: i for i, name in enumerate(label_set)}
    unseen = sorted({n for r in label_rows for n in r} - set(index))
    if unseen:
        rows = [i for i, r in enumerate(label_rows, 1) if set(r) - set(index)]
        raise EmotraceError(
            "E210", f"{what.capitalize()}s {unseen[:10]}{and_more(len(unseen), 10)} in {path} ({rows_named(rows)}) are "
                    f"not in the model's {what} set.",
            f"The model knows: {list(label_set)}." + (" Retrain with your labels (emotrace train)." if what == "label"
                                                      else f" Names as written there; an empty cell is no {what}."),
        )
    return LabelledTexts(texts, _multi_hot([[index[n] for n in r] for r in label_rows], len(label_set)),
                         label_set)


def _refuse_case_variants(path: Path, label_rows: list[list[str]]) -> None:
    """E221 when the file writes one label in several cases ("Joy" and "joy"), naming them and their rows."""
    spellings: dict[str, set[str]] = {}
    for names in label_rows:
        for name in names:
            spellings.setdefault(name.lower(), set()).add(name)
    variants = sorted(sorted(names) for names in spellings.values() if len(names) > 1)
    if variants:
        first = set(variants[0])
        rows = [i for i, names in enumerate(label_rows, 1) if first & set(names)]
        raise EmotraceError("E221", f"{path} writes labels in more than one case: "
                            f"{'; '.join(' and '.join(repr(n) for n in v) for v in variants[:5])} "
                            f"({rows_named(rows)} for the first).")


def read_labelled_file(path: Path, labels: Sequence[str], text_column: str = "text",
                       label_column: str = "labels", encoding: str = "utf-8") -> LabelledTexts:
    """Read a GoEmotions TSV or a CSV/JSONL/Parquet file labelled with ``labels``."""
    if path.suffix.lower() == ".tsv":
        return read_goemotions_tsv(existing_file(path), labels, encoding)
    return read_labelled_records(path, text_column, label_column, labels, encoding)


def read_emobank(path: Path, split: str) -> tuple[list[str], np.ndarray]:
    """EmoBank rows of ``split`` as texts and (valence in [-1, 1], arousal in [0, 1]) targets."""
    texts, targets = [], []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["split"] == split and row["text"].strip():
                texts.append(row["text"])
                targets.append([(float(row["V"]) - 3.0) / 2.0, (float(row["A"]) - 1.0) / 4.0])
    return texts, np.asarray(targets, dtype=np.float32)
