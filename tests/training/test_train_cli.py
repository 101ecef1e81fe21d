"""``emotrace train`` on the user's own labels, end to end (a short run)."""

from __future__ import annotations

import json

import pytest

from emotrace.errors import EmotraceError
from emotrace.model.classifier import DEFAULT_MODEL_DIR
from emotrace.model.config import read_config
from emotrace.model.labelled import LabelledTexts
from tests.conftest import OWN_LABEL_ROWS
from tests.test_cli import run


def test_train_own_labels_from_the_shipped_model(tmp_path) -> None:
    data = tmp_path / "mine.jsonl"
    data.write_text("".join(json.dumps({"message": f"{t} ({i})", "tag": label}) + "\n"
                            for i, (t, label) in enumerate(OWN_LABEL_ROWS)), encoding="utf-8")
    model_dir = tmp_path / "my-model"
    result = run("train", "--data", str(data), "--text-column", "message", "--label-column", "tag",
                 "--from-model", str(DEFAULT_MODEL_DIR), "--output", str(tmp_path / "run"),
                 "--model-dir", str(model_dir), "--epochs", "2", "--batch-size", "8")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Warning" not in result.stderr and "WARNING" not in result.stderr, result.stderr[-2000:]
    labels = read_config(model_dir)["label_schema"]
    assert labels["labels"] == ["anger", "gratitude", "refund_request"]
    card = (model_dir / "MODEL_CARD.md").read_text()
    assert "--label-column tag" in card and "3 labels of its own (anger, gratitude, refund_request)" in card
    figures = card.split("## Figures")[1].replace(str(tmp_path), "")  # its path: pytest-4028 failed the check once
    assert "28" not in figures and "None" not in card and "GoEmotions dev" not in card
    readings = json.loads(run("analyze", "--model", str(model_dir), "--json", "I need a refund, the parcel never came").stdout)
    probabilities = readings[0]["probabilities"]
    assert "refund_request" in readings[0]["labels"]
    assert max(probabilities, key=probabilities.get) == "refund_request"
    _distilling_into_it_is_refused_before_any_long_step(tmp_path, model_dir)
    _refitting_its_heads_on_the_recipe_rows_is_refused(tmp_path, model_dir)


def _distilling_into_it_is_refused_before_any_long_step(tmp_path, model_dir) -> None:
    """A model of the user's own labels cannot be a student of the 28-label teacher: E315, named at once."""
    import numpy as np

    from emotrace.paths import DEFAULT_DATA_ROOT
    from emotrace.training.distill import transfer_texts

    targets = tmp_path / "targets.npz"
    np.savez_compressed(targets, targets=np.zeros((len(transfer_texts(DEFAULT_DATA_ROOT)), 33), dtype=np.float16))
    result = run("train", "--recipe", "distill", "--teacher-targets", str(targets), "--from-model", str(model_dir),
                 "--output", str(tmp_path / "distill"), "--model-dir", str(tmp_path / "student"))
    assert result.returncode == 2, result.stderr[-2000:]
    assert "[E315]" in result.stderr and "is not a model of the 28 GoEmotions labels" in result.stderr
    assert not (tmp_path / "distill" / "own_emotion.npy").exists() and not (tmp_path / "student").exists()
    result = run("train", "--recipe", "customer", "--from-model", str(model_dir), "--output", str(tmp_path / "cs"),
                 "--model-dir", str(tmp_path / "customer"))
    assert result.returncode == 2 and "[E315]" in result.stderr, result.stderr[-2000:]
    assert not (tmp_path / "cs").exists() and not (tmp_path / "customer").exists()


def _refitting_its_heads_on_the_recipe_rows_is_refused(tmp_path, model_dir) -> None:
    """--recipe heads teaches the 28 GoEmotions labels: a model of other labels gets E316, and nothing is written."""
    result = run("train", "--recipe", "heads", "--from-model", str(model_dir), "--model-dir", str(tmp_path / "refit"))
    assert result.returncode == 2, result.stderr[-2000:]
    assert "[E316]" in result.stderr and "does not read the 28 GoEmotions labels" in result.stderr
    assert not (tmp_path / "refit").exists()


