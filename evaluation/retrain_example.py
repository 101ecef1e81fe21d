"""Retraining end to end on your own labels: the GoEmotions Ekman relabelling (7 labels) as a user's CSV.

Writes a CSV of the first N Ekman train rows (label names, comma-separated), runs ``emotrace train --data`` on it
from the shipped model, then ``emotrace evaluate`` on the Ekman dev rows, and prints the figures. GoEmotions holds
some texts as several comments, labelled by other raters (37 texts of the Ekman train split, as the model reads
them, have 49 rows labelled otherwise than their first), and ``train --data`` refuses a text labelled two ways (E325):
such a row is dropped, its text's first row kept, and the rows dropped are counted.

    python -m emotrace.evaluation.retrain_example [--rows 4000] [--epochs 2] [--out runs/ekman-example]
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from emotrace.evaluation.common import print_figures
from emotrace.paths import DEFAULT_MODEL_DIR
from emotrace.settings import get_settings
from emotrace.text.normalize import model_text_key


def write_csv(tsv: Path, labels: list[str], target: Path, limit: int | None,
              drop_conflicts: bool = True) -> tuple[int, int]:
    """GoEmotions-layout TSV (its first ``limit`` rows) -> CSV with text and comma-separated label names, with
    ``drop_conflicts`` (a file for ``train``) without the rows whose text (as the model reads it) came earlier with other
    labels; returns rows written and rows dropped. (Repeats with the same labels are written: ``train`` merges them and
    says so.)"""
    first: dict[str, set[str]] = {}  # each text's first labels
    written = dropped = 0
    with tsv.open(encoding="utf-8", newline="") as src, target.open("w", encoding="utf-8", newline="") as dst:
        writer = csv.writer(dst)
        writer.writerow(["text", "labels"])
        for row in csv.reader(src, delimiter="\t", quoting=csv.QUOTE_NONE):
            if limit is not None and written + dropped >= limit:
                break
            names = [labels[int(i)] for i in row[1].split(",")]
            if drop_conflicts and first.setdefault(model_text_key(row[0]), set(names)) != set(names):
                dropped += 1
                continue
            writer.writerow([row[0], ",".join(names)])
            written += 1
    return written, dropped


def main() -> None:
    """Train on the Ekman CSV and print the trained model's dev figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=4000, help="the first ROWS rows of the Ekman train split, those "
                        "dropped as labelled two ways included")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("runs/ekman-example"))
    args = parser.parse_args()
    ekman = get_settings().data_root / "goemotions" / "ekman"
    labels = (ekman / "labels.txt").read_text().split()
    shutil.rmtree(args.out / "run", ignore_errors=True)  # a timed run starts fresh, never resumes
    args.out.mkdir(parents=True, exist_ok=True)
    train_csv, dev_csv = args.out / "ekman_train.csv", args.out / "ekman_dev.csv"
    rows, dropped = write_csv(ekman / "train.tsv", labels, train_csv, args.rows)
    print(f"{train_csv}: {rows:,} of the first {rows + dropped:,} Ekman train rows; {dropped:,} dropped, each a text "
          "an earlier row gives other labels (GoEmotions' raters disagree; train refuses a text labelled two ways, "
          "E325): the first row's labels are kept")
    write_csv(ekman / "dev.tsv", labels, dev_csv, None, drop_conflicts=False)  # scored as it is, every row
    emotrace = shutil.which("emotrace") or str(Path(sys.executable).with_name("emotrace"))
    model_dir = args.out / "model"
    start = time.perf_counter()
    subprocess.run([emotrace, "train", "--data", str(train_csv), "--from-model", str(DEFAULT_MODEL_DIR),
                    "--epochs", str(args.epochs), "--output", str(args.out / "run"), "--model-dir", str(model_dir)],
                   check=True)
    seconds = time.perf_counter() - start
    report = json.loads(subprocess.run([emotrace, "evaluate", "--data", str(dev_csv), "--model", str(model_dir),
                                        "--json"], check=True, capture_output=True, text=True).stdout)
    print_figures(f"retraining example: GoEmotions Ekman labels, {rows} train rows, {args.epochs} epochs", {
        "train seconds": round(seconds, 1), "train rows dropped (labelled two ways)": dropped,
        "Ekman dev rows": report["n"],
        "Ekman dev macro_f1": report["macro_f1"], "Ekman dev micro_f1": report["micro_f1"],
        **{f"F1 {k}": round(v["f1"], 3) for k, v in report["per_label"].items()}})


if __name__ == "__main__":
    main()
