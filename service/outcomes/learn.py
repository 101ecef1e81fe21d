"""Outcome models learnt from the user's own labels: for each outcome kind with enough labels, the probability that
it happens, from the customer's emotional profile as of a cut-off (:mod:`emotrace.scoring.profile`).

- Customer events (churned, renewed, upgraded, complaint escalated) are learnt from weekly snapshots: at each
  snapshot every active customer is an example, labelled by whether the event follows within the horizon.
- Conversation ratings (CSAT 1-2, not resolved) are learnt from each rating, with the profile as of its date.

A model is a regularised logistic regression on standardised features (its probabilities are fit by likelihood,
checked by Brier score and calibration error out of sample). Cross-validation is time-ordered: every fold is
scored by a model trained on earlier examples only. A model that does not beat the baselines, the current score
alone, the contact count alone and the base rate alone, is not shipped: it must rank better (AUC at least 0.01
higher, and 1.96 standard errors above chance) without worse probabilities (Brier score at most 5 % above the best
baseline's and below the base rate's; calibration error at most 0.1). A shipped model is a small JSON file: serving
needs no scikit-learn, and each prediction names the features that drove it.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from scipy.special import expit

from emotrace.errors import EmotraceError
from emotrace.paths import staged_folder
from emotrace.scoring.profile import PROFILE_FEATURES, profile_at
from emotrace.scoring.rules import ScoringRules
from emotrace.scoring.timeline import CUSTOMER, Signal
from emotrace.wording import counted

EVENTS = ("churned", "renewed", "upgraded", "complaint_escalated")
TARGETS = {"churned": "churns within the horizon", "renewed": "renews within the horizon",
           "upgraded": "upgrades within the horizon", "complaint_escalated": "escalates a complaint within the horizon",
           "csat": "rates the conversation 1-2 (CSAT)", "resolved": "the conversation is not resolved"}
BASE_RATE = "base rate alone"  # every example given the positive share of the examples before its fold
BASELINES = {"score alone": ("score",), "contact count alone": ("contacts_30d",), BASE_RATE: ()}
MODEL_SUFFIX = ".json"
REGULARISATION = 0.01  # inverse L2 strength: the profile features are correlated (score, valence, satisfaction)
Z_CLIP = 3.0
MIN_AUC_GAIN = 0.01  # over the best baseline, out of sample
MAX_BRIER_EXCESS = 1.05  # the model's Brier score may be at most this multiple of the best baseline's
MIN_AUC_Z = 1.96  # its AUC this many standard errors above 0.5 (Hanley & McNeil): ranking better than chance
MAX_CALIBRATION_ERROR = 0.1  # out of sample: a shipped model's probabilities are read as probabilities


@dataclass(frozen=True)
class FitOptions:
    """How examples are drawn and when a kind has enough of them."""

    horizon_days: float = 30.0
    step_days: float = 7.0
    min_labels: int = 20  # of each class
    folds: int = 5
    history_days: float = 30.0  # a snapshot needs this much history before it


@dataclass(frozen=True)
class OutcomeRecord:
    """A stored outcome as the learner reads it."""

    customer_id: str
    kind: str
    at: datetime
    value: float | None


@dataclass(frozen=True)
class Example:
    """One labelled example: a customer's profile as of ``at`` and whether the target followed."""

    customer_id: str
    at: datetime
    label: int
    features: dict[str, float]


def event_examples(signals: dict[str, list[Signal]], outcomes: Sequence[OutcomeRecord], kind: str,
                   rules: ScoringRules, options: FitOptions) -> list[Example]:
    """Snapshot examples for a customer event: at each snapshot, each customer with a message before it and no
    such event yet, labelled 1 when the event happens within the horizon after it."""
    first_event: dict[str, datetime] = {}
    for o in outcomes:
        if o.kind == kind:
            first_event[o.customer_id] = min(o.at, first_event.get(o.customer_id, o.at))
    times = [s.timestamp for found in signals.values() for s in found]
    if not times:
        return []
    horizon = timedelta(days=options.horizon_days)
    snapshot, end = min(times) + timedelta(days=options.history_days), max([*times, *first_event.values()]) - horizon
    examples = []
    while snapshot <= end:
        for customer_id, found in signals.items():
            event = first_event.get(customer_id)
            if (event is not None and event <= snapshot) or not any(
                    s.speaker == CUSTOMER and s.timestamp <= snapshot for s in found):
                continue
            label = int(event is not None and event <= snapshot + horizon)
            examples.append(Example(customer_id, snapshot, label, profile_at(found, snapshot, rules)))
        snapshot += timedelta(days=options.step_days)
    return examples


