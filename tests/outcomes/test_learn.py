"""Outcome models on a generated population with known churn drivers (evaluation/outcome_population.py)."""

from __future__ import annotations

import math
import random
from datetime import timedelta

import pytest

from emotrace.evaluation.outcome_population import DRIVERS, START, generate
from emotrace.outcomes.learn import FitOptions, OutcomeModel, OutcomeRecord, event_examples, fit_all, load_outcome_models
from emotrace.scoring.rules import ScoringRules

RULES = ScoringRules()


@pytest.fixture(scope="module")
def population():
    return generate(customers=800, days=180, seed=0)  # the benchmark's first population (docs/benchmarks.md)


def test_churn_is_learnt_beating_both_baselines_and_finding_a_driver(population, tmp_path) -> None:
    signals, outcomes = population
    models, report = fit_all(signals, outcomes, RULES, FitOptions())
    churn = report["churned"]
    assert churn["shipped"] is True
    baselines = churn["baselines"]
    assert churn["model"]["auc"] > max(b["auc"] for b in baselines.values())
    assert churn["model"]["auc"] > 0.65
    assert set(DRIVERS) & set(churn["strongest_features"])  # a known driver is among the five strongest
    models["churned"].save(tmp_path)
    loaded = load_outcome_models(tmp_path)["churned"]
    example = event_examples(signals, outcomes, "churned", RULES, FitOptions())[0].features
    assert loaded.probability(example) == pytest.approx(models["churned"].probability(example))
    assert len(loaded.contributions(example)) == 3


def test_features_are_computed_as_of_the_cut_off(population) -> None:
    """No leakage: cutting every history at a date leaves the features of earlier snapshots unchanged."""
    signals, outcomes = population
    cut = min(s.timestamp for found in signals.values() for s in found) + timedelta(days=80)
    truncated = {c: [s for s in found if s.timestamp <= cut] for c, found in signals.items()}
    options = FitOptions(horizon_days=1)  # labels may look ahead; features may not
    full = {(e.customer_id, e.at): e.features for e in event_examples(signals, outcomes, "churned", RULES, options)
            if e.at <= cut}
    early = {(e.customer_id, e.at): e.features for e in event_examples(truncated, outcomes, "churned", RULES, options)
             if e.at <= cut}
    assert full and full.keys() <= early.keys()
    assert all(full[key] == early[key] for key in full)


def test_a_kind_with_too_few_labels_says_how_many_more_it_needs(population) -> None:
    signals, _ = population
    customer = next(iter(signals))
    at = signals[customer][-1].timestamp
    few = [OutcomeRecord(customer, "csat", at, 1.0), *(OutcomeRecord(c, "csat", at, 5.0) for c in list(signals)[1:30])]
    models, report = fit_all(signals, few, RULES, FitOptions())
    assert models == {}
    assert report["csat"]["reason"] == "too few labels: 1 positive example, needs 20 (19 more)"


def test_an_event_no_snapshot_fits_says_the_history_is_too_short_for_the_windows(population) -> None:
    """Found by a new-user trial: on 8 weeks of messages `outcomes fit` said "0 negative examples, needs 20" although
    19 customers had not churned; no snapshot fitted, the history being shorter than --history-days plus
    --horizon-days."""
    signals, outcomes = population
    models, report = fit_all(signals, outcomes, RULES, FitOptions(history_days=100, horizon_days=100))
    assert "churned" not in models and report["churned"]["examples"] == 0
    assert report["churned"]["reason"] == (
        "no snapshot fits: the messages span 179 days, and a snapshot needs --history-days (100) before it and "
        "--horizon-days (100) after it; lower them, or store a longer history"), report["churned"]["reason"]


def test_a_model_that_does_not_beat_the_baselines_is_not_shipped(population) -> None:
    """Churn drawn by coin flip: nothing in the timelines predicts it, so no model is shipped."""
    signals, _ = population
    rng = random.Random(0)
    # dates over the population's whole span (180 days): a span shorter than the history made every snapshot after
    # it a negative, which features that grow with time (alerts in the last 30 days) could learn
    noise = [OutcomeRecord(c, "churned", START + timedelta(days=rng.uniform(40, 180)), None)
             for c in signals if rng.random() < 0.3]
    models, report = fit_all(signals, noise, RULES, FitOptions())
    assert "churned" not in models
    assert report["churned"]["reason"].startswith("does not beat the baselines")


def test_contributions_point_at_the_features_that_moved_the_prediction() -> None:
    model = OutcomeModel("churned", ["a", "b", "c"], [0.0, 0.0, 0.0], [1.0, 1.0, 1.0], [2.0, -1.0, 0.0], 0.0)
    assert model.contributions({"a": 1.0, "b": 3.0, "c": 5.0}, top=2) == [("b", -3.0), ("a", 2.0)]
    assert model.probability({"a": 0.0, "b": 0.0, "c": 9.0}) == 0.5


