"""``emotrace train --mapping``: each of the user's own labels to its Ekman group, sentiment group and satisfaction
leaning, as the label schema's groupings.

The mapping is a CSV (any table file :mod:`emotrace.tabular` reads) with the columns ``label``, ``ekman`` (anger,
disgust, fear, joy, sadness, surprise or neutral), ``sentiment`` (positive, negative, ambiguous or neutral) and
``satisfaction`` (dissatisfied, neutral or satisfied), one row per label of the training data. A group's probability
is then its most probable member label's, as for the 28 labels without group heads.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from emotrace.errors import EmotraceError
from emotrace.model.labels import (
    EKMAN_GROUPS,
    NEUTRAL_GROUP,
    SATISFACTION_CLASSES,
    SATISFACTION_LEANING,
    SENTIMENT_GROUPS,
)
from emotrace.tabular import all_records, cell_text

# mapping column -> (the grouping it fills, its groups in order)
MAPPING_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "ekman": ("ekman", (*EKMAN_GROUPS, NEUTRAL_GROUP)),
    "sentiment": ("sentiment", (*SENTIMENT_GROUPS, NEUTRAL_GROUP)),
    "satisfaction": (SATISFACTION_LEANING, SATISFACTION_CLASSES),
}


def read_label_mapping(path: Path, labels: Sequence[str], neutral_label: str | None,
                       encoding: str = "utf-8") -> dict[str, dict[str, tuple[str, ...]]]:
    """The groupings (Ekman, sentiment, satisfaction leaning) that ``path`` maps ``labels`` to; the neutral label is
    left to the schema, which puts it in each neutral group. E216-E219 name the rows or labels at fault."""
    records = all_records(path, encoding, ("label", *MAPPING_COLUMNS))
    rows: dict[str, list[int]] = defaultdict(list)
    for row_no, record in enumerate(records, 1):
        rows[cell_text(record["label"]).strip()].append(row_no)
    unknown = {label: numbers for label, numbers in rows.items() if label not in labels}
    if unknown:
        raise EmotraceError("E216", f"{path} maps labels the data does not have: {sorted(unknown)} (rows "
                            f"{sorted(n for numbers in unknown.values() for n in numbers)[:10]}).",
                            f"The data's labels: {list(labels)}.")
    missing = [label for label in labels if label not in rows]
    if missing:
        raise EmotraceError("E217", f"{path} does not map the labels {missing}.",
                            f"Add a row for each: label,{','.join(MAPPING_COLUMNS)}.")
    twice = sorted(n for numbers in rows.values() if len(numbers) > 1 for n in numbers)
    if twice:
        raise EmotraceError("E219", f"{path} maps a label more than once (rows {twice[:10]}).",
                            "Give each label one row.")
    return _groupings(path, records, neutral_label)


def _groupings(path: Path, records: list[dict[str, object]],
               neutral_label: str | None) -> dict[str, dict[str, tuple[str, ...]]]:
    """The groupings of checked rows (E218 for a group no grouping has, or a neutral label mapped elsewhere)."""
    members: dict[str, dict[str, list[str]]] = {grouping: {g: [] for g in groups}
                                                for grouping, groups in MAPPING_COLUMNS.values()}
    bad: list[int] = []
    for row_no, record in enumerate(records, 1):
        label = cell_text(record["label"]).strip()
        for column, (grouping, groups) in MAPPING_COLUMNS.items():
            group = cell_text(record[column]).strip().lower()
            if group not in groups or (label == neutral_label and group != NEUTRAL_GROUP):
                bad.append(row_no)
            elif label != neutral_label:
                members[grouping][group].append(label)
    if bad:
        allowed = "; ".join(f"{column}: {', '.join(groups)}" for column, (_, groups) in MAPPING_COLUMNS.items())
        raise EmotraceError("E218", f"{path} has unknown groups, or the neutral label mapped elsewhere than neutral "
                            f"(rows {sorted(set(bad))[:10]}).", f"Use {allowed}.")
    return {grouping: {g: tuple(names) for g, names in groups.items() if names} for grouping, groups in members.items()}
