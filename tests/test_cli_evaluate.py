"""``emotrace evaluate`` for people who retrain: macro-F1 over the labels present, the most confident mistakes, the
confusion matrix of single-label files, and models of different label sets compared on the labels they share."""

from __future__ import annotations

import json
import shutil

import pytest

from emotrace.model.config import read_config, update_config
from emotrace.paths import DEFAULT_MODEL_DIR
from tests.test_cli import run

FIVE_LABELS = [("Thank you so much, that fixed it!", "gratitude"), ("Thanks a lot for the quick reply", "gratitude"),
               ("Many thanks, great help", "gratitude"), ("I am furious, this is the third time", "anger"),
               ("This makes me so angry", "anger"), ("You people are useless and I'm livid", "anger"),
               ("I'm so sad my order got lost", "sadness"), ("It's heartbreaking, the gift never arrived", "sadness"),
               ("What time do you open on Sunday?", "neutral"), ("My order number is 1234", "neutral"),
               ("Where is the parcel?", "neutral"), ("Wow, I did not expect that at all!", "surprise"),
               ("Really? It arrived already? Amazing", "surprise")]


@pytest.fixture
def five_labels(tmp_path):
    """A single-label file of 13 rows holding 5 of the shipped model's 28 labels."""
    path = tmp_path / "five.jsonl"
    path.write_text("".join(json.dumps({"text": t, "labels": label}) + "\n" for t, label in FIVE_LABELS),
                    encoding="utf-8")
    return path


def test_macro_f1_is_over_the_labels_the_file_has_examples_of(five_labels) -> None:
    """Issue 27: 5 of 28 labels gave macro-F1 averaged over 23 labels without a single row."""
    report = json.loads(run("evaluate", "--data", str(five_labels), "--json").stdout)
    present = [row["f1"] for row in report["per_label"].values() if row["support"]]
    assert len(present) == 5 and len(report["labels_without_examples"]) == 23
    assert report["macro_f1"] == pytest.approx(sum(present) / 5) and report["macro_f1"] > 0.5
    assert "grief" in report["labels_without_examples"] and "anger" not in report["labels_without_examples"]
    text = run("evaluate", "--data", str(five_labels)).stdout
    assert "macro-F1 over 5 labels present of 28; 23 without examples left out (admiration, " in text


def test_errors_lists_the_most_confident_mistakes(five_labels) -> None:
    result = run("evaluate", "--data", str(five_labels), "--errors", "2", "--json")
    assert result.returncode == 0, result.stderr
    mistakes = json.loads(result.stdout)["mistakes"]
    assert 1 <= len(mistakes) <= 2
    assert [m["confidence"] for m in mistakes] == sorted((m["confidence"] for m in mistakes), reverse=True)
    for mistake in mistakes:
        assert mistake["text"] in dict(FIVE_LABELS) and mistake["gold"] == [dict(FIVE_LABELS)[mistake["text"]]]
        assert mistake["label"] in mistake["predicted"] and mistake["label"] not in mistake["gold"]
    text = run("evaluate", "--data", str(five_labels), "--errors", "2").stdout
    assert "most confident mistakes:" in text and f"{mistakes[0]['confidence']:.2f} {mistakes[0]['label']}" in text
    assert "mistakes" not in json.loads(run("evaluate", "--data", str(five_labels), "--json").stdout)


def test_a_single_label_file_gets_a_confusion_matrix_and_a_multi_label_file_none(five_labels, tmp_path) -> None:
    confusion = json.loads(run("evaluate", "--data", str(five_labels), "--json").stdout)["confusion"]
    labels, counts = confusion["labels"], confusion["counts"]
    assert {"anger", "gratitude", "sadness", "neutral", "surprise"} <= set(labels)
    assert sum(map(sum, counts)) == len(FIVE_LABELS) and len(counts) == len(labels) == len(counts[0])
    assert sum(counts[labels.index("gratitude")]) == 3
    assert counts[labels.index("gratitude")][labels.index("gratitude")] == 3  # the model reads thanks well
    text = run("evaluate", "--data", str(five_labels)).stdout
    assert "confusion matrix (rows: gold label, columns: top label decided)" in text
    assert next(line for line in text.splitlines() if "] gratitude" in line and "   " in line).split()[-1] == "0"
    multi = tmp_path / "multi.jsonl"
    multi.write_text(json.dumps({"text": "I hate waiting", "labels": "anger,annoyance"}) + "\n"
                     + json.dumps({"text": "ok", "labels": "neutral"}) + "\n", encoding="utf-8")
    assert "confusion" not in json.loads(run("evaluate", "--data", str(multi), "--json").stdout)


