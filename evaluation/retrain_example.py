"""Retraining end to end on your own labels: the GoEmotions Ekman relabelling (7 labels) as a user's CSV.

Writes a CSV of N Ekman train rows (label names, comma-separated), runs ``emotrace train --data`` on it
from the shipped model, then ``emotrace evaluate`` on the Ekman dev rows, and prints the figures.

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


def write_csv(tsv: Path, labels: list[str], target: Path, limit: int | None) -> int:
    """GoEmotions-layout TSV -> CSV with text and comma-separated label names; returns rows written."""
    with tsv.open(encoding="utf-8", newline="") as src, target.open("w", encoding="utf-8", newline="") as dst:
        writer = csv.writer(dst)
        writer.writerow(["text", "labels"])
        count = 0
        for row in csv.reader(src, delimiter="\t", quoting=csv.QUOTE_NONE):
            if limit is not None and count >= limit:
                break
            writer.writerow([row[0], ",".join(labels[int(i)] for i in row[1].split(","))])
            count += 1
    return count


def main() -> None:
    """Train on the Ekman CSV and print the trained model's dev figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("runs/ekman-example"))
    args = parser.parse_args()
    ekman = get_settings().data_root / "goemotions" / "ekman"
    labels = (ekman / "labels.txt").read_text().split()
    shutil.rmtree(args.out / "run", ignore_errors=True)  # a timed run starts fresh, never resumes
    args.out.mkdir(parents=True, exist_ok=True)
    train_csv, dev_csv = args.out / "ekman_train.csv", args.out / "ekman_dev.csv"
    rows = write_csv(ekman / "train.tsv", labels, train_csv, args.rows)
    write_csv(ekman / "dev.tsv", labels, dev_csv, None)
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
        "train seconds": round(seconds, 1), "Ekman dev rows": report["n"],
        "Ekman dev macro_f1": report["macro_f1"], "Ekman dev micro_f1": report["micro_f1"],
        **{f"F1 {k}": round(v["f1"], 3) for k, v in report["per_label"].items()}})


if __name__ == "__main__":
    main()