def test_heads_are_not_refit_on_a_graph_without_the_pooled_vector(tmp_path) -> None:
    """An older export whose graph does not output the pooled vector: E317 at once, nothing copied."""
    import shutil

    import onnx

    from emotrace.model.group_heads import POOLED_OUTPUT

    old = shutil.copytree(DEFAULT_MODEL_DIR, tmp_path / "old")
    graph = onnx.load(str(old / "model.onnx"))
    outputs = [o for o in graph.graph.output if o.name != POOLED_OUTPUT]
    del graph.graph.output[:]
    graph.graph.output.extend(outputs)
    onnx.save(graph, str(old / "model.onnx"))
    result = run("train", "--recipe", "heads", "--from-model", str(old), "--model-dir", str(tmp_path / "refit"))
    assert result.returncode == 2, result.stderr[-2000:]
    assert "[E317]" in result.stderr and "does not output the pooled text vector" in result.stderr
    assert not (tmp_path / "refit").exists()


def test_train_refuses_unknown_columns(tmp_path) -> None:
    data = tmp_path / "mine.csv"
    data.write_text("message,tag\nhi,joy\n", encoding="utf-8")
    result = run("train", "--data", str(data), "--output", str(tmp_path / "run"))
    assert result.returncode == 2
    assert "Column 'text' is not in" in result.stderr and "['message', 'tag']" in result.stderr


def test_distill_recipe_needs_a_teacher(tmp_path) -> None:
    result = run("train", "--recipe", "distill", "--output", str(tmp_path / "run"), "--model-dir", str(tmp_path / "m"))
    assert result.returncode == 2
    assert "[E312]" in result.stderr and "--teacher DIR" in result.stderr
    assert not (tmp_path / "m").exists()


def test_teacher_and_distill_recipes_refuse_own_data(tmp_path) -> None:
    for recipe in ("teacher", "distill"):
        result = run("train", "--recipe", recipe, "--data", "mine.csv", "--output", str(tmp_path / "run"))
        assert result.returncode == 2
        assert f"[E313] --recipe {recipe} trains on the shared sources" in result.stderr


def test_distill_refuses_teacher_targets_of_another_transfer_set(tmp_path) -> None:
    import numpy as np

    targets = tmp_path / "targets.npz"
    np.savez_compressed(targets, targets=np.zeros((10, 33), dtype=np.float16))
    result = run("train", "--recipe", "distill", "--teacher-targets", str(targets), "--output", str(tmp_path / "run"),
                 "--model-dir", str(tmp_path / "m"))
    assert result.returncode == 2
    assert "[E311]" in result.stderr and "holds 10 rows" in result.stderr


def test_an_existing_model_is_never_replaced_without_overwrite(tmp_path) -> None:
    """Issue 16: `train` without --model-dir wrote into models/emotrace-minilm-v1 and packaging deleted the
    shipped model first. Now the default is OUTPUT/model and an occupied --model-dir is refused up front."""
    data = tmp_path / "mine.jsonl"
    data.write_text("".join(json.dumps({"message": t, "tag": label}) + "\n" for t, label in OWN_LABEL_ROWS), encoding="utf-8")
    precious = tmp_path / "precious-model"
    precious.mkdir()
    (precious / "model.onnx").write_bytes(b"weights")
    result = run("train", "--data", str(data), "--text-column", "message", "--label-column", "tag",
                 "--output", str(tmp_path / "run"), "--model-dir", str(precious))
    assert result.returncode == 2
    assert "[E314]" in result.stderr and "--overwrite" in result.stderr
    assert [p.name for p in precious.iterdir()] == ["model.onnx"]
    assert (precious / "model.onnx").read_bytes() == b"weights"
    assert not (tmp_path / "run").exists()  # refused before any training