def test_models_of_different_label_sets_are_compared_on_the_labels_they_share(five_labels, own_labels_model) -> None:
    """Issue 27: a model trained on its own labels could not be compared with the shipped one (E009)."""
    result = run("evaluate", "--data", str(five_labels), "--model", str(DEFAULT_MODEL_DIR), "--model",
                 str(own_labels_model), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["shared_labels"] == ["anger", "gratitude"]
    assert report["labels_not_shared"][str(own_labels_model)] == ["refund_request"]
    assert len(report["labels_not_shared"][str(DEFAULT_MODEL_DIR)]) == 26
    for model in report["models"].values():
        assert list(model["per_label"]) == ["anger", "gratitude"] and model["groups"] == {}
        assert model["labels_without_examples"] == []
    text = run("evaluate", "--data", str(five_labels), "--model", str(DEFAULT_MODEL_DIR), "--model",
               str(own_labels_model)).stdout
    assert "compared on the 2 labels every model reads; not shared: [0] admiration, " in text
    assert "; [1] refund_request" in text and "macro-F1 difference (last - first)" in text


def test_models_sharing_no_label_are_refused(five_labels, own_labels_model, tmp_path) -> None:
    other = shutil.copytree(own_labels_model, tmp_path / "other")
    config = read_config(other)
    renamed = {"anger": "billing", "gratitude": "delivery", "refund_request": "returns"}
    schema = {**config["label_schema"], "labels": [renamed[x] for x in config["label_schema"]["labels"]]}
    thresholds = {**config["thresholds"], "labels": {renamed[k]: v for k, v in config["thresholds"]["labels"].items()}}
    update_config(other, label_schema=schema, thresholds=thresholds)
    result = run("evaluate", "--data", str(five_labels), "--model", str(DEFAULT_MODEL_DIR), "--model", str(other))
    assert result.returncode == 2
    assert "[E009] The models share no label: " in result.stderr and "reads billing, delivery, returns" in result.stderr


def test_tsv_label_ids_are_the_first_models_when_comparing(own_labels_model, tmp_path) -> None:
    """Found by a review: with several models, TSV ids were read against all their labels combined, so GoEmotions
    ids up to 27 were accepted for a 3-label first model and mapped to the wrong labels."""
    goemotions = tmp_path / "goemotions.tsv"  # 15: gratitude, 2: anger among GoEmotions' ids
    goemotions.write_text("Thanks a lot!\t15\tid1\nI am so angry\t2\tid2\n", encoding="utf-8")
    alone = run("evaluate", "--data", str(goemotions), "--model", str(own_labels_model))
    assert alone.returncode == 2 and "[E203]" in alone.stderr
    both = run("evaluate", "--data", str(goemotions), "--model", str(own_labels_model), "--model",
               str(DEFAULT_MODEL_DIR), "--json")
    assert both.returncode == 2 and "[E203]" in both.stderr and "outside 0..2" in both.stderr
    own = tmp_path / "own.tsv"  # the first model's ids: 0 anger, 1 gratitude
    own.write_text("Thanks a lot for the quick reply!\t1\tid1\nI am furious, this is the third time\t0\tid2\n",
                   encoding="utf-8")
    result = run("evaluate", "--data", str(own), "--model", str(own_labels_model), "--model",
                 str(DEFAULT_MODEL_DIR), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["shared_labels"] == ["anger", "gratitude"]
    shipped = report["models"][str(DEFAULT_MODEL_DIR)]
    assert {label: row["support"] for label, row in shipped["per_label"].items()} == {"anger": 1, "gratitude": 1}
    assert shipped["macro_f1"] > 0.5
    shipped_first = run("evaluate", "--data", str(goemotions), "--model", str(DEFAULT_MODEL_DIR), "--model",
                        str(own_labels_model), "--json")
    assert shipped_first.returncode == 0, shipped_first.stderr
    per_label = json.loads(shipped_first.stdout)["models"][str(DEFAULT_MODEL_DIR)]["per_label"]
    assert {label: row["support"] for label, row in per_label.items()} == {"anger": 1, "gratitude": 1}


def test_rows_of_a_label_not_shared_stay_in_the_confusion_matrix(five_labels, own_labels_model) -> None:
    """Found by a review: comparing models, rows whose gold label not every model reads were left out of the
    confusion matrix (it summed to fewer rows than n); they count under an "(other)" gold row."""
    result = run("evaluate", "--data", str(five_labels), "--model", str(DEFAULT_MODEL_DIR), "--model",
                 str(own_labels_model), "--json")
    assert result.returncode == 0, result.stderr
    for model in json.loads(result.stdout)["models"].values():
        labels, counts = model["confusion"]["labels"], model["confusion"]["counts"]
        assert sum(map(sum, counts)) == model["n"] == len(FIVE_LABELS)
        assert labels[-1] == "(other)" and len(counts) == len(labels) == len(counts[0])
        assert sum(counts[labels.index("(other)")]) == 7  # sadness, neutral, surprise: not shared
        assert sum(counts[labels.index("gratitude")]) == 3 and sum(counts[labels.index("anger")]) == 3
    text = run("evaluate", "--data", str(five_labels), "--model", str(DEFAULT_MODEL_DIR), "--model",
               str(own_labels_model)).stdout
    assert sum(1 for line in text.splitlines() if line.lstrip().startswith("[") and "] (other)" in line) == 2


def test_a_class_file_without_a_scorable_row_says_so_in_its_own_words(tmp_path) -> None:
    """Found by a review: `evaluate --satisfaction-column` on rows without a class said "0 three-star and 2 unrated
    rows left out" (star ratings' words, for a file of classes)."""
    path = tmp_path / "classes.csv"
    path.write_text("text,feeling\nthe app keeps crashing,\nlovely staff,\n", encoding="utf-8")
    result = run("evaluate", "--data", str(path), "--text-column", "text", "--satisfaction-column", "feeling")
    assert result.returncode == 2 and "[E213]" in result.stderr, result.stderr
    assert "2 rows without a class left out" in result.stderr and "star" not in result.stderr, result.stderr


def test_satisfaction_classes_given_as_labels_point_to_the_satisfaction_column(tmp_path) -> None:
    """Found by a review: a file of satisfaction classes passed as --label-column got E210's "train a model of your own
    labels" where the fix is --satisfaction-column (as an intent file is pointed to --intents-column)."""
    path = tmp_path / "classes.csv"
    path.write_text("text,labels\nthe app keeps crashing,dissatisfied\nlovely staff,satisfied\n", encoding="utf-8")
    result = run("evaluate", "--data", str(path))
    assert result.returncode == 2 and "[E210]" in result.stderr, result.stderr
    assert "satisfaction classes" in result.stderr and "--satisfaction-column labels" in result.stderr, result.stderr


def test_column_options_with_a_goemotions_tsv_are_refused_not_ignored(tmp_path) -> None:
    """Found by a review: a .tsv is text<TAB>label ids, so --text-column and --label-column were silently ignored."""
    path = tmp_path / "rows.tsv"
    path.write_text("Thanks a lot!\t15\tid1\n", encoding="utf-8")
    result = run("evaluate", "--data", str(path), "--label-column", "emotion")
    assert result.returncode == 2 and "[E027]" in result.stderr and "--label-column" in result.stderr, result.stderr
    assert run("evaluate", "--data", str(path)).returncode == 0
