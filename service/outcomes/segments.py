"""Emotional ("empagraphic") segments: customers clustered by emotional profile, beside the demographic and
transactional segments the business already has.

A Gaussian mixture over standardised profile features (:data:`SEGMENT_FEATURES`, counts on a log scale) of the
customers active in the last 90 days; the number of segments (2..``max_segments``; one when the customers do not
separate) is the one whose partition is best separated (silhouette; BIC is reported too, but on profiles without
sharp clusters it keeps falling as segments are added, and the extra segments split customers differently from seed
to seed). Each segment is named by the features that set it apart most (mean z-scores), in words that compare it
with the others. Seeded, so the same data gives the same segments.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from emotrace.errors import EmotraceError
from emotrace.outcomes.learn import fitted_scale
from emotrace.scoring.profile import profile_at
from emotrace.scoring.rules import ScoringRules
from emotrace.store import Store

SEGMENT_FEATURES = ("satisfaction", "valence", "arousal", "anger_share", "joy_share", "sadness_share", "fear_share",
                    "volatility", "contacts_30d", "alerts")
# A segment's words compare it with the others (its mean z-score above or below 0), never an absolute state: a
# segment of satisfied customers may still be the "less satisfied" one.
WORDS = {"satisfaction": ("more satisfied", "less satisfied"), "valence": ("more positive", "more negative"),
         "arousal": ("more intense", "calmer"), "anger_share": ("angrier", "less angry"),
         "joy_share": ("more joyful", "less joyful"), "sadness_share": ("sadder", "less sad"),
         "fear_share": ("more worried", "less worried"), "volatility": ("more volatile", "steadier"),
         "contacts_30d": ("more contacts", "fewer contacts"), "alerts": ("more alerts", "fewer alerts")}
SET_APART = 0.1  # a mean z-score this far from 0 sets a segment apart; nearer, it is named "typical"
TYPICAL = "typical: nothing sets it apart"
COUNT_FEATURES = ("contacts_30d", "alerts")
MIN_CUSTOMERS = 20
ACTIVE_DAYS = 90.0  # customers without a message in this long have no emotional profile to cluster
MANY_VALUES = 10  # a numeric attribute with more distinct values than this is summed up, not counted per value


@dataclass
class Segment:
    """One emotional segment: its name, size, what sets it apart, and its members' mean profile."""

    name: str
    size: int
    distinguishing: list[tuple[str, float]]  # (feature, mean z-score), strongest first
    means: dict[str, float]
    attributes: dict[str, dict[str, int]] = field(default_factory=dict)  # attribute -> value -> members
    attribute_figures: dict[str, dict[str, float]] = field(default_factory=dict)  # numeric ones: customers, mean, ...


@dataclass
class Segmentation:
    """The segments, each customer's segment, and how the count was chosen."""

    segments: list[Segment]
    members: dict[str, str]  # customer id -> segment name
    bic: dict[int, float]
    silhouette: float
    inactive: int  # customers left out: no message in the last ACTIVE_DAYS


def _name(z: np.ndarray) -> tuple[str, list[tuple[str, float]]]:
    order = np.argsort(-np.abs(z))
    distinguishing = [(SEGMENT_FEATURES[i], round(float(z[i]) + 0.0, 2)) for i in order[:3]]  # + 0.0: no -0.0
    words = [WORDS[name][0 if value > 0 else 1] for name, value in distinguishing[:2] if abs(value) >= SET_APART]
    return ", ".join(words) or TYPICAL, distinguishing


def numeric_attributes(attributes: Mapping[str, Mapping[str, str]]) -> set[str]:
    """The attributes summed up per segment rather than counted value by value: every value given is a number, and
    more than :data:`MANY_VALUES` distinct ones (spend, tenure; a plan tier numbered 1-3 stays a category)."""
    values: dict[str, set[str]] = {}
    for given in attributes.values():
        for key, value in given.items():
            if value.strip():
                values.setdefault(key, set()).add(value.strip())
    return {key for key, found in values.items() if len(found) > MANY_VALUES and all(map(_is_number, found))}


def _is_number(value: str) -> bool:
    try:
        return math.isfinite(float(value))
    except ValueError:
        return False


