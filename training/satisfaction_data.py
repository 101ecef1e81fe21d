"""Weak satisfaction labels (0 dissatisfied, 1 neutral, 2 satisfied) from customer-feedback sources.

Splits are 80/10/10 by a stable hash of a group key, so one product's reviews or one complaint never
straddle train and test:

- ``womens_clothing_reviews``: grouped by Clothing ID. Rating 1-2 -> dissatisfied, 4-5 -> satisfied.
  Rating 3 follows the reviewer's own "recommended" verdict: not recommended -> dissatisfied; recommended
  3-star reviews are mixed praise and complaint and are left out rather than forced into a class.
- ``cfpb_complaints_sample``: every consumer narrative is a complaint -> dissatisfied (grouped by id).
- ``banking77``: intents mapped by ``mappings/banking77_satisfaction.json`` (problem report ->
  dissatisfied, inquiry -> neutral); its own train/test split is kept, dev is carved from train.
- ``tweets``: SemEval-2017 Task 4A (CC BY 3.0): negative -> dissatisfied, neutral -> neutral, positive ->
  satisfied. The 2013-2016 gold pool is train (dev carved by a stable hash of the tweet id); the official
  2017 test (TweetEval sentiment) is test.
- ``goemotions``: chat-register anchors from the GoEmotions train split: rows whose labels are all
  in SATISFIED_EMOTIONS -> satisfied, all in DISSATISFIED_EMOTIONS -> dissatisfied, neutral-only -> neutral.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from emotrace.model.labels import GOEMOTIONS_LABELS
from emotrace.training.data import read_goemotions_tsv, rows_that, split_of

MAPPING_FILE = Path(__file__).parent / "mappings" / "banking77_satisfaction.json"
SATISFIED_EMOTIONS = frozenset({"gratitude", "admiration", "approval", "joy", "relief", "love", "optimism"})
DISSATISFIED_EMOTIONS = frozenset({"anger", "annoyance", "disappointment", "disapproval", "disgust"})
DISSATISFIED, NEUTRAL, SATISFIED = 0, 1, 2
OTHER = -1  # a two-class file's second class (neutral or satisfied, not told apart): scored dissatisfied vs the rest
# the classes a labelled file names (three, or adapt's two: dissatisfied / other), by their codes
CLASS_NAMES = {"dissatisfied": DISSATISFIED, "neutral": NEUTRAL, "satisfied": SATISFIED, "other": OTHER}


@dataclass
class SatisfactionData:
    """Texts, class ids and the source each row came from."""

    texts: list[str] = field(default_factory=list)
    classes: list[int] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def add(self, text: str, cls: int, source: str) -> None:
        """Append one row."""
        self.texts.append(text)
        self.classes.append(cls)
        self.sources.append(source)

    def extend(self, other: SatisfactionData) -> None:
        """Append every row of ``other``."""
        self.texts += other.texts
        self.classes += other.classes
        self.sources += other.sources

    def subset(self, keep: list[int]) -> SatisfactionData:
        """The rows at the positions ``keep``."""
        return SatisfactionData([self.texts[i] for i in keep], [self.classes[i] for i in keep],
                                [self.sources[i] for i in keep])


def rating_to_class(rating: int, recommended: bool | None = None) -> int | None:
    """Star rating (1-5) to a satisfaction class; 3 stars follow ``recommended`` (see module doc)."""
    if rating <= 2:
        return DISSATISFIED
    if rating >= 4:
        return SATISFIED
    return DISSATISFIED if recommended is False else None


def reviews(data_root: Path, split: str) -> SatisfactionData:
    """Women's clothing reviews (title + text) with rating-derived classes."""
    out = SatisfactionData()
    with (data_root / "womens_clothing_reviews" / "reviews.csv").open(encoding="utf-8", newline="") as h:
        for row in csv.DictReader(h):
            body = (row["Review Text"] or "").strip()
            if not body or split_of("cloth" + row["Clothing ID"]) != split:
                continue
            cls = rating_to_class(int(row["Rating"]), row["Recommended IND"] == "1")
            if cls is not None:
                title = (row["Title"] or "").strip()
                out.add(f"{title}. {body}" if title else body, cls, "reviews")
    return out


def cfpb(data_root: Path, split: str) -> SatisfactionData:
    """CFPB complaint narratives, all dissatisfied."""
    out = SatisfactionData()
    path = data_root / "cfpb_complaints_sample" / "complaints_sample.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            text = (row["Consumer complaint narrative"] or "").strip()
            if text and split_of("cfpb" + row["Complaint ID"]) == split:
                out.add(text, DISSATISFIED, "cfpb")
    return out


def banking77(data_root: Path, split: str) -> SatisfactionData:
    """BANKING77 queries: problem reports dissatisfied, inquiries neutral."""
    mapping = json.loads(MAPPING_FILE.read_text())
    problem = set(mapping["problem_report"])
    filename = "test.csv" if split == "test" else "train.csv"
    out = SatisfactionData()
    with (data_root / "banking77" / filename).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if split != "test" and ("dev" if split_of("b77" + row["text"]) == "dev" else "train") != split:
                continue
            out.add(row["text"], DISSATISFIED if row["category"] in problem else NEUTRAL, "banking77")
    return out


TWEET_CLASSES = {"negative": DISSATISFIED, "neutral": NEUTRAL, "positive": SATISFIED}


