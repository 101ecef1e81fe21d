"""``emotrace adapt``: a packaged model's heads adapted to a user's own labelled rows, network unchanged.

The user's file labels each text with satisfaction classes (``dissatisfied`` / ``neutral`` / ``satisfied``, or the two
classes ``dissatisfied`` / ``other``) and/or with labels of the from-model (its emotion labels, its intents),
comma-separated where a text has several. Each label names the head it belongs to, so each row goes to the heads its
labels name (every row to the intent head, once the file names an intent: most messages state none); only those
heads are adapted (a head with too few rows of a class is kept as the from-model's and said: E324 only when no head
has enough), every other view of the from-model is kept as it is. ``neutral`` is the satisfaction class in a file
that names another satisfaction class, or whose :data:`SATISFACTION_COLUMN` gives a class (``emotrace corrections
export`` writes it: its only class may be ``neutral``), else the emotion label; where such a file also names emotion
labels, a row of ``neutral`` alone is the emotion label ``neutral`` too (else the emotion head would learn no row
without an emotion). A model's own label named like a class (``other``, ``satisfied``, ``dissatisfied``: a model
trained with ``train --data`` on such labels) is that label, never a class.

Each adapted head is the from-model's own head plus an offset fitted on the user's rows over the pooled text vector the
network already computes (computed once): L-BFGS (SciPy) on the cross-entropy (satisfaction) or binary cross-entropy (labels,
intents) of the user's rows, with an L2 penalty on the offset of ``OFFSET_PENALTY / rows``. Few rows move the head
little; more rows move it further. Measured against fitting a new head on the user's rows alone (the from-model's
head forgotten), the offset read held-out rows better at 100 and 300 rows and as well at 1,000 (docs/benchmarks.md,
``python -m emotrace.evaluation.adapt_curve``).

- Satisfaction, three classes: a new ``satisfaction`` head over the pooled vector (the graph's
  own, dequantized, at the directory's temperature, plus the offset) that the runtime reads in place of the graph's.
- Satisfaction, ``dissatisfied`` / ``other``: only the dissatisfied logit gets an offset, so the served reading keeps
  three classes: P(dissatisfied) is the adapted head's, and the rest splits between neutral and satisfied in the
  from-model's proportion.
- Emotion labels, intents and topics: the rows of the labels the file names are refit the same way (the rest of each head is
  kept), and those labels' thresholds are re-tuned on the out-of-fold probabilities.

A test split is set aside first by a stable hash of the text (:mod:`held_out`, as ``train --data`` does); the other
rows are k-fold cross-validated (folds split by a stable hash of the text): the from-model's macro-F1 as it serves, and
the adapted model's, each fold's head fitted on the other folds. Heads are fitted and scored over each text's
pooled vector (its chunks' averaged, for a text longer than one window of the network), while the runtime reads the
labels and intents of such a text chunk by chunk: where a head's rows hold such texts, E331 says so (its figures for
them may not be the adapted model's). The model is written only when every adapted head is
better on cross-validation and reads its labels from the texts (the 95 % bootstrap lower bound of its macro-F1 above
what a guess blind to the text, at its own label shares, would score: shuffled labels are not written; else E327,
unless forced), into a temporary directory renamed at the end; its heads are
fitted on the cross-validated rows, and the held-out rows score the from-model and the adapted model once more, apart
(with a warning where they are too few to trust).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits
from tqdm import tqdm

from emotrace.errors import EmotraceError
from emotrace.model.classifier import EmotionClassifier, sigmoid, softmax
from emotrace.model.config import model_folder, read_config, update_config
from emotrace.model.decision import Thresholds, decide, tune_thresholds
from emotrace.model.group_heads import LABEL_HEAD, SATISFACTION_HEAD, save_group_heads
from emotrace.model.labels import INTENT_VIEW, SATISFACTION_CLASSES, TOPIC_VIEW, LabelSchema
from emotrace.model.metrics import class_macro_f1, multilabel_report
from emotrace.model.word_heads import word_heads
from emotrace.paths import outside_of, staged_copy, writable_folder
from emotrace.settings import get_settings
from emotrace.tabular import cell_text
from emotrace.training.data import (
    any_case,
    distinct_rows,
    every_row_holds_every_label,
    read_records,
    refuse_unreadable_texts,
    rows_named,
    rows_that,
    split_key,
    split_labels,
    stable_bucket,
    unreadable,
)
from emotrace.training.group_heads import require_pooled_output
from emotrace.training.held_out import NO_HELD_OUT_ROWS, is_held_out, trust_warning
from emotrace.training.model_card import write_model_card
from emotrace.training.provenance import read_provenance
from emotrace.training.rebuild import onnx_weights
from emotrace.wording import counted

OTHER = "other"  # the second class of a two-class satisfaction file: neutral or satisfied
# A column that gives each row's satisfaction class alone (``emotrace corrections export`` writes it beside the labels):
# a file where it gives one is a file of satisfaction classes, so its ``neutral`` is the class, never the emotion label.
SATISFACTION_COLUMN = "satisfaction_class"
MIN_ROWS_PER_CLASS = 20
MIN_FOLDS, MAX_FOLDS = 2, MIN_ROWS_PER_CLASS  # k-fold cross-validation: no more folds than the rows of the smallest class
# The L2 penalty on a head's offset is OFFSET_PENALTY / rows (the mean loss plus it is the sum loss plus a fixed prior).
OFFSET_PENALTY = 30.0
BIAS_SHARE = 0.1  # the offset's bias is penalised this much less than its weights (a class prior moves cheaply)
MAX_ITERATIONS = 300
EMBED_BATCH = 256  # texts per runtime call while embedding (progress granularity)
NO_CLASS = -1e4  # a logit no class reaches: masks the classes a row's label excludes
BOOTSTRAP_SAMPLES = 1000  # resamples of the held-out rows for the interval of the difference


@dataclass
class HeadRows:
    """The rows one head is adapted on: which of the adaptation rows, and their targets over ``names``."""

    head: str  # SATISFACTION_HEAD, LABEL_HEAD, INTENT_VIEW or TOPIC_VIEW
    names: tuple[str, ...]  # the classes (satisfaction) or labels (the others) the file gives
    rows: np.ndarray  # positions in AdaptationRows.texts
    targets: np.ndarray  # satisfaction: (rows, 3) 0/1 of the classes each row allows; others: (rows, names) multi-hot


@dataclass
class AdaptationRows:
    """The user's rows, deduplicated, and per head the rows that teach it."""

    texts: list[str]
    heads: dict[str, HeadRows]
    duplicates: int = 0  # rows dropped as repeats (same text, same labels)
    skipped: dict[str, EmotraceError] = field(default_factory=dict)  # heads left as the from-model's: why