@pytest.mark.parametrize("option", ["--model-dir", "--output"])
def test_a_folder_the_system_will_not_make_is_refused_before_training(tmp_path, option: str) -> None:
    """Found by a review: `train --data` with `--model-dir /proc/model` (or `--output /proc/run`: a folder the system
    will not make, as on a read-only mount) trained, then crashed with a FileNotFoundError traceback. It is refused
    (E516, naming the option and the folder) before anything is trained or written."""
    data = tmp_path / "mine.jsonl"
    data.write_text("".join(json.dumps({"text": f"{t} ({i})", "labels": label}) + "\n"
                            for i, (t, label) in enumerate(OWN_LABEL_ROWS)), encoding="utf-8")
    folders = {"--output": str(tmp_path / "run"), "--model-dir": str(tmp_path / "model"), option: "/proc/emotrace-x"}
    result = run("train", "--data", str(data), "--max-steps", "2", *(word for pair in folders.items() for word in pair))
    assert result.returncode == 2 and f"[E516] Cannot write {option} /proc/emotrace-x" in result.stderr, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.jsonl"]


def test_the_default_model_dir_is_inside_the_run(tmp_path) -> None:
    data = tmp_path / "mine.jsonl"
    data.write_text("".join(json.dumps({"message": f"{t} - {i}", "tag": label}) + "\n"
                            for i, (t, label) in enumerate(OWN_LABEL_ROWS)), encoding="utf-8")
    run_dir = tmp_path / "run"
    result = run("train", "--data", str(data), "--text-column", "message", "--label-column", "tag",
                 "--output", str(run_dir), "--max-steps", "2", "--batch-size", "8")
    assert result.returncode == 0, result.stderr[-3000:]
    assert (run_dir / "model" / "model.onnx").exists()
    assert f"model written to {run_dir / 'model'}" in result.stdout


def test_a_test_split_is_set_aside_by_the_texts_hash_before_anything_is_fitted(own_labels_model) -> None:
    """Issue 27: `train --data` reported only figures on the split that stopped it early and tuned its thresholds."""
    from emotrace.training.data import split_key, stable_bucket
    from emotrace.training.held_out import is_held_out

    rows = [(f"{t} ({i})", label) for i, (t, label) in enumerate(OWN_LABEL_ROWS)]
    held_out = [(t, label) for t, label in rows if is_held_out(t)]
    metrics = read_config(own_labels_model)["metrics"]
    assert metrics["emotions_test"]["n"] == len(held_out) > 0
    assert metrics["emotions_dev"]["n"] == sum(stable_bucket(split_key(t)) == 0 for t, _ in rows
                                               if (t, _) not in held_out)
    card = (own_labels_model / "MODEL_CARD.md").read_text()
    n = len(held_out)
    assert f"- held-out test split ({n} rows set aside by a stable hash of the text, never trained or tuned on): " in card
    per_label = ", ".join(f"{name} ({sum(label == name for _, label in held_out)})"
                          for name in ("anger", "gratitude", "refund_request"))
    assert f"too small to trust: {n} rows (under 30); fewer than 5 rows of {per_label}" in card



NEW_LABEL_ROWS = [
    ("Still waiting on my order, it has been two weeks.", "impatience"),
    ("How much longer do I have to wait for an answer?", "impatience"),
    ("Third time asking: where is my parcel?", "impatience"),
    ("Hurry up please, I have been on hold for an hour.", "impatience"),
    ("Brilliant service, the engineer was lovely.", "praise"),
    ("Your team did an amazing job with the move.", "praise"),
    ("Great app, everything works perfectly.", "praise"),
    ("The staff were wonderful and so friendly.", "praise"),
    ("Do you deliver to Ireland?", "question"),
    ("What are your opening hours on Sunday?", "question"),
    ("Can I change the email address on my account?", "question"),
    ("Is the blue jacket available in medium?", "question")]


