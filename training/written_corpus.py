"""The written customer-service corpus: messages this project wrote itself, one at a time, labelled with their
satisfaction class, intents, topics, GoEmotions emotions and the phenomenon they show (``data/customer_service``,
datasheet in its README).

Slices (``slices/*.jsonl``, one per industry pair) were written side by side; rows are read, checked and split
here. The split is fixed by a stable hash of the text (70 % train, 10 % dev, 20 % test) and was fixed before any
training: train rows train, dev rows tune thresholds and choose between recipes, test rows only measure.
"""

from __future__ import annotations

import json
import re
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from emotrace.errors import EmotraceError
from emotrace.model.labelled import LabelledTexts
from emotrace.model.labels import GOEMOTIONS_LABELS, INTENT_LABELS, INTENT_VIEW, SATISFACTION_CLASSES, TOPIC_LABELS
from emotrace.model.metrics import intent_set_figures, multilabel_report, satisfaction_report
from emotrace.model.reading import Reading
from emotrace.paths import CORPUS_DIR

CHANNELS = ("tweet", "chat", "email", "review", "call")
OTHER_TOPIC = "other"  # a row about none of the taxonomy's topics
TOPICS = (*TOPIC_LABELS, OTHER_TOPIC)
PHENOMENA = ("sarcasm", "impatient_question", "implicit_complaint", "polite_anger", "thanks_but", "lukewarm",
             "inquiry", "praise", "emoji_context", "churn", "escalation", "refund", "legal", "intent_lookalike",
             "explicit_complaint", "small_talk")
SPLITS = ("train", "dev", "test")
SHARED_RUN = 6  # no two rows may share a run of this many words


@dataclass(frozen=True)
class CorpusRow:
    """One written message and its labels."""

    id: str
    text: str
    channel: str
    industry: str
    satisfaction: str
    intents: tuple[str, ...]
    topics: tuple[str, ...]
    emotions: tuple[str, ...]
    phenomena: tuple[str, ...]

    @property
    def split(self) -> str:
        """train / dev / test, by a stable hash of the text (70/10/20)."""
        bucket = zlib.crc32(self.text.encode("utf-8")) % 10
        return "train" if bucket < 7 else "dev" if bucket == 7 else "test"


_CHOICES = {"channel": CHANNELS, "satisfaction": SATISFACTION_CLASSES}
_LISTS = {"intents": INTENT_LABELS, "topics": TOPICS, "emotions": GOEMOTIONS_LABELS, "phenomena": PHENOMENA}


def parse_row(raw: object, where: str) -> CorpusRow:
    """A checked :class:`CorpusRow` from one decoded JSON line (E320 names the line and the field)."""
    if not isinstance(raw, dict):
        raise EmotraceError("E320", f"{where}: a row must be a JSON object.", "Write one object per line.")
    try:
        values = {name: raw[name] for name in ("id", "text", "channel", "industry", "satisfaction", *_LISTS)}
    except KeyError as exc:
        raise EmotraceError("E320", f"{where}: no '{exc.args[0]}' field.", "See the corpus README for the fields.") from None
    if not isinstance(values["text"], str) or not values["text"].strip():
        raise EmotraceError("E320", f"{where}: 'text' is empty.", "Write the message or drop the row.")
    for name, allowed in _CHOICES.items():
        if values[name] not in allowed:
            raise EmotraceError("E320", f"{where}: {name} '{values[name]}' is not one of {list(allowed)}.",
                                "Use one of the listed values.")
    for name, allowed in _LISTS.items():
        given = values[name]
        if not isinstance(given, list) or not set(given) <= set(allowed) or (name != "intents" and not given):
            raise EmotraceError("E320", f"{where}: {name} {given!r} must be a list of {list(allowed)}"
                                f"{'' if name == 'intents' else ' (at least one)'}.", "Use the listed names.")
    return CorpusRow(str(values["id"]), values["text"].strip(), values["channel"], str(values["industry"]),
                     values["satisfaction"], *(tuple(dict.fromkeys(values[n])) for n in _LISTS))