def rating_examples(signals: dict[str, list[Signal]], outcomes: Sequence[OutcomeRecord], kind: str,
                    rules: ScoringRules) -> list[Example]:
    """One example per rating of ``kind`` (csat: labelled 1 for 1-2; resolved: 1 for not resolved), with the
    customer's profile as of the rating's date."""
    def bad(value: float) -> bool:
        return value <= 2 if kind == "csat" else value == 0

    return [Example(o.customer_id, o.at, int(bad(o.value or 0.0)),
                    profile_at(signals.get(o.customer_id, []), o.at, rules))
            for o in outcomes if o.kind == kind and o.value is not None]


@dataclass
class OutcomeModel:
    """A fitted logistic model over standardised profile features, with its cross-validated figures."""

    kind: str
    features: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    figures: dict[str, object] = field(default_factory=dict)

    def _z(self, features: dict[str, float]) -> np.ndarray:
        return standardised(np.array([features[name] for name in self.features]), np.array(self.mean),
                            np.array(self.scale))

    def probability(self, features: dict[str, float]) -> float:
        """P(target) for one profile."""
        return float(expit(float(self._z(features) @ np.array(self.coef)) + self.intercept))

    def contributions(self, features: dict[str, float], top: int = 3) -> list[tuple[str, float]]:
        """The features that moved this prediction most (coefficient x standardised value), strongest first."""
        parts = self._z(features) * np.array(self.coef)
        order = np.argsort(-np.abs(parts))[:top]
        return [(self.features[i], round(float(parts[i]), 3)) for i in order]

    def ranked_features(self) -> list[str]:
        """The features by the size of their coefficient, strongest first."""
        return [name for _, name in sorted(zip([-abs(c) for c in self.coef], self.features, strict=True))]

    def save(self, directory: Path) -> None:
        """Write ``<kind>.json`` into ``directory``."""
        directory.mkdir(parents=True, exist_ok=True)
        (directory / f"{self.kind}{MODEL_SUFFIX}").write_text(json.dumps(asdict(self), indent=2) + "\n")


def load_outcome_models(directory: Path) -> dict[str, OutcomeModel]:
    """Every outcome model in ``directory`` (written by ``emotrace outcomes fit``), by kind."""
    if not directory.is_dir():
        raise EmotraceError("E804", f"No outcome models in {directory}.", "Run `emotrace outcomes fit` first, or unset "
                            "EMOTRACE_OUTCOME_MODEL_DIR.")
    return {path.stem: OutcomeModel(**json.loads(path.read_text())) for path in sorted(directory.glob("*.json"))
            if path.stem in TARGETS}