def test_a_model_of_labels_the_start_model_lacks_reads_new_texts_of_each(tmp_path) -> None:
    """Found by a new-user trial: a model trained on 128 rows of labels of its own (none the shipped model reads)
    read every "impatience" row as "delight" once packaged (its new label head had learnt little in a few steps,
    and what it had learnt did not survive int8): the label head is now fitted on the packaged model's own pooled
    vectors of the training rows."""
    from emotrace.model.classifier import EmotionClassifier

    data = tmp_path / "mine.jsonl"
    data.write_text("".join(json.dumps({"text": f"{t} ({i})", "labels": label}) + "\n"
                            for i, (t, label) in enumerate(NEW_LABEL_ROWS * 4)), encoding="utf-8")
    result = run("train", "--data", str(data), "--from-model", str(DEFAULT_MODEL_DIR), "--output",
                 str(tmp_path / "run"), "--model-dir", str(tmp_path / "model"), "--max-steps", "2",
                 "--batch-size", "8")
    assert result.returncode == 0, result.stderr[-2000:]
    expected = {"Why is my refund still not here after a month?": "impatience",
                "Where on earth is my delivery, I've waited all week!": "impatience",
                "Fantastic support, thank you all so much.": "praise",
                "The new version is superb, well done.": "praise",
                "Do you have a store in Leeds?": "question",
                "Can I pay by bank transfer?": "question"}
    readings = EmotionClassifier.from_pretrained(tmp_path / "model").predict(list(expected))
    assert {text: r.top_label for text, r in zip(expected, readings, strict=True)} == expected


@pytest.mark.parametrize("recipe", ["topics", "heads"])
def test_a_refit_without_the_shared_data_is_refused_before_anything_is_written(tmp_path, recipe) -> None:
    """Found by a review: `train --recipe topics --data-root /nonexistent` copied the model into --model-dir, then
    failed with a FileNotFoundError traceback."""
    result = run("train", "--recipe", recipe, "--from-model", str(DEFAULT_MODEL_DIR), "--data-root",
                 str(tmp_path / "nowhere"), "--model-dir", str(tmp_path / "out"))
    assert result.returncode == 2 and "[E307]" in result.stderr, result.stderr[-2000:]
    assert not (tmp_path / "out").exists()


def test_train_refuses_a_file_of_one_label_before_anything_is_written(tmp_path) -> None:
    """Found by a review: `train --data` accepted a file of one label, which `adapt` refuses, and wrote a model."""
    data = tmp_path / "mine.jsonl"
    data.write_text("".join(json.dumps({"text": f"Thanks a lot, all sorted {i}", "labels": "gratitude"}) + "\n"
                            for i in range(40)), encoding="utf-8")
    result = run("train", "--data", str(data), "--output", str(tmp_path / "run"), "--max-steps", "2")
    assert result.returncode == 2 and "[E323]" in result.stderr and "gratitude" in result.stderr, result.stderr[-2000:]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.jsonl"]


def test_train_refuses_a_file_whose_every_row_holds_every_label(tmp_path) -> None:
    """Found by a review: 80 rows all labelled `anger,joy` trained and wrote a model (dev macro-F1 1.0: nothing to
    tell apart), which `adapt` refuses (E323); `train --data` refuses it the same, before anything is written."""
    data = tmp_path / "mine.jsonl"
    data.write_text("".join(json.dumps({"text": f"So angry and so glad at once {i}", "labels": "anger,joy"}) + "\n"
                            for i in range(80)), encoding="utf-8")
    result = run("train", "--data", str(data), "--output", str(tmp_path / "run"), "--max-steps", "2")
    assert result.returncode == 2 and "[E323]" in result.stderr, result.stderr[-2000:]
    assert "anger and joy" in result.stderr, result.stderr[-2000:]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.jsonl"]


