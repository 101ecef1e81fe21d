"""Turning probabilities into decisions: per-label thresholds, grouped views, threshold tuning.

Pure NumPy, shared by the runtime, threshold tuning and evaluation, so all three apply one rule:
a label fires when its probability reaches its threshold; when none does, the label that comes
closest (highest probability / threshold) fires, since every text shows at least one emotion or neutral.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import numpy as np

from emotrace.errors import EmotraceError
from emotrace.model.config import CONFIG_FILE, read_config, update_config
from emotrace.model.labels import LabelSchema

# Thresholds below 0.1 win dev F1 for the rarest labels (grief, pride, relief have a handful of dev rows)
# but fire on much unrelated customer text, so the grid starts at 0.1.
GRID = np.round(np.arange(0.10, 0.96, 0.01), 2)


def decide(probabilities: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Boolean (n, k) decisions: over threshold, else the single closest label."""
    fired = probabilities >= thresholds
    empty = ~fired.any(axis=1)
    if empty.any():
        closest = np.argmax(probabilities[empty] / thresholds, axis=1)
        fired[np.flatnonzero(empty), closest] = True
    return fired


def group_matrix(schema: LabelSchema, grouping: str) -> np.ndarray:
    """(labels, groups) 0/1 matrix: which label belongs to which group."""
    groups = schema.group_members(grouping)
    index = {label: i for i, label in enumerate(schema.labels)}
    matrix = np.zeros((len(schema.labels), len(groups)), dtype=np.float32)
    for j, members in enumerate(groups.values()):
        matrix[[index[m] for m in members], j] = 1.0
    return matrix


def group_probabilities(probabilities: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """A group's probability is its most probable member's."""
    return np.asarray(np.max(probabilities[:, :, None] * matrix[None, :, :], axis=1))


def group_targets(targets: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Multi-hot gold labels of the groups (a text is in a group when any member label is gold)."""
    return np.asarray(targets @ matrix > 0, dtype=np.float32)


def tune_thresholds(probabilities: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Per column, the grid threshold with the best F1 on these (dev) rows."""
    best = np.full(probabilities.shape[1], 0.5)
    for j in range(probabilities.shape[1]):
        gold = targets[:, j] > 0
        if not gold.any():
            continue
        pred = probabilities[:, j][:, None] >= GRID[None, :]
        tp = (pred & gold[:, None]).sum(axis=0)
        f1 = 2 * tp / (pred.sum(axis=0) + gold.sum())
        best[j] = GRID[int(np.argmax(f1))]
    return best


@dataclass
class Thresholds:
    """Decision thresholds for the labels and for each grouping's groups (default 0.5)."""

    labels: dict[str, float] = field(default_factory=dict)
    groupings: dict[str, dict[str, float]] = field(default_factory=dict)
    satisfaction_temperature: float = 1.0

    def for_labels(self, names: list[str] | tuple[str, ...]) -> np.ndarray:
        """Thresholds of ``names`` in that order."""
        return np.array([self.labels.get(n, 0.5) for n in names], dtype=np.float32)

    def for_grouping(self, grouping: str, names: list[str]) -> np.ndarray:
        """Thresholds of one grouping's groups in the order ``names``."""
        values = self.groupings.get(grouping, {})
        return np.array([values.get(n, 0.5) for n in names], dtype=np.float32)

    def save(self, directory: Path) -> None:
        """Write the thresholds into ``directory``'s ``emotrace.json``."""
        update_config(directory, thresholds={"labels": self.labels, "groupings": self.groupings,
                                             "satisfaction_temperature": self.satisfaction_temperature})

    @classmethod
    def load(cls, directory: Path, schema: LabelSchema) -> Thresholds:
        """Read a model directory's thresholds (all 0.5 when it has none) and check them against the label set."""
        raw = read_config(directory).get("thresholds") or {}
        _check_thresholds(directory / CONFIG_FILE, raw)
        unknown = sorted(set(raw.get("labels", {})) - set(schema.labels))
        if unknown:
            raise EmotraceError(
                "E107", f"{directory / CONFIG_FILE} has thresholds for labels the model lacks: {unknown}.",
                "The thresholds belong to another model: re-tune them or restore the model's own file.",
            )
        _check_groups(directory / CONFIG_FILE, raw.get("groupings", {}), schema)
        return cls(raw.get("labels", {}), raw.get("groupings", {}), raw.get("satisfaction_temperature", 1.0))


def _check_groups(path: Path, groupings: dict[str, dict[str, float]], schema: LabelSchema) -> None:
    """E107 for thresholds of a grouping (or view) the model lacks, or of a group not in it: a misspelt one was
    ignored, and its view decided at 0.5 instead of its tuned thresholds."""
    known = {view: set(names) for view, names in schema.view_groups().items()}
    for grouping, groups in groupings.items():
        if grouping not in known:
            raise EmotraceError("E107", f"{path} has thresholds for a grouping the model lacks: {grouping!r} (it has "
                                        f"{sorted(known)}).", "Re-tune the thresholds or restore the model's own file.")
        if unknown := sorted(set(groups) - known[grouping]):
            raise EmotraceError("E107", f"{path} has {grouping} thresholds for groups the model lacks: {unknown}.",
                                "Re-tune the thresholds or restore the model's own file.")


def _check_thresholds(path: Path, raw: object) -> None:
    """E106 unless ``raw`` is a thresholds section: label and group thresholds numbers in [0, 1], a positive finite
    temperature (a NaN threshold fired its label on every text nothing else reached; a temperature of 0 read every
    satisfaction as NaN)."""
    def refuse(what: str) -> NoReturn:
        raise EmotraceError("E106", f"{path}: thresholds {what}.", "Re-tune the thresholds (emotrace train --recipe "
                                                                   "heads) or restore the model's own file.")

    if not isinstance(raw, dict):
        refuse("is not an object")
    sections = [("labels", raw.get("labels") or {})]
    groupings = raw.get("groupings") or {}
    if not isinstance(groupings, dict):
        refuse("'groupings' is not an object")
    sections += [(f"groupings.{name}", values) for name, values in groupings.items()]
    for where, values in sections:
        if not isinstance(values, dict):
            refuse(f"{where!r} is not an object")
        for name, value in values.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                refuse(f"{where}.{name} is {value!r}, not a number from 0 to 1")
    temperature = raw.get("satisfaction_temperature", 1.0)
    if isinstance(temperature, bool) or not isinstance(temperature, int | float) or not 0 < temperature < math.inf:
        refuse(f"satisfaction_temperature is {temperature!r}, not a positive number")