def standardised(x: np.ndarray, mean: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Features in standard deviations from the training mean, clipped to +-3 (one extreme value, e.g. a year
    without contact, must not dominate a prediction)."""
    clipped: np.ndarray = np.clip((x - mean) / scale, -Z_CLIP, Z_CLIP)
    return clipped


def fitted_scale(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each column's mean and standard deviation (1 for a column constant up to rounding: it carries nothing)."""
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    return mean, scale


def _matrix(examples: Sequence[Example], features: Sequence[str]) -> np.ndarray:
    return np.array([[e.features[name] for name in features] for e in examples])


def _logistic(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    mean, scale = fitted_scale(x)
    fitted = LogisticRegression(C=REGULARISATION, max_iter=2000).fit(standardised(x, mean, scale), y)
    return mean, scale, fitted.coef_[0], float(fitted.intercept_[0])


def _predict(model: tuple[np.ndarray, np.ndarray, np.ndarray, float], x: np.ndarray) -> np.ndarray:
    mean, scale, coef, intercept = model
    result: np.ndarray = expit(standardised(x, mean, scale) @ coef + intercept)
    return result


def _calibration_error(p: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    return float(sum(abs(p[which == b].mean() - y[which == b].mean()) * (which == b).mean()
                     for b in range(bins) if (which == b).any()))


def _in_time_order(examples: Sequence[Example]) -> list[Example]:
    """Examples by time, ties in a fixed order (customer, label, features): the same examples stored in another
    order give the same folds, figures and model."""
    return sorted(examples, key=lambda e: (e.at, e.customer_id, e.label, sorted(e.features.items())))


def time_ordered_scores(ordered: Sequence[Example], features: Sequence[str], folds: int,
                        gap: timedelta = timedelta(0)) -> dict[str, float | None]:
    """AUC, Brier score and calibration error of out-of-fold predictions over ``ordered`` (examples in
    :func:`_in_time_order`). Each fold is predicted by a model fitted on examples whose labels were known before the
    fold begins: cut off at least ``gap`` (the horizon their labels look ahead) before its first example. Folds
    without both classes to learn from and to score are left out."""
    from sklearn.metrics import brier_score_loss, roc_auc_score

    x, y = _matrix(ordered, features), np.array([e.label for e in ordered])
    times = [e.at for e in ordered]
    bounds = sorted(set(np.linspace(0, len(ordered), folds + 2).astype(int)[1:]))
    predicted, gold = [], []
    for start, stop in itertools.pairwise(bounds):
        train = np.array([t + gap < times[start] for t in times])
        test = slice(start, stop)
        if len(set(y[train])) < 2 or len(set(y[test])) < 2:
            continue
        if features:
            predicted.append(_predict(_logistic(x[train], y[train]), x[test]))
        else:  # the base rate: what is known without any feature
            predicted.append(np.full(stop - start, y[train].mean()))
        gold.append(y[test])
    if not predicted:
        return {"auc": None, "brier": None, "calibration_error": None, "scored": 0}
    p, g = np.concatenate(predicted), np.concatenate(gold)
    auc = float(roc_auc_score(g, p))
    return {"auc": round(auc, 4), "auc_se": round(auc_standard_error(auc, int(g.sum()), int(len(g) - g.sum())), 4),
            "brier": round(float(brier_score_loss(g, p)), 4), "calibration_error": round(_calibration_error(p, g), 4),
            "scored": len(g)}


def auc_standard_error(auc: float, positives: int, negatives: int) -> float:
    """The standard error of an AUC over ``positives`` and ``negatives`` (Hanley & McNeil, 1982)."""
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    variance = (auc * (1 - auc) + (positives - 1) * (q1 - auc**2) + (negatives - 1) * (q2 - auc**2)) / (
        positives * negatives)
    return float(np.sqrt(max(variance, 0.0)))


def fit_outcome_model(kind: str, examples: Sequence[Example], options: FitOptions
                      ) -> tuple[OutcomeModel | None, dict[str, object]]:
    """The model for ``kind`` and its figures, or None (and the figures say why: too few labels, or it does not
    beat the baselines out of sample, or its probabilities are off)."""
    positives = sum(e.label for e in examples)
    negatives = len(examples) - positives
    figures: dict[str, object] = {"target": TARGETS[kind], "examples": len(examples), "positives": positives}
    if min(positives, negatives) < options.min_labels:
        need = options.min_labels - min(positives, negatives)
        which = "positive" if positives < negatives else "negative"
        return _not_shipped(figures, f"too few labels: {counted(min(positives, negatives), which + ' example')}, "
                                     f"needs {options.min_labels} ({need} more)")
    gap = timedelta(days=options.horizon_days) if kind in EVENTS else timedelta(0)
    ordered = _in_time_order(examples)
    model_scores = time_ordered_scores(ordered, PROFILE_FEATURES, options.folds, gap)
    baselines = {name: time_ordered_scores(ordered, cols, options.folds, gap) for name, cols in BASELINES.items()}
    figures["model"], figures["baselines"] = model_scores, baselines
    best_auc = max((b["auc"] or 0.0) for b in baselines.values())
    best_brier = min((b["brier"] or 1.0) for b in baselines.values())
    base_brier = baselines[BASE_RATE]["brier"] or 1.0
    auc, brier, calibration = model_scores["auc"], model_scores["brier"], model_scores["calibration_error"]
    if auc is None or brier is None:
        return _not_shipped(figures, f"time-ordered cross-validation scored no fold: no part of the {len(examples)} "
                                     "examples had both classes to learn from before it and to score in it (record "
                                     "outcomes spread over more of the customers' history)")
    chance = 0.5 + MIN_AUC_Z * float(model_scores["auc_se"] or 0.0)
    if auc < max(best_auc + MIN_AUC_GAIN, chance) or brier > MAX_BRIER_EXCESS * best_brier or brier >= base_brier:
        return _not_shipped(figures, f"does not beat the baselines out of sample (AUC {auc} vs best baseline "
                                     f"{best_auc:.4f} and chance's {chance:.4f}, Brier {brier} vs {best_brier:.4f}, "
                                     f"base rate's {base_brier:.4f})")
    if calibration is not None and calibration > MAX_CALIBRATION_ERROR:
        return _not_shipped(figures, f"its probabilities are off out of sample (calibration error {calibration}, at "
                                     f"most {MAX_CALIBRATION_ERROR:g})")
    mean, scale, coef, intercept = _logistic(_matrix(ordered, PROFILE_FEATURES), np.array([e.label for e in ordered]))
    model = OutcomeModel(kind, list(PROFILE_FEATURES), mean.tolist(), scale.tolist(), coef.tolist(), intercept, figures)
    figures["shipped"] = True
    figures["strongest_features"] = model.ranked_features()[:5]
    return model, figures


def _not_shipped(figures: dict[str, object], reason: str) -> tuple[None, dict[str, object]]:
    """No model, and ``figures`` saying why."""
    figures["shipped"] = False
    figures["reason"] = reason
    return None, figures


def examples_for(kind: str, signals: dict[str, list[Signal]], outcomes: Sequence[OutcomeRecord], rules: ScoringRules,
                 options: FitOptions) -> list[Example]:
    """The labelled examples of one outcome kind."""
    if kind in EVENTS:
        return event_examples(signals, outcomes, kind, rules, options)
    return rating_examples(signals, outcomes, kind, rules)


def fit_all(signals: dict[str, list[Signal]], outcomes: Iterable[OutcomeRecord], rules: ScoringRules,
            options: FitOptions) -> tuple[dict[str, OutcomeModel], dict[str, dict[str, object]]]:
    """A model for every outcome kind that has labels, and every kind's figures (also those not shipped)."""
    recorded = list(outcomes)
    models, report = {}, {}
    for kind in sorted({o.kind for o in recorded}):
        examples = examples_for(kind, signals, recorded, rules, options)
        model, figures = fit_outcome_model(kind, examples, options)
        if not examples and kind in EVENTS:  # not "0 negative examples": no cut-off fits the history at all
            figures["reason"] = _no_snapshot_reason(signals, options)
        report[kind] = figures
        if model is not None:
            models[kind] = model
    return models, report


def _no_snapshot_reason(signals: dict[str, list[Signal]], options: FitOptions) -> str:
    times = [s.timestamp for found in signals.values() for s in found]
    span = f"span {(max(times) - min(times)).total_seconds() / 86400:.0f} days" if times else "are none"
    return (f"no snapshot fits: the messages {span}, and a snapshot needs --history-days ({options.history_days:g}) "
            f"before it and --horizon-days ({options.horizon_days:g}) after it; lower them, or store a longer history")


def check_models_folder(directory: Path) -> None:
    """E314 unless ``directory`` is missing, empty or an earlier fit's (its ``metrics.json`` names the kinds fitted),
    which :func:`write_models` replaces: a folder of other files is never deleted."""
    if not directory.exists():
        return
    metrics = directory / "metrics.json"
    if directory.is_dir():
        try:
            recorded = json.loads(metrics.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            recorded = None
        earlier = isinstance(recorded, dict) and isinstance(recorded.get("kinds"), dict)
        if earlier or not any(directory.iterdir()):
            return
    held = sorted(p.name for p in directory.iterdir())[:5] if directory.is_dir() else []
    raise EmotraceError("E314", f"{directory} holds files that are not outcome models"
                        + (f" ({', '.join(held)})" if held else " (it is a file)") + "; they would be replaced.",
                        "Choose another --out: a folder of an earlier `outcomes fit` is replaced, nothing else.")


def write_models(directory: Path, models: dict[str, OutcomeModel], report: dict[str, dict[str, object]],
                 command: str) -> None:
    """Replace ``directory`` with the shipped models (none: an earlier fit's are no longer served), ``metrics.json``
    (every kind's figures, shipped or not) and a model card naming the command that made them (assembled beside it,
    then renamed into place)."""
    with staged_folder(directory) as staging:
        _write_fit(staging, directory.name, models, report, command)


def _write_fit(staging: Path, name: str, models: dict[str, OutcomeModel], report: dict[str, dict[str, object]],
               command: str) -> None:
    for model in models.values():
        model.save(staging)
    staging.mkdir(parents=True, exist_ok=True)
    (staging / "metrics.json").write_text(json.dumps({"command": command, "kinds": report}, indent=2) + "\n")
    lines = [f"# Outcome models ({name})", "", f"Made by `{command}` on {datetime.now(UTC).date()}.",
             "", "Logistic regression on standardised emotional-profile features as of a cut-off; time-ordered "
             "cross-validation (each fold predicted by a model fitted on earlier examples only).", "",
             "| outcome | target | examples | positives | AUC | Brier | baseline AUC (score / contacts / base rate) "
             "| shipped |",
             "|---|---|---|---|---|---|---|---|"]
    for kind, figures in report.items():
        scores = figures.get("model") or {}
        baselines = figures.get("baselines") or {}
        base = " / ".join(str(b.get("auc")) for b in baselines.values()) if isinstance(baselines, dict) else ""
        shipped = "yes" if figures["shipped"] else f"no: {figures['reason']}"
        lines.append(f"| {kind} | {figures['target']} | {figures['examples']} | {figures['positives']} | "
                     f"{scores.get('auc') if isinstance(scores, dict) else ''} | "
                     f"{scores.get('brier') if isinstance(scores, dict) else ''} | {base} | {shipped} |")
    (staging / "MODEL_CARD.md").write_text("\n".join(lines) + "\n")
