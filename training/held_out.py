"""The held-out test split of a user's labelled file (``emotrace train --data``, ``emotrace adapt``): rows set aside by
a stable hash of the text before anything is fitted (as the written corpus splits its rows), scored apart from the
rows that train, tune, stop early or cross-validate, with a warning where there are too few to trust."""

from __future__ import annotations

from emotrace.model.reports import ModelReport
from emotrace.training.data import split_key, stable_bucket

TEST_BUCKET = 9  # of stable_bucket's ten: 10 % of the texts, the same rows in every run (carve_dev's dev is bucket 0)
MIN_ROWS = 30
MIN_PER_LABEL = 5


def is_held_out(text: str) -> bool:
    """Whether ``text`` belongs to the held-out test split (by its :func:`split_key`)."""
    return stable_bucket(split_key(text)) == TEST_BUCKET


def trust_warning(rows: int, per_label: dict[str, int]) -> str | None:
    """Why figures on ``rows`` held-out rows (``per_label``: the rows of each label or class) are too few to trust;
    None when they are enough."""
    few = [f"{name} ({count})" for name, count in per_label.items() if count < MIN_PER_LABEL]
    reasons = ([f"{rows} rows (under {MIN_ROWS})"] if rows < MIN_ROWS else []) + (
        [f"fewer than {MIN_PER_LABEL} rows of {', '.join(few)}"] if few else [])
    return f"too small to trust: {'; '.join(reasons)}" if reasons else None


# Where no text fell in the held-out split (about 1 in 10 does): a small file, or one split before by this same hash.
NO_HELD_OUT_ROWS = "held-out test split: no rows (none of the file's texts fell in it; about 1 in 10 does)"


def held_out_summary(report: ModelReport | None) -> str:
    """The held-out figures of ``train --data`` in a sentence (``report``: None when the split has no rows), with the
    warning where they are too few to trust."""
    if report is None:
        return NO_HELD_OUT_ROWS
    support = {name: row["support"] for name, row in report["per_label"].items()}
    present = len(support) - len(report["labels_without_examples"])
    warning = trust_warning(report["n"], support)
    return (f"held-out test split ({report['n']} rows set aside by a stable hash of the text, never trained or tuned "
            f"on): macro-F1 {report['macro_f1']:.4f} over {present} labels present, micro-F1 {report['micro_f1']:.4f}"
            + (f"; {warning}" if warning else ""))
