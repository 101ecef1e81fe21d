"""One emotion reading of one text: what the classifier returns and the scoring layer consumes."""

from __future__ import annotations

from dataclasses import dataclass

from emotrace.model.aspects import Aspect


@dataclass(frozen=True)
class GroupedView:
    """Probabilities over the groups of one grouping (Ekman, sentiment) and the groups that fire."""

    probabilities: dict[str, float]
    labels: list[str]


@dataclass(frozen=True)
class Reading:
    """Everything the model says about one text.

    ``valence`` lies in [-1, 1], ``arousal`` in [0, 1]; ``satisfaction_score`` is
    P(satisfied) - P(dissatisfied) in [-1, 1]. Heads the model lacks read as ``None``. ``aspects``: each topic of
    the message with its own satisfaction (empty without a topic view).
    """

    text: str
    probabilities: dict[str, float]
    labels: list[str]
    views: dict[str, GroupedView]
    valence: float | None
    arousal: float | None
    satisfaction: dict[str, float] | None
    satisfaction_score: float | None
    chunks: int = 1
    language: str = "en"  # ISO 639-1 code (emotrace.text.language)
    warnings: tuple[str, ...] = ()
    aspects: tuple[Aspect, ...] = ()

    @property
    def top_label(self) -> str:
        """The most probable of the labels that fire (a label more probable that misses its own, higher threshold is
        not the reading's top label)."""
        return max(self.labels or self.probabilities, key=self.probabilities.__getitem__)

    @property
    def satisfaction_class(self) -> str | None:
        """The most probable satisfaction class, or None when the model has no satisfaction head."""
        if self.satisfaction is None:
            return None
        return max(self.satisfaction, key=self.satisfaction.__getitem__)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict (probabilities rounded to 4 decimals). Built field by field: ``asdict`` deep-copies
        and was the largest cost of an HTTP answer."""
        return {
            "text": self.text, "probabilities": _rounded(self.probabilities), "labels": list(self.labels),
            "views": {name: {"probabilities": _rounded(view.probabilities), "labels": list(view.labels)}
                      for name, view in self.views.items()},
            "valence": _round(self.valence), "arousal": _round(self.arousal),
            "satisfaction": None if self.satisfaction is None else _rounded(self.satisfaction),
            "satisfaction_score": _round(self.satisfaction_score), "satisfaction_class": self.satisfaction_class,
            "chunks": self.chunks,
            "language": self.language, "warnings": list(self.warnings),
            "aspects": [aspect.to_dict() for aspect in self.aspects],
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _rounded(probabilities: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 4) for k, v in probabilities.items()}
