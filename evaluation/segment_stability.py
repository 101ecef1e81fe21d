"""Emotional segments on the generated population (``outcome_population``): how many, how separated, how stable.

    python -m emotrace.evaluation.segment_stability [--customers 1500] [--seed 0]

Profiles are taken at the end of the generated period; segments are fitted with two different seeds and compared by
the adjusted Rand index (1 = the same partition).
"""

from __future__ import annotations

from datetime import timedelta

from emotrace.evaluation.common import print_figures
from emotrace.evaluation.outcome_population import START, generated_population
from emotrace.outcomes.segments import adjusted_rand, segment_customers
from emotrace.scoring.profile import profile_at
from emotrace.scoring.rules import ScoringRules


def main() -> None:
    """Print the segment count, BIC per count, silhouette, the segments, and the two-seed adjusted Rand index."""
    args, signals, _ = generated_population(__doc__)
    end = START + timedelta(days=args.days)
    profiles = {c: profile_at(found, end, ScoringRules()) for c, found in signals.items()}
    first, second = segment_customers(profiles, seed=0), segment_customers(profiles, seed=1)
    figures: dict[str, object] = {"customers segmented": len(first.members), "inactive (left out)": first.inactive,
                                  "segments": len(first.segments),
                                  "BIC per count": first.bic, "silhouette": first.silhouette,
                                  "adjusted Rand, seed 0 vs 1": round(adjusted_rand(first, second, sorted(first.members)), 3)}
    for segment in first.segments:
        figures[f"segment '{segment.name}'"] = f"{segment.size} customers; " + ", ".join(
            f"{name} {z:+.2f} sd" for name, z in segment.distinguishing)
    print_figures(f"emotional segments, generated population (seed {args.seed})", figures)


if __name__ == "__main__":
    main()