def read_corpus(directory: Path = CORPUS_DIR, split: str | None = None) -> list[CorpusRow]:
    """Every row of the corpus's slices (``split``: only that split's), in file and line order."""
    files = sorted((directory / "slices").glob("*.jsonl"))
    if not files:
        raise EmotraceError("E321", f"No written corpus under {directory / 'slices'}.",
                            "Run from a source checkout, which holds data/customer_service.")
    rows = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                rows.append(parse_row(json.loads(line), f"{path.name} line {number}"))
    return [r for r in rows if split is None or r.split == split]


def _words(text: str) -> tuple[str, ...]:
    """The text's words, lower case, punctuation dropped."""
    return tuple(re.findall(r"[a-z0-9']+", text.lower()))


def word_runs(text: str, length: int = SHARED_RUN) -> set[str]:
    """The text's runs of ``length`` consecutive words (lower case, punctuation dropped)."""
    words = _words(text)
    return {" ".join(words[i : i + length]) for i in range(len(words) - length + 1)}


def short_copies(texts: list[str], short: list[str]) -> list[tuple[int, str]]:
    """The ``short`` texts (under :data:`SHARED_RUN` words: no run to share) that one of ``texts`` repeats, as
    words, or (for three words or more) within one word added or left out: (index in ``texts``, the short text)."""
    def less_one(sequence: tuple[str, ...]) -> set[tuple[str, ...]]:
        return {sequence[:i] + sequence[i + 1 :] for i in range(len(sequence))}

    wanted = {words: text for text in short if 0 < len(words := _words(text)) < SHARED_RUN}
    loose = {w: text for w, text in wanted.items() if len(w) >= 3}  # one word more or less: a copy all the same
    found = []
    for i, text in enumerate(texts):
        mine = _words(text)
        if not mine or len(mine) > SHARED_RUN:
            continue
        clash = wanted.get(mine) or next((loose[w] for w in less_one(mine) if w in loose), None)
        clash = clash or next((loose[w] for w in loose if mine in less_one(w)), None)
        if clash is not None:
            found.append((i, clash))
    return found


def shared_runs(texts: list[str], others: list[str] | None = None, length: int = SHARED_RUN) -> list[tuple[int, str]]:
    """Pairs that share a run of ``length`` words: (index in ``texts``, the run). Against ``others`` when given,
    else among ``texts`` themselves."""
    seen: dict[str, int] = {}
    for i, text in enumerate(others if others is not None else []):
        for run in word_runs(text, length):
            seen.setdefault(run, i)
    found = []
    for i, text in enumerate(texts):
        runs = word_runs(text, length)
        clash = next((r for r in runs if r in seen and (others is not None or seen[r] != i)), None)
        if clash is not None:
            found.append((i, clash))
        if others is None:
            for run in runs:
                seen.setdefault(run, i)
    return found


def emotion_rows(rows: list[CorpusRow]) -> LabelledTexts:
    """The rows as multi-hot GoEmotions targets."""
    return _multi_hot(rows, GOEMOTIONS_LABELS, lambda r: r.emotions)


def intent_rows(rows: list[CorpusRow]) -> LabelledTexts:
    """The rows as multi-hot intent targets (most rows: none)."""
    return _multi_hot(rows, INTENT_LABELS, lambda r: r.intents)


def topic_rows(rows: list[CorpusRow]) -> LabelledTexts:
    """The rows as multi-hot topic targets (a row about "other" only: none)."""
    return _multi_hot(rows, TOPIC_LABELS, lambda r: tuple(t for t in r.topics if t != OTHER_TOPIC))


def satisfaction_classes(rows: list[CorpusRow]) -> np.ndarray:
    """Class ids (0 dissatisfied, 1 neutral, 2 satisfied) of the rows."""
    return np.array([SATISFACTION_CLASSES.index(r.satisfaction) for r in rows], dtype=np.int64)


def _multi_hot(rows: list[CorpusRow], names: tuple[str, ...],
               field_of: Callable[[CorpusRow], tuple[str, ...]]) -> LabelledTexts:
    targets = np.zeros((len(rows), len(names)), dtype=np.float32)
    for i, row in enumerate(rows):
        for name in field_of(row):
            targets[i, names.index(name)] = 1.0
    return LabelledTexts([r.text for r in rows], targets, names)


