"""Redaction recall and precision per kind of personal data, on the labelled set of :mod:`emotrace.evaluation.pii_cases`.

A labelled span is found when a span of the same kind covers all of it (a partly redacted card number still
leaks); a found span that covers no labelled span of its kind is a false alarm.

``python -m emotrace.evaluation.pii [--per-kind 36] [--seed 0]`` (the built set);
``python -m emotrace.evaluation.pii --written [--split test]`` (the hand-written messages; rules tuned on ``dev``).
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Literal

import typer

from emotrace.evaluation.pii_cases import PiiCase, pii_cases, written_cases
from emotrace.text.redact import TAGS, find_pii


def score(cases: list[PiiCase]) -> dict[str, dict[str, float]]:
    """Per kind: labelled spans, found spans, recall, precision; 'covered' pools the kinds the redactor finds."""
    labelled, found, hits, alarms = Counter[str](), Counter[str](), Counter[str](), Counter[str]()
    for case in cases:
        predicted = find_pii(case.text)
        for start, end, kind in case.spans:
            labelled[kind] += 1
            hits[kind] += any(p.kind == kind and p.start <= start and p.end >= end for p in predicted)
        for p in predicted:
            found[p.kind] += 1
            alarms[p.kind] += not any(kind == p.kind and p.start < end and start < p.end for start, end, kind in case.spans)
    report = {}
    for kind in sorted(set(labelled) | set(found)):
        report[kind] = {"labelled": labelled[kind], "found": found[kind],
                        "recall": hits[kind] / labelled[kind] if labelled[kind] else float("nan"),
                        "precision": 1 - alarms[kind] / found[kind] if found[kind] else float("nan")}
    covered = [k for k in labelled if k in TAGS]
    pooled_found = sum(found.values())
    report["covered"] = {"labelled": sum(labelled[k] for k in covered), "found": pooled_found,
                         "recall": sum(hits[k] for k in covered) / sum(labelled[k] for k in covered),
                         "precision": 1 - sum(alarms.values()) / pooled_found if pooled_found else float("nan")}
    return report


def main(per_kind: Annotated[int, typer.Option(help="Labelled messages per kind (built set).")] = 36,
         seed: Annotated[int, typer.Option(help="Seed of the generated values (built set).")] = 0,
         written: Annotated[bool, typer.Option(help="Score the hand-written messages of data/pii instead.")] = False,
         split: Annotated[Literal["dev", "test", "all"], typer.Option(help="Half of the hand-written messages.")] = "test",
         ) -> None:
    """Print recall and precision per kind of personal data."""
    cases = written_cases(split) if written else pii_cases(per_kind, seed)
    typer.echo(f"{len(cases)} messages, {sum(len(c.spans) for c in cases)} labelled spans, "
               f"{sum(not c.spans for c in cases)} messages without personal data")
    typer.echo(f"{'kind':<20}{'labelled':>9}{'found':>7}{'recall':>8}{'precision':>11}")
    for kind, row in score(cases).items():
        typer.echo(f"{kind:<20}{row['labelled']:>9}{row['found']:>7}{row['recall']:>8.3f}{row['precision']:>11.3f}")


if __name__ == "__main__":
    typer.run(main)