def test_a_kind_cross_validation_cannot_score_says_so(population) -> None:
    """Found by a new-user trial: "does not beat the baselines out of sample (AUC None vs best baseline 0.0000, Brier
    None vs 1.0000)" when no time-ordered fold could be scored at all (scored 0 of 742)."""
    signals, _ = population
    late = [OutcomeRecord(c, "renewed", START + timedelta(days=179), None) for c in list(signals)[:120]]
    models, report = fit_all(signals, late, RULES, FitOptions())
    figures = report["renewed"]
    assert "renewed" not in models and figures["model"]["scored"] == 0, figures
    assert figures["reason"].startswith("time-ordered cross-validation scored no fold"), figures["reason"]
    assert "None" not in figures["reason"]


# Found by a read-only review of the outcome models (2026-12-06): each failed on the code before its fix.

def _examples(labels_of, n: int, seed: int, per_day: int = 1) -> list:
    """``n`` csat examples with 20 standard-normal profile features, dated ``per_day`` a day; ``labels_of(i, x,
    rng)`` labels example ``i`` of features ``x``."""
    import numpy as np

    from emotrace.outcomes.learn import Example
    from emotrace.scoring.profile import PROFILE_FEATURES

    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        x = dict(zip(PROFILE_FEATURES, rng.normal(size=len(PROFILE_FEATURES)).tolist(), strict=False))
        rows.append(Example(f"c{i}", START + timedelta(days=i // per_day), int(labels_of(i, x, rng)), x))
    return rows


def test_a_model_of_features_that_say_nothing_is_never_shipped() -> None:
    """Labels drawn independently of the features: a model shipped on 21 of 60 draws (AUC 0.439, Brier 0.2322
    where always saying the base rate scores 0.2313), because only the two one-feature baselines had to be beaten."""
    from emotrace.outcomes.learn import fit_outcome_model

    shipped = [seed for seed in range(60)
               if fit_outcome_model("csat", _examples(lambda i, x, rng: rng.random() < 0.3, 200, seed),
                                    FitOptions())[0] is not None]
    assert shipped == []


def test_a_model_whose_probabilities_are_off_is_not_shipped() -> None:
    """The module promised probabilities checked by calibration error; a model with calibration error 0.216 (Brier
    0.2507, worse than always saying 0.5) shipped."""
    from emotrace.outcomes.learn import fit_outcome_model

    def drifting(i, x, rng):
        logit = -3 + 4.5 * i / 600 + 1.5 * x["negative_share"]
        return rng.random() < 1 / (1 + math.exp(-logit))

    model, figures = fit_outcome_model("csat", _examples(drifting, 600, 0), FitOptions())
    scores = figures["model"]
    assert model is None or (scores["calibration_error"] <= 0.1 and scores["brier"] < 0.25), figures


def test_the_same_examples_in_another_order_give_the_same_figures() -> None:
    """Folds were cut by position among examples sharing a date: the order outcomes were stored in moved AUC by
    0.035 and could flip the decision."""
    from emotrace.outcomes.learn import fit_outcome_model

    examples = _examples(lambda i, x, rng: rng.random() < 1 / (1 + math.exp(-x["negative_share"])), 240, 4, 50)
    shuffled = examples[:]
    random.Random(1).shuffle(shuffled)
    assert fit_outcome_model("csat", examples, FitOptions())[1] == fit_outcome_model("csat", shuffled, FitOptions())[1]


def test_a_folder_whose_metrics_file_is_not_an_earlier_fit_s_is_not_replaced(tmp_path) -> None:
    from emotrace.errors import EmotraceError
    from emotrace.outcomes.learn import check_models_folder

    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "metrics.json").write_text('["accuracy", "kinds"]')
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(EmotraceError, match="E314"):
        check_models_folder(tmp_path / "mine")


def test_a_refit_that_ships_nothing_leaves_no_earlier_model_served(tmp_path, population) -> None:
    """A second fit where no kind shipped printed "no model written" while the first fit's churned.json stayed in
    --out and kept being served."""
    from emotrace.outcomes.learn import write_models

    signals, outcomes = population
    models, report = fit_all(signals, outcomes, RULES, FitOptions())
    write_models(tmp_path / "out", models, report, "first")
    assert "churned" in load_outcome_models(tmp_path / "out")
    write_models(tmp_path / "out", {}, {"churned": {**report["churned"], "shipped": False, "reason": "r"}}, "second")
    assert load_outcome_models(tmp_path / "out") == {}
    (tmp_path / "out.partial").mkdir()
    (tmp_path / "out.partial" / "keep.txt").write_text("a user's")
    write_models(tmp_path / "out", models, report, "third")
    assert (tmp_path / "out.partial" / "keep.txt").exists()  # a folder the fit did not make is not deleted