@dataclass
class HeldOut:
    """One head's figures on the held-out test split: its rows, the macro-F1 of the from-model and of the adapted
    model (None without rows), the 95 % paired bootstrap interval of their difference (a few dozen rows move a
    macro-F1 by tenths) and why the rows are too few to trust (None when they are enough)."""

    rows: int
    from_model_f1: float | None
    adapted_f1: float | None
    warning: str | None
    interval: tuple[float, float] | None = None

    def describe(self) -> str:
        """One line: the held-out figures, the interval of the difference and the warning."""
        if self.from_model_f1 is None or self.adapted_f1 is None:
            return NO_HELD_OUT_ROWS
        spread = (f", 95 % bootstrap interval of the difference {self.interval[0]:+.3f} to {self.interval[1]:+.3f}"
                  if self.interval else "")
        return (f"held-out test split ({self.rows} rows set aside by a stable hash of the text): macro-F1 "
                f"{self.from_model_f1:.3f} (from-model) -> {self.adapted_f1:.3f} (adapted){spread}"
                + (f"; {self.warning}" if self.warning else ""))


@dataclass
class HeadResult:
    """One adapted head: its rows and classes, the cross-validated macro-F1 of the from-model and of the adapted, the
    95 % paired bootstrap interval of their difference over the cross-validated rows, the adapted macro-F1's 95 %
    lower bound, the macro-F1 a guess blind to the text would score at the from-model's and at the adapted head's
    own label shares, and both models on the held-out rows."""

    head: str
    names: tuple[str, ...]
    rows: int
    from_model_f1: float
    adapted_f1: float
    held_out: HeldOut
    interval: tuple[float, float] = (0.0, 0.0)
    chance_f1: float = 0.0
    adapted_low: float = 0.0
    adapted_chance_f1: float = 0.0

    @property
    def reads_the_texts(self) -> bool:
        """Whether the adapted head reads its labels from the texts: its macro-F1's lower bound is above a blind
        guess at its own label shares (a head fitted to shuffled labels learns their shares alone, and any gain over
        a from-model that reads them worse than chance was taken: such models were written)."""
        return self.adapted_low > self.adapted_chance_f1

    @property
    def better(self) -> bool:
        """Whether the adapted head reads the user's rows better than the from-model's did, from their texts."""
        return self.adapted_f1 > self.from_model_f1 and self.reads_the_texts

    def describe(self, folds: int) -> str:
        """One line: what was adapted and its figures."""
        return (f"{self.head} ({', '.join(self.names)}; {self.rows} rows): {folds}-fold CV on "
                f"{self.rows - self.held_out.rows} rows, macro-F1 {self.from_model_f1:.3f} (from-model) -> "
                f"{self.adapted_f1:.3f} (adapted), {self.spread()}")

    def spread(self) -> str:
        """The interval of the cross-validated difference, in words."""
        return f"95 % bootstrap interval of the difference {self.interval[0]:+.3f} to {self.interval[1]:+.3f}"

    def unclear_gain(self) -> str | None:
        """Why a head written as better may not be (None when its gain is clear): the interval of the cross-validated
        difference reaches 0 or below, so rows of this number could show no gain or a loss."""
        if not self.better or self.interval[0] > 0:
            return None
        return (f"the adapted {self.head} head's gain is not clear on {self.rows - self.held_out.rows} rows: the "
                f"{self.spread()} reaches 0. Compare both models on labelled rows of your own (`emotrace evaluate "
                "--model FROM --model OUT --data FILE`), or adapt on more rows.")


@dataclass
class AdaptationResult:
    """What ``emotrace adapt`` did: per head the figures, whether it wrote the model, and how long it took."""

    heads: list[HeadResult]
    rows: int
    duplicates: int
    folds: int
    written: bool = False
    seconds: float = 0.0
    embed_seconds: float = 0.0
    heads_fitted: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    thresholds: Thresholds | None = None
    refusal: EmotraceError | None = None  # E327 when the adapted model is not better (and not forced): nothing written
    skipped: dict[str, EmotraceError] = field(default_factory=dict)  # heads kept as the from-model's: why
    warnings: dict[str, EmotraceError] = field(default_factory=dict)  # heads whose figures read long texts whole (E331)

    @property
    def better(self) -> bool:
        """Whether every adapted head is better than the from-model's."""
        return all(h.better for h in self.heads)


# --- reading the user's rows ---------------------------------------------------------------------------------------


def _head_of(name: str, schema: LabelSchema, satisfaction_file: bool) -> str | None:
    """The head ``name`` teaches: a satisfaction class (``neutral`` only in a file of satisfaction classes), unless the
    model has an emotion label of that name (:func:`class_names`), else the model's label, intent or topic it is."""
    if (name == "neutral" and satisfaction_file) or name in class_names(schema):
        return SATISFACTION_HEAD
    if name in schema.labels:
        return LABEL_HEAD
    if name in schema.intents:
        return INTENT_VIEW
    if name in schema.topics:
        return TOPIC_VIEW
    return None


def class_names(schema: LabelSchema) -> set[str]:
    """The names that give satisfaction classes whatever the file (``neutral`` aside): ``dissatisfied``,
    ``satisfied`` and ``other``, but for the model's own labels (a model trained on its label ``other`` reads
    ``other`` as that label, and was refused as a file of one satisfaction class)."""
    return {"dissatisfied", "satisfied", OTHER} - set(schema.labels)


def known_spelling(schema: LabelSchema) -> dict[str, str]:
    """Each name a label file may give (satisfaction classes, the model's labels, intents and topics), lower-cased,
    to the spelling the model uses: labels are matched in any case ("Billing" for a model's "Billing" or "billing")."""
    return any_case((*SATISFACTION_CLASSES, OTHER, *schema.labels, *schema.intents, *schema.topics))