@pytest.fixture
def rows_split(monkeypatch) -> list[LabelledTexts]:
    """``train --data`` stopped where it splits the file's rows, before any network is loaded (exit code 2): the
    rows it read, recorded."""
    seen: list[LabelledTexts] = []

    def stop(data: LabelledTexts, picked: list[bool]) -> None:
        seen.append(data)
        raise EmotraceError("E306", "stopped by the test before training.", "")

    monkeypatch.setattr("emotrace.training.pipeline.split_rows", stop)
    return seen


def _own_rows(tmp_path, rows: list[tuple[str, str]]):
    data = tmp_path / "mine.jsonl"
    data.write_text("".join(json.dumps({"text": t, "labels": label}) + "\n" for t, label in rows), encoding="utf-8")
    return data


def test_train_refuses_a_text_labelled_two_ways_before_anything_is_written(tmp_path, rows_split) -> None:
    """Found by a review: `train --data` kept a text repeated with other labels (here in another case and spacing:
    the same text to the model) and trained on both rows, saying nothing; `adapt` refuses such a file (E325)."""
    rows = [(f"{t} ({i})", label) for i, (t, label) in enumerate(OWN_LABEL_ROWS)]
    rows.append(("  " + rows[0][0].lower().replace(" ", "  "), "anger"))  # row 33: row 1's text, labelled anger
    data = _own_rows(tmp_path, rows)
    result = run("train", "--data", str(data), "--output", str(tmp_path / "run"), "--model-dir", str(tmp_path / "model"))
    assert result.returncode == 2 and "[E325]" in result.stderr, result.stderr[-2000:]
    assert "more than once with different labels (rows 1, 33;" in result.stderr
    assert "merge the conflicting rows into one or drop all but one" in result.stderr
    assert rows_split == [] and sorted(p.name for p in tmp_path.iterdir()) == ["mine.jsonl"]


def test_train_keeps_a_text_repeated_with_the_same_labels_once_and_says_so(tmp_path, rows_split) -> None:
    """Found by a review: `train --data` trained on every copy of a repeated text, so it weighed twice in training and
    in the figures; each text is kept once, at its first row, and the merge is reported."""
    rows = [(f"{t} ({i})", label) for i, (t, label) in enumerate(OWN_LABEL_ROWS)]
    rows += [rows[0], (rows[1][0].lower() + " ", rows[1][1])]  # an exact copy, a copy in another case and spacing
    result = run("train", "--data", str(_own_rows(tmp_path, rows)), "--output", str(tmp_path / "run"),
                 "--model-dir", str(tmp_path / "model"))
    assert result.returncode == 2 and "stopped by the test" in result.stderr, result.stderr[-2000:]
    (read,) = rows_split
    assert read.texts == [t for t, _ in rows[:32]] and read.targets.shape == (32, 3)
    assert "mine.jsonl: 32 texts (2 repeated rows merged: same text, same labels)" in result.stdout, result.stdout


def test_train_reads_an_all_caps_copy_labelled_otherwise_as_another_text(tmp_path, rows_split) -> None:
    """Found by a review: repeats were matched with case folded, so a copy in capitals labelled otherwise was refused
    (E325), though the model reads it with a `shouting` cue ("shouting YOU ARE ALL USELESS"): another text."""
    rows = [(f"{t} ({i})", label) for i, (t, label) in enumerate(OWN_LABEL_ROWS)]
    rows.append((rows[3][0].upper(), "gratitude"))  # row 4: "You are all useless (3)", anger
    result = run("train", "--data", str(_own_rows(tmp_path, rows)), "--output", str(tmp_path / "run"),
                 "--model-dir", str(tmp_path / "model"))
    assert result.returncode == 2 and "stopped by the test" in result.stderr, result.stderr[-2000:]
    (read,) = rows_split
    assert read.texts == [t for t, _ in rows] and "merged" not in result.stdout