def datasheet_counts(rows: list[CorpusRow]) -> dict[str, Counter[str]]:
    """Counts per split, channel, industry, satisfaction class, intent, topic, emotion and phenomenon."""
    counts: dict[str, Counter[str]] = {}
    for name in ("split", "channel", "industry", "satisfaction"):
        counts[name] = Counter(getattr(r, name) for r in rows)
    for name in ("intents", "topics", "emotions", "phenomena"):
        counts[name] = Counter(x for r in rows for x in getattr(r, name))
    counts["intents"]["(none)"] = sum(not r.intents for r in rows)
    return counts


def written_corpus_report(rows: list[CorpusRow], readings: list[Reading]) -> dict[str, object]:
    """How a model's ``readings`` of corpus ``rows`` (one each, in order) score at its own decisions: satisfaction
    (3-class and dissatisfied-vs-rest macro-F1; the class right per phenomenon) and intents (precision/recall per
    intent, the exact intent set, how many rows without an intent were given one)."""
    report: dict[str, object] = {"n": len(rows)}
    raw = np.array([[(r.satisfaction or {}).get(c, 0.0) for c in SATISFACTION_CLASSES] for r in readings])
    if all(r.satisfaction is not None for r in readings):
        report["satisfaction"] = satisfaction_report(raw, satisfaction_classes(rows))
        right = [r.satisfaction == reading.satisfaction_class for r, reading in zip(rows, readings, strict=True)]
        report["satisfaction_right_by_phenomenon"] = {
            name: f"{sum(ok for ok, r in zip(right, rows, strict=True) if name in r.phenomena)}/"
                  f"{sum(name in r.phenomena for r in rows)}"
            for name in PHENOMENA if any(name in r.phenomena for r in rows)}
    if all(INTENT_VIEW in r.views for r in readings):
        gold = intent_rows(rows).targets.astype(bool)
        fired = np.array([[n in r.views[INTENT_VIEW].labels for n in INTENT_LABELS] for r in readings])
        report["intents"] = multilabel_report(gold, fired, INTENT_LABELS)
        report["intent_set_exact"], given, none = intent_set_figures(gold, fired)
        report["no_intent_rows_given_one"] = f"{given}/{none}"
    return report


def curate(directory: Path = CORPUS_DIR, held_apart: list[str] | None = None) -> list[str]:
    """Drop, from the slice files themselves, every row that shares a run of :data:`SHARED_RUN` words with an
    earlier row (slice files in name order, lines in order) or with ``held_apart`` (texts no training row may echo:
    the behavioural suite's and the aspect set's), and renumber nothing. Returns the ids dropped. Run once when
    slices are added, before any training."""
    kept_runs: set[str] = {run for text in held_apart or [] for run in word_runs(text)}
    dropped = []
    for path in sorted((directory / "slices").glob("*.jsonl")):
        kept_lines = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row = parse_row(json.loads(line), f"{path.name} line {number}")
            runs = word_runs(row.text)
            if runs & kept_runs:
                dropped.append(row.id)
                continue
            kept_runs |= runs
            kept_lines.append(line)
        path.write_text("".join(f"{line}\n" for line in kept_lines), encoding="utf-8")
    return dropped


def datasheet_tables(rows: list[CorpusRow]) -> str:
    """The datasheet's count tables (markdown), per field, each value with its count in every split."""
    lines = []
    by_split = {split: datasheet_counts([r for r in rows if r.split == split]) for split in SPLITS}
    for name, counts in datasheet_counts(rows).items():
        if name == "split":
            continue
        lines += [f"\n**{name}**\n", "| value | all | " + " | ".join(SPLITS) + " |", "|---|---:|" + "---:|" * len(SPLITS)]
        lines += [f"| {value} | {count} | " + " | ".join(str(by_split[s][name][value]) for s in SPLITS) + " |"
                  for value, count in counts.most_common()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # python -m emotrace.training.written_corpus: the datasheet's tables
    corpus = read_corpus()
    print(f"{len(corpus)} rows: " + ", ".join(f"{s} {sum(r.split == s for r in corpus)}" for s in SPLITS))
    print(datasheet_tables(corpus))