def head_names(schema: LabelSchema, head: str) -> tuple[str, ...]:
    """The outputs of a multi-label head: the emotion labels, the intents or the topics."""
    return {LABEL_HEAD: schema.labels, INTENT_VIEW: schema.intents, TOPIC_VIEW: schema.topics}[head]


def read_adaptation_rows(path: Path, text_column: str, label_column: str, schema: LabelSchema,
                         encoding: str = "utf-8") -> AdaptationRows:
    """The labelled rows of ``path`` sorted into heads, with every check of the module doc (rows counted from 1, as
    a spreadsheet shows them below the header)."""
    records = read_records(path, encoding, (text_column, label_column))  # E503 when no row has one (JSON: any row)
    texts, names, empty_text, unlabelled = [], [], [], []
    spelling = known_spelling(schema)
    classes_given = False  # whether the file's SATISFACTION_COLUMN gives a class
    for row_no, record in enumerate(records, 1):
        text = cell_text(record.get(text_column)).strip()
        classes_given |= cell_text(record.get(SATISFACTION_COLUMN)).strip().lower() in (*SATISFACTION_CLASSES, OTHER)
        labels = [spelling.get(n.lower(), n) for n in split_labels(record.get(label_column))]
        if unreadable(text):
            empty_text.append(row_no)
        elif not labels:
            unlabelled.append(row_no)
        texts.append(text)
        names.append(labels)
    refuse_unreadable_texts(empty_text, path, text_column)
    if unlabelled:
        raise EmotraceError("E209", f"{rows_that(unlabelled, path, f'no label in {label_column!r}')}.",
                            "Label every row or drop the unlabelled ones.")
    given = {n for row in names for n in row}
    satisfaction_file = classes_given or bool(given & class_names(schema))
    unknown = sorted(n for n in given if _head_of(n, schema, satisfaction_file) is None)
    if unknown:
        bad = [i for i, row in enumerate(names, 1) if set(row) & set(unknown)]
        raise EmotraceError(
            "E322", f"Labels {unknown[:10]} in '{label_column}' of {path} ({rows_named(bad)}) are neither "
                    "satisfaction classes nor labels of the model.",
            f"Use dissatisfied/neutral/satisfied (or dissatisfied/other), the model's emotion labels "
            f"({', '.join(schema.labels)}), its intents ({', '.join(schema.intents) or 'none'}) or its topics "
            f"({', '.join(schema.topics) or 'none'}).")
    _check_satisfaction_classes(path, names, given, schema, satisfaction_file)
    keep = distinct_rows(path, texts, names)  # E325 where a text repeats with other labels
    duplicates = len(texts) - len(keep)  # repeats with the same labels, merged into their first row
    texts, names = [texts[i] for i in keep], [names[i] for i in keep]
    heads = _head_rows(texts, names, schema, satisfaction_file)
    # a head of too few rows, or another head than satisfaction of one class, is kept as the from-model's; a file no
    # head of which can be adapted is refused (the first head's refusal), as are satisfaction rows of one class
    skipped = {h.head: why for h in heads.values() if (why := head_refusal(h)) is not None}
    one_class = SATISFACTION_HEAD in skipped and skipped[SATISFACTION_HEAD].code == "E323"
    refused = next(iter(heads)) if len(skipped) == len(heads) else SATISFACTION_HEAD if one_class else None
    if refused is not None and (refusal := head_refusal(heads[refused], f" of {path}")):
        raise refusal
    return AdaptationRows(texts, {h: r for h, r in heads.items() if h not in skipped}, duplicates, skipped)


def _check_satisfaction_classes(path: Path, names: list[list[str]], given: set[str], schema: LabelSchema,
                                satisfaction_file: bool) -> None:
    """E326 for a file mixing ``other`` with neutral/satisfied or a row of several classes, E328 for two of the
    three classes (of the names that give satisfaction classes: :func:`_head_of`)."""
    given = {n for n in given if _head_of(n, schema, satisfaction_file) == SATISFACTION_HEAD}
    if OTHER in given and given & {"neutral", "satisfied"}:
        other = [i for i, row in enumerate(names, 1) if OTHER in row]
        three = [i for i, row in enumerate(names, 1) if set(row) & given & {"neutral", "satisfied"}]
        odd = f"'other' ({rows_named(other)})" if len(other) < len(three) else \
            f"neutral/satisfied ({rows_named(three)})"  # a tie reads as two classes, as `evaluate` reads it
        raise EmotraceError("E326", f"{path} mixes the classes 'other' and neutral/satisfied; the fewer are {odd}.",
                            "Use dissatisfied/neutral/satisfied, or dissatisfied/other, in one file.")
    classes = given & set(SATISFACTION_CLASSES)
    if satisfaction_file and OTHER not in given and len(classes) == 2:
        (missing,) = set(SATISFACTION_CLASSES) - classes
        raise EmotraceError("E328", f"{path} has {' and '.join(sorted(classes))} rows but no {missing} rows: the "
                                    f"adapted head would learn that {missing} never happens.",
                            f"Label {missing} rows too, or use two classes: dissatisfied and other (neutral and "
                            "satisfied rows as other).")
    several = [i for i, row in enumerate(names, 1)
               if sum(_head_of(n, schema, satisfaction_file) == SATISFACTION_HEAD for n in set(row)) > 1]
    if several:
        raise EmotraceError("E326", f"{rows_that(several, path, 'more than one satisfaction class')}.",
                            "Give each text one satisfaction class.")


def _head_rows(texts: list[str], names: list[list[str]], schema: LabelSchema,
               satisfaction_file: bool) -> dict[str, HeadRows]:
    by_head: dict[str, list[tuple[int, list[str]]]] = {}
    for i, labels in enumerate(names):
        for head in {h for n in labels if (h := _head_of(n, schema, satisfaction_file)) is not None}:
            by_head.setdefault(head, []).append((i, [n for n in labels if _head_of(n, schema, satisfaction_file) == head]))
    neutral = schema.neutral_label
    if satisfaction_file and LABEL_HEAD in by_head and neutral == "neutral":  # the class neutral alone, in a file
        # that gives rows their emotion labels, is the emotion label neutral too (else that head learns no negative)
        by_head[LABEL_HEAD] = sorted([*by_head[LABEL_HEAD],
                                      *((i, [neutral]) for i, labels in enumerate(names) if set(labels) == {neutral})])
    heads = {}
    for head, rows in by_head.items():
        if head == SATISFACTION_HEAD:
            classes = tuple(n for n in SATISFACTION_PATTERNS if any(n in labels for _, labels in rows))
            allowed = np.array([SATISFACTION_PATTERNS[labels[0]] for _, labels in rows], dtype=np.float32)
            heads[head] = HeadRows(head, classes, np.array([i for i, _ in rows]), allowed)
            continue
        order = head_names(schema, head)
        given = tuple(n for n in order if any(n in labels for _, labels in rows))
        if head in (INTENT_VIEW, TOPIC_VIEW):  # every row teaches these views: a row naming none states (is about) none
            rows = [(i, [n for n in labels if n in given]) for i, labels in enumerate(names)]
        targets = np.array([[float(n in labels) for n in given] for _, labels in rows], dtype=np.float32)
        heads[head] = HeadRows(head, given, np.array([i for i, _ in rows]), targets)
    return heads


