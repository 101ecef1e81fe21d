"""``emotrace train --mapping``: a model of one's own labels with the Ekman, sentiment and satisfaction views, and
bad mappings refused before anything is trained or written."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from emotrace.errors import EmotraceError
from emotrace.model.classifier import DEFAULT_MODEL_DIR, EmotionClassifier
from emotrace.model.labels import LabelSchema
from emotrace.training.label_mapping import read_label_mapping
from tests.api.conftest import make_client
from tests.conftest import MARKED_MODEL_MAX_LENGTH, OWN_LABEL_ROWS
from tests.test_cli import run

LABELS = ("anger", "gratitude", "neutral", "refund_request")


def _mapping(tmp_path, text: str):
    path = tmp_path / "mapping.csv"
    path.write_text("label,ekman,sentiment,satisfaction\n" + text, encoding="utf-8")
    return path


def test_a_mapping_becomes_the_schemas_groupings(tmp_path) -> None:
    path = _mapping(tmp_path, "anger,anger,negative,dissatisfied\ngratitude,joy,positive,satisfied\n"
                              "refund_request,neutral,negative,dissatisfied\nneutral,neutral,neutral,neutral\n")
    groupings = read_label_mapping(path, LABELS, "neutral")
    schema = LabelSchema(LABELS, groupings, "neutral")
    assert schema.group_members("ekman") == {"anger": ("anger",), "joy": ("gratitude",),
                                             "neutral": ("refund_request", "neutral")}
    assert schema.group_members("sentiment") == {"positive": ("gratitude",), "negative": ("anger", "refund_request"),
                                                 "neutral": ("neutral",)}
    assert schema.group_members("satisfaction_leaning") == {
        "dissatisfied": ("anger", "refund_request"), "satisfied": ("gratitude",), "neutral": ("neutral",)}


@pytest.mark.parametrize(("rows", "code", "named"), [
    ("anger,anger,negative,dissatisfied\ngratitude,joy,positive,satisfied\nrefund_request,neutral,negative,"
     "dissatisfied\nneutral,neutral,neutral,neutral\nimpatience,anger,negative,dissatisfied\n", "E216", "impatience"),
    ("anger,anger,negative,dissatisfied\ngratitude,joy,positive,satisfied\n", "E217", "refund_request"),
    ("anger,rage,negative,dissatisfied\ngratitude,joy,positive,happy\nrefund_request,neutral,negative,dissatisfied\n"
     "neutral,neutral,neutral,neutral\n", "E218", "rows [1, 2]"),
    ("anger,anger,negative,dissatisfied\ngratitude,joy,positive,satisfied\nrefund_request,neutral,negative,"
     "dissatisfied\nneutral,joy,neutral,neutral\n", "E218", "rows [4]"),
    ("anger,anger,negative,dissatisfied\nanger,disgust,negative,dissatisfied\ngratitude,joy,positive,satisfied\n"
     "refund_request,neutral,negative,dissatisfied\nneutral,neutral,neutral,neutral\n", "E219", "rows [1, 2]"),
    ("anger,anger,negative,dissatisfied,EXTRA\ngratitude,joy,positive,satisfied\nrefund_request,neutral,negative,"
     "dissatisfied\nneutral,neutral,neutral,neutral\n", "E514", "row 1 cannot be read (5 cells"),  # was dropped silently
])
def test_a_bad_mapping_is_refused_naming_its_rows_or_labels(tmp_path, rows, code, named) -> None:
    with pytest.raises(EmotraceError) as raised:
        read_label_mapping(_mapping(tmp_path, rows), LABELS, "neutral")
    assert raised.value.code == code and named in str(raised.value)


def test_label_ids_and_binary_cells_of_a_mapping_are_read_as_the_data_reads_them(tmp_path) -> None:
    """Found by a review: the mapping read a label 0 as '' and a Parquet BINARY label as "b'anger'" (E216: labels the
    data does not have), where the data's own file reads them as '0' and 'anger'."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [("anger", "negative", "dissatisfied"), ("joy", "positive", "satisfied"), ("neutral", "neutral", "neutral")]
    numbered = tmp_path / "mapping.jsonl"
    numbered.write_text("".join(json.dumps({"label": i, "ekman": e, "sentiment": s, "satisfaction": f}) + "\n"
                                for i, (e, s, f) in enumerate(rows)), encoding="utf-8")
    assert read_label_mapping(numbered, ("0", "1", "2"), None)["ekman"] == {"anger": ("0",), "joy": ("1",),
                                                                            "neutral": ("2",)}
    binary = tmp_path / "mapping.parquet"
    pq.write_table(pa.table({"label": pa.array([b"anger", b"joy", b"calm"], pa.binary()),
                             "ekman": pa.array([e.encode() for e, _, _ in rows], pa.binary()),
                             "sentiment": [s for _, s, _ in rows], "satisfaction": [f for _, _, f in rows]}), binary)
    assert read_label_mapping(binary, ("anger", "calm", "joy"), None)["sentiment"] == {
        "negative": ("anger",), "positive": ("joy",), "neutral": ("calm",)}