def _summary(amounts: list[float]) -> dict[str, float]:
    """Members with a value, mean, median, min and max; each value halved or divided before it is added, so amounts
    near the float limit do not overflow."""
    ordered, n = sorted(amounts), len(amounts)
    middle = ordered[n // 2] if n % 2 else ordered[n // 2 - 1] / 2 + ordered[n // 2] / 2
    return {"customers": n, "mean": round(math.fsum(a / n for a in ordered), 2), "median": round(middle, 2),
            "min": ordered[0], "max": ordered[-1]}


def segment_customers(profiles: Mapping[str, Mapping[str, float]], max_segments: int = 6, seed: int = 0,
                      attributes: Mapping[str, Mapping[str, str]] | None = None) -> Segmentation:
    """Cluster the customers active in the last :data:`ACTIVE_DAYS` by their profiles (``profile_at`` features);
    ``attributes`` (the business's own, by customer) are cross-tabulated per segment. Needs :data:`MIN_CUSTOMERS`
    active customers (E806)."""
    from sklearn.metrics import silhouette_score
    from sklearn.mixture import GaussianMixture

    ids = sorted(c for c, profile in profiles.items() if profile["days_since_contact"] <= ACTIVE_DAYS)
    if len(ids) < MIN_CUSTOMERS:
        raise EmotraceError("E806", f"Segments need at least {MIN_CUSTOMERS} customers with a message in the last "
                            f"{ACTIVE_DAYS:.0f} days; there are {len(ids)}.", "Store more customers' messages first.")
    x = np.array([[profiles[c][name] for name in SEGMENT_FEATURES] for c in ids])
    counts = [SEGMENT_FEATURES.index(name) for name in COUNT_FEATURES]
    shaped = x.copy()
    shaped[:, counts] = np.log1p(shaped[:, counts])  # counts are heavy-tailed: a few very frequent contacters
    mean, scale = fitted_scale(shaped)
    z = (shaped - mean) / scale
    fits = {k: GaussianMixture(k, covariance_type="diag", n_init=10, random_state=seed).fit(z)
            for k in range(2, min(max_segments, len(ids) // 10) + 1)}
    bic = {k: round(float(model.bic(z)), 1) for k, model in fits.items()}
    partitions = {k: model.predict(z) for k, model in fits.items()}
    silhouettes = {k: float(silhouette_score(z, labels)) if len(set(labels.tolist())) > 1 else -1.0
                   for k, labels in partitions.items()}
    best = max(silhouettes, key=silhouettes.__getitem__)
    labels = partitions[best]
    numeric = numeric_attributes(attributes or {})
    names: dict[int, str] = {}
    segments = []
    for cluster in sorted(set(labels.tolist()), key=lambda c: -int((labels == c).sum())):
        inside = labels == cluster
        name, distinguishing = _name(z[inside].mean(axis=0))
        name = name if name not in names.values() else f"{name} ({len(names) + 1})"
        names[cluster] = name
        tables: dict[str, Counter[str]] = {}
        amounts: dict[str, list[float]] = {}
        for customer in (c for c, member in zip(ids, inside, strict=True) if member):
            for key, value in (attributes or {}).get(customer, {}).items():
                if key not in numeric:
                    tables.setdefault(key, Counter())[value] += 1
                elif value.strip():
                    amounts.setdefault(key, []).append(float(value))
        segments.append(Segment(name, int(inside.sum()), distinguishing,
                                {f: round(float(v), 3) for f, v in zip(SEGMENT_FEATURES, x[inside].mean(axis=0),
                                                                       strict=True)},
                                {k: dict(v.most_common()) for k, v in sorted(tables.items())},
                                {k: _summary(v) for k, v in sorted(amounts.items())}))
    return Segmentation(segments, {c: names[int(label)] for c, label in zip(ids, labels, strict=True)}, bic,
                        round(silhouettes[best], 3), len(profiles) - len(ids))


def adjusted_rand(first: Segmentation, second: Segmentation, customers: Sequence[str]) -> float:
    """Agreement of two segmentations of the same customers (1 = the same partition, whatever the names)."""
    from sklearn.metrics import adjusted_rand_score

    return float(adjusted_rand_score([first.members[c] for c in customers], [second.members[c] for c in customers]))


def segment_store(store: Store, rules: ScoringRules, now: datetime, seed: int = 0) -> Segmentation:
    """The segments of every stored customer with messages, profiled as of ``now``, with their attributes."""
    profiles = {customer: profile_at(found, now, rules) for customer, found in store.messages.customer_signals()}
    return segment_customers(profiles, seed=seed, attributes=store.customers.attributes())