SATISFACTION_PATTERNS = {"dissatisfied": (1, 0, 0), "neutral": (0, 1, 0), "satisfied": (0, 0, 1), OTHER: (0, 1, 1)}


def class_counts(head: HeadRows, targets: np.ndarray) -> dict[str, int]:
    """Rows of each of ``head``'s classes (satisfaction) or labels (the others) among ``targets`` (some of its rows)."""
    if head.head == SATISFACTION_HEAD:
        return {n: int((targets == SATISFACTION_PATTERNS[n]).all(axis=1).sum()) for n in head.names}
    return dict(zip(head.names, targets.sum(axis=0).astype(int).tolist(), strict=True))


def head_refusal(head: HeadRows, where: str = "") -> EmotraceError | None:
    """Why ``head`` cannot be adapted (``where``: the file, in words), or None: E323 when its rows hold one class
    only (multi-label heads: every row holds every label given), E324 when a class (multi-label heads: a label, or
    the rows without it) has fewer than MIN_ROWS_PER_CLASS rows."""
    counts = class_counts(head, head.targets)
    satisfaction = head.head == SATISFACTION_HEAD
    if len(counts) < 2 if satisfaction else every_row_holds_every_label(head.targets):
        return EmotraceError("E323", f"The {head.head} rows{where} hold one class only ({', '.join(head.names)}): "
                                     "nothing to tell it from.",
                             "Label rows of at least two classes (e.g. dissatisfied and other).")
    if not satisfaction:  # "not neutral: 1" read as a label named "not neutral" (found by a review)
        counts.update({f"rows without {n}": len(head.targets) - p for n, p in list(counts.items())})
    if few := [f"{n}: {c}" for n, c in counts.items() if c < MIN_ROWS_PER_CLASS]:
        kind = "class" if satisfaction else "label"  # found by a trial: "Too few labels rows per class"
        return EmotraceError("E324", f"Too few rows per {kind}{where} for the {head.head} head ({', '.join(few)}; at "
                                     f"least {MIN_ROWS_PER_CLASS} each).",
                             f"Label at least {MIN_ROWS_PER_CLASS} rows of every class, or leave that class out."
                             if satisfaction else f"Give at least {MIN_ROWS_PER_CLASS} rows with and without each "
                             "label, or leave that label out.")
    return None


# --- the from-model's heads and outputs ----------------------------------------------------------------------------


@dataclass
class ServedOutputs:
    """What the from-model serves for the adaptation rows, and the pooled vectors its heads read."""

    pooled: np.ndarray
    satisfaction: np.ndarray | None
    probabilities: np.ndarray
    intents: np.ndarray | None
    topics: np.ndarray | None = None
    chunks: np.ndarray | None = None  # how many windows of the network each text was read in
    early_pooled: np.ndarray | None = None  # the early layer's vectors, where the graph outputs them


def served_outputs(classifier: EmotionClassifier, texts: list[str], progress: bool = True) -> ServedOutputs:
    """The from-model's outputs of ``texts`` (one network pass, a progress bar on stderr)."""
    require_pooled_output(classifier)
    parts = []
    with tqdm(total=len(texts), desc="embedding", unit="text", disable=not progress, dynamic_ncols=True) as bar:
        for start in range(0, len(texts), EMBED_BATCH):
            parts.append(classifier.raw_outputs(texts[start : start + EMBED_BATCH]))
            bar.update(len(parts[-1].chunks))

    def stacked(values: list[np.ndarray | None]) -> np.ndarray | None:
        return None if any(v is None for v in values) else np.concatenate([v for v in values if v is not None])

    pooled = stacked([p.pooled for p in parts])
    assert pooled is not None  # the graph outputs it (checked above)
    return ServedOutputs(pooled, stacked([p.satisfaction for p in parts]),
                         np.concatenate([p.probabilities for p in parts]), stacked([p.intents for p in parts]),
                         stacked([p.topics for p in parts]), np.concatenate([p.chunks for p in parts]),
                         stacked([p.early_pooled for p in parts]))


def current_head(classifier: EmotionClassifier, head: str) -> tuple[np.ndarray, np.ndarray]:
    """The from-model's ``head`` as a linear map over the pooled vector: its pooled head where it has one, else the
    graph's own (dequantized; satisfaction at the directory's temperature, as served)."""
    if head in classifier.group_heads:
        return classifier.group_heads[head]
    if head in (INTENT_VIEW, TOPIC_VIEW):  # these views are only ever read from a pooled head
        raise EmotraceError("E322", f"{classifier.directory} has no {head} head.", f"Leave the {head} out.")
    return network_head(classifier, head)


def network_head(classifier: EmotionClassifier, head: str) -> tuple[np.ndarray, np.ndarray]:
    """The graph's own ``head`` (labels or satisfaction) as a linear map over the pooled vector, dequantized
    (satisfaction at the directory's temperature)."""
    found = graph_head(classifier.directory, "satisfaction" if head == SATISFACTION_HEAD else "emotion")
    if found is None:
        raise EmotraceError("E214", f"Model {classifier.directory} has no satisfaction head.",
                            "Adapt a model that reads satisfaction (the shipped one does), or leave those rows out.")
    scale = 1.0 / classifier.thresholds.satisfaction_temperature if head == SATISFACTION_HEAD else 1.0
    return found[0] * scale, found[1] * scale