def test_train_refuses_a_bad_mapping_before_training_and_writes_nothing(tmp_path) -> None:
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(json.dumps({"text": t, "labels": label}) + "\n" for t, label in OWN_LABEL_ROWS[:8]))
    mapping = _mapping(tmp_path, "anger,anger,negative,dissatisfied\n")
    result = run("train", "--data", str(data), "--mapping", str(mapping), "--from-model", str(DEFAULT_MODEL_DIR),
                 "--output", str(tmp_path / "run"), "--model-dir", str(tmp_path / "model"))
    assert result.returncode != 0 and "E217" in result.stderr and "gratitude" in result.stderr
    assert not (tmp_path / "model").exists() and not (tmp_path / "run").exists()
    assert "E220" in run("train", "--mapping", str(mapping), "--output", str(tmp_path / "run")).stderr


def test_a_mapped_models_readings_carry_the_ekman_sentiment_and_leaning_views(mapped_labels_model) -> None:
    classifier = EmotionClassifier.from_pretrained(mapped_labels_model)
    assert classifier.schema.groupings["ekman"] == {"anger": ("anger",), "joy": ("gratitude",),
                                                    "neutral": ("refund_request",)}
    reading = classifier.predict(["You are all useless, this makes me so angry"])[0]
    assert "anger" in reading.labels
    assert "anger" in reading.views["ekman"].labels and "negative" in reading.views["sentiment"].labels
    assert reading.views["ekman"].probabilities["anger"] == pytest.approx(reading.probabilities["anger"])
    assert "dissatisfied" in reading.views["satisfaction_leaning"].labels
    assert reading.valence is not None and reading.satisfaction is not None  # --from-model keeps those heads


def test_an_anger_mapped_label_drives_the_anger_path(mapped_labels_model, tmp_path) -> None:
    start = datetime.now(UTC) - timedelta(hours=2)
    texts = ["You are all useless, this makes me so angry!", "This makes me so angry, nobody answers!",
             "I am furious, you are all useless"]
    messages = [{"customer_id": "c-angry", "conversation_id": "v1", "channel": "chat", "speaker": "customer",
                 "timestamp": (start + timedelta(minutes=i)).isoformat(), "text": t} for i, t in enumerate(texts)]
    with make_client(tmp_path, model_dir=mapped_labels_model) as client:
        assert client.post("/v1/messages", json={"messages": messages}).status_code == 201
        assert client.get("/v1/model").json()["groupings"]["ekman"] == ["anger", "joy", "neutral"]
        detail = client.get("/v1/customers/c-angry").json()
        timeline = client.get("/v1/customers/c-angry/timeline").json()
    assert all("anger" in m["ekman_labels"] for m in timeline["messages"])
    assert "anger" in detail["state"]["leading_emotions"]
    spikes = [a for a in detail["alerts"] if a["kind"] == "intensity_spike"]
    assert spikes and all(a["reason"].startswith("High-intensity anger") for a in spikes)



def test_training_from_a_model_reads_its_texts_with_that_models_tokenizer(mapped_labels_model) -> None:
    """`train --data --from-model DIR` tokenized with the base MiniLM tokenizer whatever DIR's network was (a model of
    another encoder would have read other token ids silently): it reads with DIR's own tokenizer, which the trained
    model then ships."""
    config = json.loads((mapped_labels_model / "tokenizer_config.json").read_text(encoding="utf-8"))
    assert config["model_max_length"] == MARKED_MODEL_MAX_LENGTH