def tweets(data_root: Path, split: str) -> SatisfactionData:
    """SemEval-2017 Task 4A tweets with polarity read as satisfaction (see module doc)."""
    folder = data_root / "semeval2017_task4a"
    out = SatisfactionData()
    if split == "test":
        with (folder / "semeval_2017_test.csv").open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                out.add(row["text"], TWEET_CLASSES[row["label"]], "tweets")
        return out
    with (folder / "semeval_2013_2016_train.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if ("dev" if split_of("semeval" + row["tweet_id"]) == "dev" else "train") == split:
                out.add(row["text"], TWEET_CLASSES[row["label"]], "tweets")
    return out


def goemotions_anchors(data_root: Path, split: str) -> SatisfactionData:
    """GoEmotions rows whose emotions clearly read as (dis)satisfied or neutral."""
    name = {"train": "train.tsv", "dev": "dev.tsv"}[split]
    data = read_goemotions_tsv(data_root / "goemotions" / "original" / name, GOEMOTIONS_LABELS)
    out = SatisfactionData()
    for text, row in zip(data.texts, data.targets, strict=True):
        names = {GOEMOTIONS_LABELS[i] for i in np.flatnonzero(row)}
        if names <= SATISFIED_EMOTIONS:
            out.add(text, SATISFIED, "goemotions")
        elif names <= DISSATISFIED_EMOTIONS:
            out.add(text, DISSATISFIED, "goemotions")
        elif names == {"neutral"}:
            out.add(text, NEUTRAL, "goemotions")
    return out


def balanced_cap(data: SatisfactionData, cap_per_source_class: int, seed: int) -> SatisfactionData:
    """At most ``cap_per_source_class`` rows of each (source, class), drawn at random."""
    rng = random.Random(seed)
    groups: dict[tuple[str, int], list[int]] = {}
    for i, key in enumerate(zip(data.sources, data.classes, strict=True)):
        groups.setdefault(key, []).append(i)
    keep: list[int] = []
    for _, idx in sorted(groups.items()):
        rng.shuffle(idx)
        keep += idx[:cap_per_source_class]
    return data.subset(sorted(keep))


def load_satisfaction(data_root: Path, split: str, cap_per_source_class: int | None = None,
                      seed: int = 13) -> SatisfactionData:
    """All satisfaction sources for ``split`` (GoEmotions anchors only for train/dev)."""
    out = SatisfactionData()
    loaders = [reviews, cfpb, banking77, tweets] + ([goemotions_anchors] if split != "test" else [])
    for loader in loaders:
        out.extend(loader(data_root, split))
    return balanced_cap(out, cap_per_source_class, seed) if cap_per_source_class else out


def read_satisfaction_records(path: Path, text_column: str, rating_column: str | None = None,
                              satisfaction_column: str | None = None,
                              encoding: str = "utf-8") -> tuple[SatisfactionData, int, int]:
    """Rows of a CSV/JSONL/Parquet file labelled by a 1-5 star rating or by class names.

    Returns the data, how many 3-star rows were left out (mixed, not scored) and how many rows had an empty rating
    or class (left out, not an error); a value that is neither is E212, naming the rows (counted from 1). Classes are
    dissatisfied/neutral/satisfied, or two, dissatisfied/other (as ``emotrace adapt`` reads them: ``OTHER``); a file
    mixing 'other' with neutral or satisfied is E212 naming the fewer kind's rows.
    """
    from emotrace.errors import EmotraceError
    from emotrace.tabular import cell_text
    from emotrace.training.data import read_records, refuse_unreadable_texts, unreadable

    if (rating_column is None) == (satisfaction_column is None):
        raise EmotraceError("E211", "Give exactly one of --rating-column and --satisfaction-column.",
                            "Ratings are 1-5 stars; classes are dissatisfied/neutral/satisfied.")
    column = rating_column or satisfaction_column
    assert column is not None
    records = read_records(path, encoding, (text_column, column))
    out, dropped, unrated, bad = SatisfactionData(), 0, 0, []
    other_rows: list[int] = []  # 'other' (two classes) and neutral/satisfied (three) rows: a file holds one form
    three_rows: list[int] = []
    empty_texts: list[int] = []
    for row_no, record in enumerate(records, 1):
        value = cell_text(record.get(column)).strip().lower()  # a rating of 0 is a value (refused), not none
        if not value:
            unrated += 1
            continue
        if value == "other":
            other_rows.append(row_no)
        elif value in ("neutral", "satisfied"):
            three_rows.append(row_no)
        if rating_column:
            try:
                rating = float(value)
            except ValueError:
                rating = -1.0
            if rating not in {1.0, 2.0, 3.0, 4.0, 5.0}:
                bad.append(row_no)
                continue
            cls = rating_to_class(int(rating))
        else:
            if value not in CLASS_NAMES:
                bad.append(row_no)
                continue
            cls = CLASS_NAMES[value]
        text = cell_text(record.get(text_column))
        if cls is None:
            dropped += 1
        elif unreadable(text):
            empty_texts.append(row_no)
        else:
            out.add(text, cls, path.name)
    expected = "whole stars 1-5" if rating_column else "dissatisfied, neutral or satisfied (or dissatisfied/other)"
    if not rating_column and other_rows and three_rows:  # name the odd ones out (a tie reads as two classes: 'other' says so)
        two = len(other_rows) >= len(three_rows)
        bad = sorted(bad + (three_rows if two else other_rows))
        expected = "dissatisfied/other: two classes" if two else "dissatisfied/neutral/satisfied: three classes"
    if bad:
        raise EmotraceError("E212", f"{rows_that(bad, path, f'a {column!r} value outside {expected}')}.",
                            "Fix or remove those rows.")
    refuse_unreadable_texts(empty_texts, path, text_column)
    return out, dropped, unrated