def graph_head(directory: Path, name: str) -> tuple[np.ndarray, np.ndarray] | None:
    """The graph's linear head ``name`` over the pooled vector, dequantized (:func:`onnx_weights`): weight
    (outputs, hidden) and bias; None where the graph has no such head."""
    weights = onnx_weights(directory)
    if f"{name}.weight" not in weights:
        return None
    return weights[f"{name}.weight"], weights[f"{name}.bias"]


# --- fitting --------------------------------------------------------------------------------------------------------


def fit_offset_head(features: np.ndarray, targets: np.ndarray, weight: np.ndarray, bias: np.ndarray, softmax: bool,
                    trainable: np.ndarray | None = None, penalty: float = OFFSET_PENALTY
                    ) -> tuple[np.ndarray, np.ndarray]:
    """``(weight, bias)`` plus an offset fitted on ``features`` by full-batch L-BFGS: softmax cross-entropy of the
    classes each row allows (``targets`` 0/1 per class) or binary cross-entropy per output (multi-hot ``targets``),
    with an L2 penalty of ``penalty / rows`` on the offset; only the ``trainable`` outputs (default: all) move.
    Deterministic (the same rows give the same head); NumPy with analytic gradients on one thread, since the heads are
    small (a 1,000-row fit takes well under a second)."""
    x = np.asarray(features, dtype=np.float64)
    y = np.asarray(targets, dtype=np.float64)
    w0, b0 = np.asarray(weight, dtype=np.float64), np.asarray(bias, dtype=np.float64)
    mask = np.ones(len(b0)) if trainable is None else np.asarray(trainable, dtype=np.float64)
    strength = penalty / len(x)
    excluded = (1.0 - y) * NO_CLASS

    def loss(flat: np.ndarray) -> tuple[float, np.ndarray]:
        dw = flat[: w0.size].reshape(w0.shape) * mask[:, None]
        db = flat[w0.size :] * mask
        logits = x @ (w0 + dw).T + b0 + db
        if softmax:
            every, allowed = _log_softmax_parts(logits), _log_softmax_parts(logits + excluded)
            value = float((every[1] - allowed[1]).mean())
            grad = (every[0] - allowed[0]) / len(x)
        else:
            value = float((np.logaddexp(0.0, logits) - y * logits).sum() / len(x))
            grad = (sigmoid(logits) - y) / len(x)
        value += strength * (float((dw**2).sum()) + BIAS_SHARE * float((db**2).sum()))
        grad_w = (grad.T @ x + 2 * strength * dw) * mask[:, None]
        grad_b = (grad.sum(axis=0) + 2 * strength * BIAS_SHARE * db) * mask
        return value, np.concatenate([grad_w.ravel(), grad_b])

    with threadpool_limits(1):
        found = minimize(loss, np.zeros(w0.size + b0.size), jac=True, method="L-BFGS-B",
                         options={"maxiter": MAX_ITERATIONS, "gtol": 1e-7})
    dw = found.x[: w0.size].reshape(w0.shape) * mask[:, None]
    db = found.x[w0.size :] * mask
    return (w0 + dw).astype(np.float32), (b0 + db).astype(np.float32)


