"""Churn learnt from a generated population whose churn drivers are known: does ``emotrace outcomes fit`` beat
the two baselines (the score alone, the contact count alone), and does it find the drivers?

    python -m emotrace.evaluation.outcome_population [--customers 1500] [--days 180] [--seed 0]

The generator (seeded; readings are generated directly, the emotion model is not involved):

- each customer has a base mood (N(0.2, 0.35)) and a contact rate (0.02-0.15 contacts a day); 40 % live through
  one bad episode (14-45 days from a random day) that lowers their mood by 0.6-1.2 and doubles their contacts;
- a contact is a conversation of 1-3 customer messages and 1-2 agent turns; a customer message reads
  satisfaction = mood + N(0, 0.3), valence = 0.8 satisfaction + N(0, 0.2), Ekman anger = 0.9 sigmoid(-3 mood + e),
  joy = 0.9 sigmoid(3 mood + e), arousal = 0.3 + 0.5 anger + N(0, 0.1) (clipped to their ranges);
- the daily churn hazard is 0.0006 x exp(3 max(0, -s) + 2.5 a), with s the mean satisfaction and a the mean anger
  of the customer's messages of the last 14 days: **the known drivers are recent satisfaction and anger**, not the
  contact count (contacts rise in an episode too, so it is a confounded baseline). A churned customer writes no more.
"""

from __future__ import annotations

import argparse
import math
import random
from datetime import UTC, datetime, timedelta
from typing import cast

from emotrace.evaluation.common import print_figures
from emotrace.outcomes.learn import FitOptions, OutcomeRecord, fit_all
from emotrace.scoring.profile import PROFILE_FEATURES
from emotrace.scoring.rules import ScoringRules
from emotrace.scoring.timeline import CUSTOMER, Signal

DRIVERS = ("recent_satisfaction", "anger_share")
START = datetime(2026, 1, 1, tzinfo=UTC)


def _clip(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def generate(customers: int, days: int, seed: int) -> tuple[dict[str, list[Signal]], list[OutcomeRecord]]:
    """Signals of every generated customer and their churn events (see the module docstring)."""
    rng = random.Random(seed)
    signals: dict[str, list[Signal]] = {}
    outcomes: list[OutcomeRecord] = []
    message_id = 0
    for c in range(customers):
        customer_id, mood0, rate = f"gen-{c}", rng.gauss(0.2, 0.35), rng.uniform(0.02, 0.15)
        episode = (rng.uniform(0, days), rng.uniform(14, 45), rng.uniform(0.6, 1.2)) if rng.random() < 0.4 else None
        found: list[Signal] = []
        for day in range(days):
            in_episode = episode is not None and episode[0] <= day < episode[0] + episode[1]
            mood = mood0 - (episode[2] if episode is not None and in_episode else 0.0)
            for conversation in range(_poisson(rng, rate * (2 if in_episode else 1))):
                at = START + timedelta(days=day, hours=rng.uniform(8, 18))
                conv = f"{customer_id}-{day}-{conversation}"
                for turn in range(rng.randint(1, 3)):
                    message_id += 1
                    satisfaction = _clip(mood + rng.gauss(0, 0.3), -1, 1)
                    anger = 0.9 * _sigmoid(-3 * mood + rng.gauss(0, 0.5))
                    emotions = {"anger": anger, "joy": 0.9 * _sigmoid(3 * mood + rng.gauss(0, 0.5)), "sadness": 0.1}
                    found.append(Signal(message_id, conv, at + timedelta(minutes=4 * turn), CUSTOMER,
                                        _clip(0.8 * satisfaction + rng.gauss(0, 0.2), -1, 1),
                                        _clip(0.3 + 0.5 * anger + rng.gauss(0, 0.1), 0, 1), satisfaction, emotions))
                for turn in range(rng.randint(1, 2)):
                    message_id += 1
                    found.append(Signal(message_id, conv, at + timedelta(minutes=2 + 4 * turn), "agent", 0.3, 0.3,
                                        0.3, {"joy": 0.3}))
            recent = [s for s in found if s.speaker == CUSTOMER and (START + timedelta(days=day + 1)) - s.timestamp
                      <= timedelta(days=14)]
            s = sum(x.satisfaction for x in recent) / len(recent) if recent else 0.0
            a = sum(x.emotions["anger"] for x in recent) / len(recent) if recent else 0.0
            if rng.random() < 0.0006 * math.exp(3 * max(0.0, -s) + 2.5 * a):
                outcomes.append(OutcomeRecord(customer_id, "churned", START + timedelta(days=day, hours=20), None))
                break
        signals[customer_id] = found
    return signals, outcomes


def _poisson(rng: random.Random, rate: float) -> int:
    count, threshold, product = 0, math.exp(-rate), rng.random()
    while product > threshold:
        count += 1
        product *= rng.random()
    return count


def generated_population(description: str | None) -> tuple[argparse.Namespace, dict[str, list[Signal]],
                                                           list[OutcomeRecord]]:
    """The command line's ``--customers --days --seed`` and the population they generate."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1500)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    return args, *generate(args.customers, args.days, args.seed)


def main() -> None:
    """Generate, fit churn with time-ordered cross-validation, print AUC/Brier vs baselines and driver recovery."""
    args, signals, outcomes = generated_population(__doc__)
    models, report = fit_all(signals, outcomes, ScoringRules(), FitOptions())
    churn = report["churned"]
    figures: dict[str, object] = {"customers": args.customers, "churned": len(outcomes),
                                  "examples": churn["examples"], "positive examples": churn["positives"],
                                  "shipped": churn["shipped"]}
    scored = cast(dict[str, dict[str, object]], {"model": churn["model"], **cast(dict[str, object], churn["baselines"])})
    for name, scores in scored.items():
        figures[f"{name}: AUC"], figures[f"{name}: Brier"] = scores["auc"], scores["brier"]
        figures[f"{name}: calibration error"] = scores["calibration_error"]
    if "churned" in models:
        model = models["churned"]
        ranked = model.ranked_features()
        figures["strongest features"] = ", ".join(ranked[:5])
        figures["rank of the known drivers"] = ", ".join(f"{d} {ranked.index(d) + 1}" for d in DRIVERS)
        figures["features"] = len(PROFILE_FEATURES)
    print_figures(f"churn on a generated population (seed {args.seed})", figures)


if __name__ == "__main__":
    main()