def test_train_refuses_a_label_whose_rows_all_fall_outside_training_before_training(tmp_path, monkeypatch) -> None:
    """Found by a review: a label whose rows all fell in the held-out test or the validation split was trained on no
    rows, with no warning, and the model listed it anyway ("so bored today" read as anger); refused now, naming where
    its rows went, before any network is loaded, and nothing is written."""
    def stop(*args, **kwargs) -> None:
        raise EmotraceError("E306", "stopped by the test at training.", "")

    monkeypatch.setattr("emotrace.training.pipeline.start_network", stop)
    rows = [(f"{t} ({i})", label) for i, (t, label) in enumerate(OWN_LABEL_ROWS)]
    # by the split's own hash: "so bored today 3"/"8" and "I miss you already 7" fall in the test split (bucket 9),
    # "I miss you already 0" in the validation split (bucket 0)
    rows += [("so bored today 3", "boredom"), ("so bored today 8", "boredom"),
             ("I miss you already 7", "sadness"), ("I miss you already 0", "sadness")]
    result = run("train", "--data", str(_own_rows(tmp_path, rows)), "--output", str(tmp_path / "run"),
                 "--model-dir", str(tmp_path / "model"))
    assert result.returncode == 2 and "[E330]" in result.stderr, result.stderr[-2000:]
    assert "boredom (2 rows: 2 in the held-out test split)" in result.stderr
    assert "sadness (2 rows: 1 in the held-out test split, 1 in the validation split)" in result.stderr
    assert "anger" not in result.stderr and "add more rows of each such label" in result.stderr.lower()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.jsonl"]


@pytest.mark.parametrize("recipe", ["heads", "topics", "intents", "satisfaction"])
def test_a_refit_refuses_output_beside_model_dir(tmp_path, recipe) -> None:
    """Found by a review: a refit writes no run folder, so `--recipe heads --output RUN --model-dir OUT` ran as if
    --output had not been given; it names only the default --model-dir (OUTPUT/model), and is read only so."""
    result = run("train", "--recipe", recipe, "--output", str(tmp_path / "run"), "--model-dir", str(tmp_path / "out"),
                 "--data-root", str(tmp_path / "nowhere"))
    assert result.returncode == 2 and "[E329]" in result.stderr, result.stderr[-2000:]
    assert f"--recipe {recipe} does not use --output:" in result.stderr
    assert "without --model-dir" in result.stderr and sorted(tmp_path.iterdir()) == []
    result = run("train", "--recipe", recipe, "--output", str(tmp_path / "run"), "--data-root", str(tmp_path / "nowhere"))
    assert result.returncode == 2 and "[E307]" in result.stderr, result.stderr[-2000:]  # past the check, at the data


@pytest.mark.parametrize(("options", "named"), [
    (["--recipe", "customer", "--epochs", "1"], "--recipe customer does not use --epochs"),
    (["--recipe", "heads", "--batch-size", "8", "--learning-rate", "0.001"],
     "--recipe heads does not use --batch-size and --learning-rate"),
    (["--recipe", "topics", "--max-steps", "5"], "--recipe topics does not use --max-steps"),
    (["--recipe", "satisfaction", "--patience", "1"], "--recipe satisfaction does not use --patience"),
    (["--recipe", "teacher", "--from-model", str(DEFAULT_MODEL_DIR)], "--recipe teacher does not use --from-model"),
    (["--recipe", "distill", "--epochs", "2", "--max-steps", "9"], "--recipe distill does not use --epochs and --max-steps"),
    (["--recipe", "customer", "--teacher", "teacher-run"], "--recipe customer does not use --teacher"),
    (["--patience", "3", "--label-column", "tag"], "--recipe default without --data does not use --label-column and "
                                                   "--patience"),
    (["--data", "mine.csv", "--teacher-targets", "t.npz"], "--recipe default with --data does not use --data-root and "
                                                           "--teacher-targets")])