def _log_softmax_parts(logits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Softmax probabilities and log-sum-exp of each row."""
    top = logits.max(axis=1, keepdims=True)
    e = np.exp(logits - top)
    total = e.sum(axis=1, keepdims=True)
    return e / total, (np.log(total) + top)[:, 0]


FOLD_SALT = "adapt-fold:"  # folds hash the text with this prefix: apart from the held-out split's hash of the bare text


def fold_of(texts: list[str], folds: int) -> np.ndarray:
    """Each text's fold: a stable hash of the text (the same text, the same fold, in any run), salted so that the
    folds do not follow the held-out split's hash, nor a file split by that hash before (the written corpus's dev
    split once fell into a single fold)."""
    return np.array([stable_bucket(FOLD_SALT + split_key(t), folds) for t in texts])


# --- one head: cross-validation and the final fit ---------------------------------------------------------------


@dataclass
class HeadPlan:
    """How one head is read, fitted and scored."""

    rows: HeadRows
    features: np.ndarray  # what the head reads of its rows: pooled vectors (and word features: intents)
    weight: np.ndarray  # the from-model's head (all outputs)
    bias: np.ndarray
    served: np.ndarray  # the from-model's served probabilities of its rows (all outputs)
    columns: np.ndarray  # which outputs the file's names are
    thresholds: np.ndarray  # the from-model's thresholds of all outputs (multi-label heads)
    fold: np.ndarray  # each row's cross-validation fold
    held_out: np.ndarray  # whether each row is in the held-out test split (in no fold, never fitted on)

    @property
    def softmax(self) -> bool:
        return self.rows.head == SATISFACTION_HEAD

    @property
    def binary_satisfaction(self) -> bool:
        return self.rows.names == ("dissatisfied", OTHER)

    def fit(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The adapted head (all outputs) fitted on ``rows`` (positions in this head's rows)."""
        if self.softmax:
            trainable = np.array([1.0, 0.0, 0.0]) if self.binary_satisfaction else None
            return fit_offset_head(self.features[rows], self.rows.targets[rows], self.weight, self.bias, True, trainable)
        weight, bias = self.weight.copy(), self.bias.copy()
        w, b = fit_offset_head(self.features[rows], self.rows.targets[rows], self.weight[self.columns],
                               self.bias[self.columns], False)
        weight[self.columns], bias[self.columns] = w, b
        return weight, bias

    def probabilities(self, head: tuple[np.ndarray, np.ndarray], rows: np.ndarray | slice) -> np.ndarray:
        logits = self.features[rows] @ head[0].T + head[1]
        return softmax(logits) if self.softmax else sigmoid(logits)

    def tuned(self, probabilities: np.ndarray, rows: np.ndarray | slice) -> np.ndarray:
        """All outputs' thresholds: the from-model's, with the file's labels re-tuned on ``probabilities``."""
        thresholds = self.thresholds.copy()
        thresholds[self.columns] = tune_thresholds(probabilities[:, self.columns], self.rows.targets[rows])
        return thresholds

    def outcomes(self, probabilities: np.ndarray, thresholds: np.ndarray, rows: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
        """Gold and decided of ``rows`` as (rows, classes or labels) booleans, decided as :meth:`score` decides; a
        macro-F1 of them over the columns the rows hold is :meth:`score`'s (:func:`macro_f1_resampled`)."""
        targets = self.rows.targets[rows]
        if self.softmax:
            predicted = probabilities.argmax(axis=1)
            if self.binary_satisfaction:
                gold, decided = targets[:, 0] == 1, predicted == 0
                return np.stack([gold, ~gold], axis=1), np.stack([decided, ~decided], axis=1)
            return np.eye(3, dtype=bool)[targets.argmax(axis=1)], np.eye(3, dtype=bool)[predicted]
        return targets.astype(bool), self._decided(probabilities, thresholds).astype(bool)

    def _decided(self, probabilities: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
        """The head's labels that fire, of a multi-label head, as the runtime decides: labels over their threshold,
        else the closest fires (``thresholds``: of all outputs, or per row); intents over their threshold only (most
        messages state none)."""
        if self.rows.head == LABEL_HEAD and thresholds.ndim == 2:
            decided = np.vstack([decide(p[None, :], t) for p, t in zip(probabilities, thresholds, strict=True)])
        elif self.rows.head == LABEL_HEAD:
            decided = decide(probabilities, thresholds)
        else:
            decided = probabilities >= thresholds
        return decided[:, self.columns]

    def score(self, probabilities: np.ndarray, thresholds: np.ndarray, rows: np.ndarray) -> float:
        """Macro-F1 over the classes (satisfaction) or labels (the others) that ``rows`` hold, of these probabilities
        of ``rows``, decided as the runtime decides (``thresholds``: of all outputs, or per row); a label no row
        holds scored 0 and pulled every figure down (a perfect reading of two labels read 0.5)."""
        targets = self.rows.targets[rows]
        if self.softmax:
            predicted = probabilities.argmax(axis=1)
            allowed = targets
            if self.binary_satisfaction:
                return class_macro_f1(allowed[:, 0] == 1, predicted == 0)
            gold = allowed.argmax(axis=1)
            return class_macro_f1(gold, predicted, sorted(set(gold.tolist())))
        return multilabel_report(targets, self._decided(probabilities, thresholds), self.rows.names)["macro_f1"]


def plan_head(classifier: EmotionClassifier, rows: HeadRows, served: ServedOutputs, texts: list[str],
              folds: int) -> HeadPlan:
    """How ``rows`` adapt the from-model's head (``served``: its outputs of ``texts``, all the adaptation rows)."""
    weight, bias = current_head(classifier, rows.head)
    features = served.pooled[rows.rows]
    if rows.head in (INTENT_VIEW, TOPIC_VIEW, SATISFACTION_HEAD):  # heads that may read word features too
        early = None if served.early_pooled is None else served.early_pooled[rows.rows]
        features = classifier.head_inputs([classifier.normalizer(texts[i]) for i in rows.rows], features, early,
                                          rows.head)
    fold = fold_of([texts[i] for i in rows.rows], folds)
    held_out = np.array([is_held_out(texts[i]) for i in rows.rows], dtype=bool)
    if rows.head == SATISFACTION_HEAD:
        assert served.satisfaction is not None  # current_head found the head
        return HeadPlan(rows, features, weight, bias, served.satisfaction[rows.rows], np.arange(3), np.zeros(3), fold,
                        held_out)
    names = list(head_names(classifier.schema, rows.head))
    probabilities = {LABEL_HEAD: served.probabilities, INTENT_VIEW: served.intents, TOPIC_VIEW: served.topics}[rows.head]
    assert probabilities is not None
    thresholds = (classifier.thresholds.for_labels(names) if rows.head == LABEL_HEAD
                  else classifier.thresholds.for_grouping(rows.head, names))
    return HeadPlan(rows, features, weight, bias, probabilities[rows.rows],
                    np.array([names.index(n) for n in rows.names]), thresholds, fold, held_out)


CHUNKS_SERVED = {LABEL_HEAD: "a label any chunk shows counts", INTENT_VIEW: "an intent any chunk states counts",
                 SATISFACTION_HEAD: "the chunks' classes averaged by their length"}


def chunked_rows_warning(classifier: EmotionClassifier, rows: HeadRows, served: ServedOutputs) -> EmotraceError | None:
    """E331 where ``rows`` hold texts longer than one window of the network and their head is served chunk by chunk
    (labels, intents, a satisfaction head over the pooled vector alone): adapt fits and scores the head over each
    text's length-weighted pooled vector (and its words), so its figures for those texts are not what the written
    model serves. None where there is no such text, or the head reads a text whole as adapt does (topics, a
    satisfaction head over words)."""
    assert served.chunks is not None
    several = int((served.chunks[rows.rows] > 1).sum())
    words = word_heads(classifier.group_heads, classifier.topic_terms, served.pooled.shape[1],
                       0 if served.early_pooled is None else served.early_pooled.shape[1])
    if not several or rows.head == TOPIC_VIEW or (rows.head == SATISFACTION_HEAD and SATISFACTION_HEAD in words):
        return None
    return EmotraceError(
        "E331", f"{several} of the {len(rows.rows)} rows of the {rows.head} head are longer than one window of the "
                f"model ({classifier.max_length - 2} tokens): the model serves them chunk by chunk "
                f"({CHUNKS_SERVED[rows.head]}), but adapt fits and scores the head over each text read whole (its "
                "chunks' vectors averaged), so its figures for them may not be what the adapted model reads.")


def adapt_head(plan: HeadPlan) -> tuple[HeadResult, tuple[np.ndarray, np.ndarray], np.ndarray | None]:
    """Cross-validate and fit one head on the rows not held out: its figures, the head fitted on all of them, and
    (multi-label heads) the thresholds of all its outputs, the file's labels re-tuned on the out-of-fold
    probabilities; then the from-model and that head read the held-out rows.

    Each fold's head is fitted on the other folds (and, multi-label, its thresholds tuned on their rows), then reads
    the fold; the from-model is scored as it serves, on the same rows."""
    fitted, held = np.flatnonzero(~plan.held_out), np.flatnonzero(plan.held_out)
    out_of_fold = np.zeros_like(plan.served)
    fold_thresholds = np.zeros((len(plan.served), len(plan.thresholds)), dtype=np.float32)
    for k in sorted(set(plan.fold[fitted].tolist())):
        train, scored = fitted[plan.fold[fitted] != k], fitted[plan.fold[fitted] == k]
        head = plan.fit(train)
        out_of_fold[scored] = plan.probabilities(head, scored)
        if not plan.softmax:
            fold_thresholds[scored] = plan.tuned(plan.probabilities(head, train), train)
    thresholds = None if plan.softmax else plan.tuned(out_of_fold[fitted], fitted)
    final = plan.fit(fitted)
    gold, before = plan.outcomes(plan.served[fitted], plan.thresholds, fitted)
    _, after = plan.outcomes(out_of_fold[fitted], fold_thresholds[fitted], fitted)
    resamples = np.random.default_rng(0).integers(0, len(fitted), (BOOTSTRAP_SAMPLES, len(fitted)))
    adapted = macro_f1_resampled(gold, after, resamples)
    low, high = np.percentile(adapted - macro_f1_resampled(gold, before, resamples), [2.5, 97.5])
    result = HeadResult(plan.rows.head, plan.rows.names, len(plan.rows.rows),
                        plan.score(plan.served[fitted], plan.thresholds, fitted),
                        plan.score(out_of_fold[fitted], fold_thresholds[fitted], fitted), _held_out(plan, final, held,
                                                                                                     thresholds),
                        (float(low), float(high)), chance_f1(gold, before), float(np.percentile(adapted, 2.5)),
                        chance_f1(gold, after))
    return result, final, thresholds


def macro_f1_resampled(gold: np.ndarray, decided: np.ndarray, resamples: np.ndarray) -> np.ndarray:
    """The macro-F1 of each resample (a row of positions, repeats allowed) of ``gold`` and ``decided`` ((rows,
    columns) booleans), over the columns the resample holds: one matrix product for all resamples."""
    counts = np.zeros((len(resamples), len(gold)))
    np.add.at(counts, (np.arange(len(resamples))[:, None], resamples), 1.0)
    hit, gold_n, decided_n = counts @ (gold & decided), counts @ gold, counts @ decided
    f1 = np.divide(2 * hit, gold_n + decided_n, out=np.zeros_like(hit), where=gold_n + decided_n > 0)
    held = gold_n > 0
    macro: np.ndarray = np.where(held, f1, 0.0).sum(axis=1) / np.maximum(held.sum(axis=1), 1)
    return macro


def chance_f1(gold: np.ndarray, decided: np.ndarray) -> float:
    """The macro-F1 that decisions made at ``decided``'s shares but blind to the text would score on ``gold``: each
    column's 2gp / (g + p), g and p its gold and decided shares, over the columns the rows hold."""
    g, p = gold.mean(axis=0), decided.mean(axis=0)
    held = g > 0
    return float((2 * g[held] * p[held] / (g[held] + p[held])).mean()) if held.any() else 0.0


def _held_out(plan: HeadPlan, head: tuple[np.ndarray, np.ndarray], held: np.ndarray,
              thresholds: np.ndarray | None) -> HeldOut:
    """The from-model and the adapted ``head`` (with its ``thresholds``) on the ``held`` rows."""
    if not len(held):
        return HeldOut(0, None, None, trust_warning(0, {}))
    readings = [(plan.served[held], plan.thresholds),
                (plan.probabilities(head, held), plan.thresholds if thresholds is None else thresholds)]

    def scores(pick: np.ndarray) -> tuple[float, float]:
        """The from-model's and the adapted macro-F1 on the held rows ``pick`` (positions, repeats allowed)."""
        served, adapted = (plan.score(p[pick], t[pick] if t.ndim == 2 else t, held[pick]) for p, t in readings)
        return served, adapted

    served, adapted = scores(np.arange(len(held)))
    interval = None
    if len(held) > 1:
        resamples = np.random.default_rng(0).integers(0, len(held), (BOOTSTRAP_SAMPLES, len(held)))
        low, high = np.percentile([b - a for a, b in map(scores, resamples)], [2.5, 97.5])
        interval = (float(low), float(high))
    return HeldOut(len(held), served, adapted,
                   trust_warning(len(held), class_counts(plan.rows, plan.rows.targets[held])), interval)


# --- the command --------------------------------------------------------------------------------------------------


def adapt_model(data: Path, text_column: str, label_column: str, from_model: Path, model_dir: Path, command: str,
                folds: int = 5, force: bool = False, overwrite: bool = False, encoding: str = "utf-8",
                progress: bool = True, echo: Callable[[str], None] = print,
                warn: Callable[[str], None] | None = None) -> AdaptationResult:
    """``emotrace adapt``: read, check, cross-validate, fit and (when better, or forced) write the adapted model.

    Nothing is written on any error or refusal (a refusal is returned as ``result.refusal``, with the figures): the
    model is assembled in a temporary directory beside ``model_dir`` (E030 up front where that is inside
    ``from_model``, E516 where the system will not make it) and renamed into place at the end. A head with too few
    rows is kept as the from-model's, said through ``warn`` (default: ``echo``), as are rows longer than one window of
    a head served chunk by chunk (E331).
    The from-model reads with the settings' threads (``EMOTRACE_THREADS``)."""
    started = time.perf_counter()
    if not MIN_FOLDS <= folds <= MAX_FOLDS:
        why = ("one fold leaves nothing to validate on" if folds < MIN_FOLDS else
               f"a class may have only {MIN_ROWS_PER_CLASS} rows, and a fold without one cannot be scored")
        raise EmotraceError("E306", f"--folds {folds}: cross-validation takes {MIN_FOLDS} to {MAX_FOLDS} folds ({why}).",
                            f"Pass --folds {MIN_FOLDS} to {MAX_FOLDS} (default 5).")
    writable_folder(outside_of(model_folder(model_dir, overwrite, "the adapted model"), from_model), "--model-dir")
    classifier = EmotionClassifier.from_pretrained(from_model, threads=get_settings().threads)  # as `analyze` reads
    require_pooled_output(classifier)
    rows = read_adaptation_rows(data, text_column, label_column, classifier.schema, encoding)
    echo(f"{data.name}: {len(rows.texts)} texts" + (f" ({counted(rows.duplicates, 'repeated row')} merged)" if rows.duplicates
                                                      else "") + "; "
         + "; ".join(f"{h.head}: {', '.join(h.names)} ({len(h.rows)} rows)" for h in rows.heads.values()))
    for head_name, refusal in rows.skipped.items():
        (warn or echo)(f"{head_name} head skipped (kept as the from-model's): [{refusal.code}] {refusal.problem}")
    embed_started = time.perf_counter()
    served = served_outputs(classifier, rows.texts, progress)
    embed_seconds = time.perf_counter() - embed_started
    result = AdaptationResult([], len(rows.texts), rows.duplicates, folds, embed_seconds=embed_seconds,
                              skipped=rows.skipped)
    thresholds = replace(classifier.thresholds, labels=dict(classifier.thresholds.labels),
                         groupings={g: dict(v) for g, v in classifier.thresholds.groupings.items()})
    for head_rows in rows.heads.values():
        if (chunked := chunked_rows_warning(classifier, head_rows, served)) is not None:
            result.warnings[head_rows.head] = chunked
            (warn or echo)(f"[{chunked.code}] {chunked.problem} {chunked.fix}")
        plan = plan_head(classifier, head_rows, served, rows.texts, folds)
        figures, head, tuned = adapt_head(plan)
        result.heads.append(figures)
        result.heads_fitted[head_rows.head] = head
        if tuned is not None:
            names = head_names(classifier.schema, head_rows.head)
            chosen = {names[j]: round(float(tuned[j]), 2) for j in plan.columns}
            if head_rows.head == LABEL_HEAD:
                thresholds.labels.update(chosen)
            else:
                thresholds.groupings.setdefault(head_rows.head, {}).update(chosen)
    result.thresholds = thresholds
    for figures in result.heads:
        echo(figures.describe(folds))
        echo(f"  {figures.held_out.describe()}")
    if not result.better and not force:
        worse = "; ".join(f"{h.head} {h.from_model_f1:.3f} -> {h.adapted_f1:.3f}, {h.spread()}" for h in result.heads
                          if not h.better)
        blind = [h for h in result.heads if not h.reads_the_texts]
        result.refusal = EmotraceError(
            "E327", f"The adapted model is not better than {from_model} on {folds}-fold cross-validation of "
                    f"{data.name} (macro-F1, from-model -> adapted: {worse}); nothing was written."
                    + "".join(f" The adapted {h.head} head reads its labels no better than a guess blind to the text "
                              f"(its 95 % lower bound {h.adapted_low:.3f}, a blind guess {h.adapted_chance_f1:.3f}; "
                              f"the from-model {h.from_model_f1:.3f}, blind {h.chance_f1:.3f}): are the labels in "
                              "line with their texts (a column shifted or shuffled)?" for h in blind),
            "Keep the from-model, add or correct labelled rows, or pass --force to write the adapted model anyway.")
    else:
        write_adapted(classifier, result, data, model_dir, command)
        result.written = True
        for figures in result.heads:
            if (unclear := figures.unclear_gain()) is not None:
                (warn or echo)(unclear)
    result.seconds = time.perf_counter() - started
    return result


def adaptation_step(result: AdaptationResult, data: Path) -> str:
    """The recipe step that tells what ``emotrace adapt`` adapted the model on, with its figures (in the card)."""
    heads = "; ".join(f"{h.describe(result.folds)} ({h.held_out.describe()})" for h in result.heads)
    return (f"Heads adapted by `emotrace adapt` (network unchanged) on {data.name}: {result.rows} texts"
            + (f" ({counted(result.duplicates, 'repeated row')} merged)" if result.duplicates else "")
            + f"; {heads}. Macro-F1 of the classes/labels given, {result.folds}-fold cross-validated on the rows not held out "
            "(folds by a stable hash of the text; each fold read by a head fitted on the others), from-model as served"
            + ("" if result.better else "; not better on every head, written with --force")
            + "".join(f". Warning [{why.code}]: {why.problem}" for why in result.warnings.values())
            + ". The dev figures are the from-model's; every head and view not named here is the from-model's.")


def write_adapted(classifier: EmotionClassifier, result: AdaptationResult, data: Path, model_dir: Path,
                  command: str) -> None:
    """The from-model's directory copied with the adapted heads, their thresholds, its provenance extended by the
    adaptation (the file, its rows and labels, the figures; also under ``adaptation`` in the metrics) and a card
    written from them; assembled beside ``model_dir`` and renamed into place (an existing ``model_dir`` is replaced
    only then)."""
    source = classifier.directory
    with staged_copy(source, model_dir) as staged:
        save_group_heads({**classifier.group_heads, **result.heads_fitted}, staged)
        assert result.thresholds is not None
        result.thresholds.save(staged)
        provenance = read_provenance(source)
        replace(provenance, training_data=[*provenance.training_data, f"{data.name} (the user's own rows, adaptation)"]
                ).extended(command, [adaptation_step(result, data)]).save(staged)
        figures = {k: v for k, v in result_json(result).items() if k not in {"written", "seconds", "embedding_seconds"}}
        update_config(staged, metrics={**read_config(staged).get("metrics", {}), "adaptation": figures})
        write_model_card(staged)
        EmotionClassifier.from_pretrained(staged)  # it loads, as served, before it replaces anything


def result_json(result: AdaptationResult) -> dict[str, object]:
    """The figures as JSON (``emotrace adapt --json``)."""
    refusal = result.refusal
    return {"rows": result.rows, "repeated_rows_merged": result.duplicates, "folds": result.folds,
            "written": result.written,
            **({"refusal": {"code": refusal.code, "problem": refusal.problem, "fix": refusal.fix}} if refusal else {}),
            "seconds": round(result.seconds, 2),
            "embedding_seconds": round(result.embed_seconds, 2),
            "heads": [{"head": h.head, "names": list(h.names), "rows": h.rows, "from_model_macro_f1": h.from_model_f1,
                       "adapted_macro_f1": h.adapted_f1, "cv_interval": list(h.interval),
                       "chance_macro_f1": h.chance_f1, "adapted_low_macro_f1": h.adapted_low,
                       "adapted_chance_macro_f1": h.adapted_chance_f1, "held_out": asdict(h.held_out)} for h in result.heads],
            "skipped_heads": _per_head(result.skipped), "warnings": _per_head(result.warnings)}


def _per_head(errors: dict[str, EmotraceError]) -> list[dict[str, str]]:
    """Coded errors by head (heads kept as the from-model's, or warned about), as JSON."""
    return [{"head": head, "code": why.code, "problem": why.problem} for head, why in errors.items()]

