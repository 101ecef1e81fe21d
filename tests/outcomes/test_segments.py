"""Emotional segments on generated customers: stable, named by what sets them apart, attributes cross-tabulated."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from emotrace.errors import EmotraceError
from emotrace.evaluation.outcome_population import START, generate
from emotrace.outcomes.segments import adjusted_rand, segment_customers
from emotrace.scoring.profile import profile_at
from emotrace.scoring.rules import ScoringRules


@pytest.fixture(scope="module")
def profiles():
    signals, _ = generate(customers=300, days=120, seed=5)
    return {c: profile_at(found, START + timedelta(days=120), ScoringRules()) for c, found in signals.items()}


def test_segments_are_deterministic_stable_and_named_by_what_sets_them_apart(profiles) -> None:
    first, again, other_seed = (segment_customers(profiles, seed=0), segment_customers(profiles, seed=0),
                                segment_customers(profiles, seed=1))
    assert first.members == again.members
    assert adjusted_rand(first, other_seed, sorted(first.members)) >= 0.9
    assert sum(s.size for s in first.segments) == len(first.members) == len(profiles) - first.inactive
    assert 0 < first.silhouette <= 1 and set(first.bic) >= {2, 3}
    happiest = max(first.segments, key=lambda s: s.means["satisfaction"])
    unhappiest = min(first.segments, key=lambda s: s.means["satisfaction"])
    assert happiest.means["anger_share"] < unhappiest.means["anger_share"]
    assert any(word in unhappiest.name for word in ("angrier", "less satisfied", "more negative", "less joyful"))


def test_attributes_are_cross_tabulated_per_segment(profiles) -> None:
    attributes = {c: {"plan": "pro" if i % 3 == 0 else "free"} for i, c in enumerate(sorted(profiles))}
    found = segment_customers(profiles, attributes=attributes)
    totals = {"pro": 0, "free": 0}
    for segment in found.segments:
        for value, count in segment.attributes["plan"].items():
            totals[value] += count
    members = sorted(found.members)
    assert totals == {"pro": sum(attributes[c]["plan"] == "pro" for c in members),
                      "free": sum(attributes[c]["plan"] == "free" for c in members)}


def test_too_few_active_customers_is_a_clear_error(profiles) -> None:
    with pytest.raises(EmotraceError, match="E806"):
        segment_customers(dict(list(profiles.items())[:10]))


def test_a_numeric_attribute_is_summed_up_per_segment_not_counted_value_by_value(profiles) -> None:
    """Found by a new-user trial: `annual_spend` was cross-tabulated as 16 amounts each held by 1 member; an analyst
    needs each segment's mean and median spend (the value at risk)."""
    ids = sorted(profiles)
    attributes = {c: {"plan": "pro", "annual_spend": f"{100 + i * 2.5:.2f}"} for i, c in enumerate(ids)}
    attributes[ids[0]]["annual_spend"] = ""  # a customer whose spend is not known
    found = segment_customers(profiles, attributes=attributes)
    for segment in found.segments:
        assert "annual_spend" not in segment.attributes and segment.attributes["plan"]
        spend = segment.attribute_figures["annual_spend"]
        members = [float(attributes[c]["annual_spend"]) for c, s in found.members.items()
                   if s == segment.name and attributes[c]["annual_spend"]]
        assert spend == {"customers": len(members), "mean": round(sum(members) / len(members), 2),
                         "median": round(float(np.median(members)), 2), "min": min(members), "max": max(members)}


def test_numeric_attribute_figures_hold_for_values_near_the_float_limit(profiles) -> None:
    """Found by a re-trial: amounts near 1e308 gave mean and median null (their sum overflowed), and members
    counted as 16.0."""
    ids = sorted(profiles)
    attributes = {c: {"huge": f"{1.0e308 + i * 1e305:.6e}"} for i, c in enumerate(ids)}
    for segment in segment_customers(profiles, attributes=attributes).segments:
        figures = segment.attribute_figures["huge"]
        assert isinstance(figures["customers"], int)
        assert figures["min"] <= figures["mean"] <= figures["max"] and figures["min"] <= figures["median"] <= figures["max"]


# Found by a read-only review of the segments (2026-12-06): each failed on the code before its fix.

def _profile(**given: float) -> dict[str, float]:
    from emotrace.scoring.profile import PROFILE_FEATURES

    return {**dict.fromkeys(PROFILE_FEATURES, 0.0), "days_since_contact": 1.0, **given}


def test_segment_names_compare_segments_and_never_contradict_their_figures() -> None:
    """Names said "no alerts, dissatisfied" of a segment averaging 2 alerts and satisfaction +0.80: absolute words for
    z-scores, which only say how a segment compares with the others."""
    rng = np.random.default_rng(0)
    profiles = {f"a{i}": _profile(alerts=2, satisfaction=0.80 + rng.normal(0, 0.01)) for i in range(20)}
    profiles |= {f"b{i}": _profile(alerts=12, satisfaction=0.85 + rng.normal(0, 0.01)) for i in range(20)}
    found = segment_customers(profiles)
    names = " / ".join(s.name for s in found.segments)
    assert "no alerts" not in names and "dissatisfied" not in names, names
    fewer = min(found.segments, key=lambda s: s.means["alerts"])
    assert "fewer alerts" in fewer.name, names


def test_customers_alike_in_every_feature_are_one_segment_named_as_typical() -> None:
    """25 identical profiles (satisfaction +0.9) made one segment named "dissatisfied, negative" (a z of exactly 0
    took the negative word)."""
    found = segment_customers({f"c{i}": _profile(satisfaction=0.9, valence=0.8) for i in range(25)})
    assert [s.name for s in found.segments] == ["typical: nothing sets it apart"]