def test_options_the_recipe_does_not_use_are_refused_before_anything_starts(tmp_path, options, named) -> None:
    """Found by a review: `train --recipe customer --epochs 1` (and any recipe but the default's with the stage options,
    or --teacher beside a recipe other than distill) trained as if the option had not been given, saying nothing.
    (--data-root points nowhere, so that a run which did not refuse stops at once: E307 or, with --data, E006. No
    --model-dir: the model folder is RUN/model, and a refit reads --output only so.)"""
    result = run("train", *options, "--data-root", str(tmp_path / "nowhere"), "--output", str(tmp_path / "run"))
    assert result.returncode == 2 and "[E329]" in result.stderr, result.stderr[-2000:]
    assert named in result.stderr, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize("options", [
    ["--recipe", "heads", "--epochs", "3", "--batch-size", "32", "--learning-rate", "1e-4", "--patience", "2",
     "--text-column", "text", "--encoding", "utf-8"],  # every default, given or not, is no option of the user's
    ["--recipe", "customer", "--max-steps", "5", "--from-model", str(DEFAULT_MODEL_DIR)],
    ["--recipe", "distill", "--teacher", "teacher-run"],
    ["--epochs", "1", "--batch-size", "8", "--max-steps", "2", "--from-model", str(DEFAULT_MODEL_DIR)]])
def test_options_the_recipe_uses_or_left_at_their_defaults_are_not_refused(tmp_path, options) -> None:
    result = run("train", *options, "--data-root", str(tmp_path / "nowhere"), "--output", str(tmp_path / "run"))
    assert result.returncode == 2 and "[E307]" in result.stderr, result.stderr[-2000:]  # past the check, at the data


def test_a_model_trained_from_another_lists_the_from_models_sources_then_the_file(own_labels_model) -> None:
    """Found by a review: `train --data FILE --from-model DIR` recorded FILE as its only training data (the card said
    the labels, and the network beneath them, were learnt from it alone): the from-model's sources, commands and
    steps are kept, as every other recipe that starts from a model keeps them, and the fine-tuning is a step of its
    own."""
    from emotrace.training.model_card import DATA_LICENSES
    from emotrace.training.provenance import read_provenance

    shipped, trained = read_provenance(DEFAULT_MODEL_DIR), read_provenance(own_labels_model)
    data = str(own_labels_model.parent / "rows.jsonl")
    assert trained.training_data == [*shipped.training_data, data]
    assert trained.base_model == shipped.base_model
    assert trained.commands[:-1] == shipped.commands and f"--data {data} " in trained.commands[-1]
    assert trained.recipe[:-1] == shipped.recipe
    assert trained.recipe[-1].startswith("Then fine-tuned on rows.jsonl (3 labels: anger, gratitude, refund_request)")
    card = (own_labels_model / "MODEL_CARD.md").read_text()
    assert all(f"\n- {DATA_LICENSES[name]}\n" in card for name in shipped.training_data) and f"\n- {data}\n" in card
    assert f"- Labels are learnt from {data} (on a network that learnt from the sources above): " in card


@pytest.mark.parametrize("recipe", [None, "heads", "customer"])
def test_a_from_model_that_does_not_exist_is_named_so_before_anything_is_written(tmp_path, recipe) -> None:
    """Found last session: `train --data FILE --from-model MISSING` said "No emotrace.json in MISSING" (E105, a model
    folder missing its configuration) where `analyze --model MISSING` says the folder does not exist (E110)."""
    data = tmp_path / "mine.jsonl"
    data.write_text("".join(json.dumps({"text": f"message {i} is {'great' if i % 2 else 'awful'}",
                                        "labels": "joy" if i % 2 else "anger"}) + "\n" for i in range(60)),
                    encoding="utf-8")
    run_folder = [] if recipe == "heads" else ["--output", str(tmp_path / "run")]  # heads writes no run folder
    options = ["--data", str(data)] if recipe is None else ["--recipe", recipe]
    result = run("train", *options, *run_folder, "--from-model", str(tmp_path / "missing"),
                 "--model-dir", str(tmp_path / "out"))
    assert result.returncode == 2 and "[E110]" in result.stderr and "missing" in result.stderr, result.stderr[-2000:]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.jsonl"]
