from __future__ import annotations

import datasets
import pytest

from emotrace.errors import EmotraceError
from emotrace.training.data import read_labelled_records


def test_reads_a_saved_datasets_dataset(tmp_path) -> None:
    datasets.Dataset.from_dict({"message": ["thanks!", "awful", "hm"], "tag": ["joy", "anger,disgust", "neutral"]}) \
        .save_to_disk(str(tmp_path / "ds"))
    data = read_labelled_records(tmp_path / "ds", "message", "tag")
    assert data.labels == ("anger", "disgust", "joy", "neutral")
    assert data.targets.tolist()[1] == [1.0, 1.0, 0.0, 0.0]


def test_a_dataset_dict_names_its_splits(tmp_path) -> None:
    split = datasets.Dataset.from_dict({"text": ["a"], "labels": ["joy"]})
    datasets.DatasetDict({"train": split, "test": split}).save_to_disk(str(tmp_path / "dd"))
    with pytest.raises(EmotraceError, match=r"E215.*\['train', 'test'\]"):
        read_labelled_records(tmp_path / "dd", "text", "labels")


def test_empty_text_rows_are_named_with_the_file(tmp_path) -> None:
    """`evaluate` said only "[E003] Text 0 is empty" (0-based, no file, no row) once the model read the texts."""
    path = tmp_path / "x.csv"
    path.write_text("text,labels\nhi,joy\n  ,anger\nyo,joy\n,joy\n", encoding="utf-8")
    with pytest.raises(EmotraceError, match=r"E511.*2 rows of .*x\.csv have an empty or unreadable 'text' \(rows 2, 4\)"):
        read_labelled_records(path, "text", "labels")


def test_texts_no_model_can_read_are_named_before_the_model_reads(tmp_path) -> None:
    """A lone surrogate in a JSONL text (``"\\ud83d"``) reached the tokenizer: a TypeError traceback after the model
    loaded, in evaluate, adapt and train --data; a text of invisible characters was read as a text."""
    path = tmp_path / "x.jsonl"
    rows = ['{"text": "Where is my refund \\ud83d", "labels": "anger"}', '{"text": "fine", "labels": "joy"}',
            '{"text": "nul \\u0000 byte", "labels": "joy"}', '{"text": "\\u200b\\u2800", "labels": "joy"}']
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(EmotraceError, match=r"E511.*3 rows of .*x\.jsonl have an empty or unreadable 'text' "
                                            r"\(rows 1, 3, 4\)"):
        read_labelled_records(path, "text", "labels")


def test_a_models_labels_are_matched_in_any_case(tmp_path) -> None:
    """`evaluate` refused "Joy" (E210: "Retrain with your labels") where `adapt` reads the same file."""
    path = tmp_path / "x.csv"
    path.write_text("text,labels\nhi,Joy\nugh,ANGER\n", encoding="utf-8")
    data = read_labelled_records(path, "text", "labels", labels=("anger", "joy"))
    assert data.labels == ("anger", "joy") and data.targets.tolist() == [[0.0, 1.0], [1.0, 0.0]]


def test_empty_label_rows_are_named(tmp_path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("text,labels\nhi,joy\nyo,\n", encoding="utf-8")
    with pytest.raises(EmotraceError, match=r"E209.*1 row of .* has no label \(row 2\)"):
        read_labelled_records(path, "text", "labels")


def test_class_ids_and_binary_text_cells_are_read_as_given(tmp_path) -> None:
    """Found by a review: a label cell holding the class id 0 read as empty (E209 "no label") while 1 became "1",
    and a Parquet text column stored as BINARY (as Hive and Impala write strings) was read as "b'I love it'"."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "ids.jsonl"
    path.write_text('{"text": "great", "labels": 0}\n{"text": "awful", "labels": 1}\n', encoding="utf-8")
    assert read_labelled_records(path, "text", "labels").labels == ("0", "1")
    path = tmp_path / "binary.parquet"
    pq.write_table(pa.table({"text": pa.array([b"I love it", b"I hate it"], pa.binary()), "labels": ["joy", "anger"]}),
                   path)
    assert read_labelled_records(path, "text", "labels").texts == ["I love it", "I hate it"]


def test_a_rated_row_without_text_is_named_with_the_file_and_its_row(tmp_path) -> None:
    """Found by a review: `evaluate --rating-column` (or --satisfaction-column) passed empty texts to the model, which
    refused them as "[E003] Text 1 is empty", counted from 0 among the scored rows, naming neither file nor row."""
    from emotrace.training.satisfaction_data import read_satisfaction_records

    path = tmp_path / "reviews.csv"
    path.write_text("text,stars\nFine,5\n,1\nAwful,1\n", encoding="utf-8")
    with pytest.raises(EmotraceError, match=r"E511.*reviews.csv.*\(row 2\)"):
        read_satisfaction_records(path, "text", "stars", None)


def test_a_goemotions_tsv_is_read_in_the_encoding_given_and_its_bad_lines_named(tmp_path) -> None:
    """Found by a review: `evaluate --data x.tsv --encoding latin-1` read the TSV as UTF-8 anyway (a traceback), a
    text past the field limit was csv's "field larger than field limit" traceback, and an empty text reached the model
    as "[E003] Text 0 is empty"."""
    from emotrace.model.labels import GOEMOTIONS_LABELS
    from emotrace.tabular import MAX_CELL_CHARS
    from emotrace.training.data import read_labelled_file

    path = tmp_path / "x.tsv"
    path.write_bytes("caf\u00e9 was lovely\t17\n".encode("latin-1"))
    assert read_labelled_file(path, GOEMOTIONS_LABELS, encoding="latin-1").texts == ["caf\u00e9 was lovely"]
    with pytest.raises(EmotraceError, match="E004"):
        read_labelled_file(path, GOEMOTIONS_LABELS)
    path.write_text("fine\t27\n" + "x" * (MAX_CELL_CHARS + 1) + "\t27\n", encoding="utf-8")
    with pytest.raises(EmotraceError, match=r"E514.*row 2"):
        read_labelled_file(path, GOEMOTIONS_LABELS)
    path.write_text("fine\t27\n\t27\n", encoding="utf-8")
    with pytest.raises(EmotraceError, match=r"E511.*\(row 2\)"):
        read_labelled_file(path, GOEMOTIONS_LABELS)
    path.write_text("fine\t27\nbad\x00text\t27\n\u200b\u200b\t27\n", encoding="utf-8")  # a NUL: the tokenizer's TypeError
    with pytest.raises(EmotraceError, match=r"E511.*\(rows 2, 3\)"):
        read_labelled_file(path, GOEMOTIONS_LABELS)


def test_labels_that_differ_only_in_case_are_refused_naming_them(tmp_path) -> None:
    """Found by a review: a file of one's own labels that wrote "Joy" in some rows and "joy" in others trained two
    classes, each with half the examples, without a word."""
    path = tmp_path / "own.csv"
    path.write_text("text,labels\nlovely,Joy\ngreat,joy\nawful,anger\n", encoding="utf-8")
    with pytest.raises(EmotraceError, match=r"E221.*'Joy'.*'joy'.*rows 1, 2"):
        read_labelled_records(path, "text", "labels")


def test_copies_that_differ_only_in_case_or_spacing_fall_in_one_split() -> None:
    """Found by a review: the test, dev and fold splits hashed the raw text, so "order 2 never arrived" was held out
    while "order 2 never arrived " (the same text to the model) trained."""
    from emotrace.training.data import split_key
    from emotrace.training.held_out import is_held_out

    copies = ["order 2 never arrived", "order 2 never arrived ", "Order  2 never\narrived", "ORDER 2 NEVER ARRIVED"]
    assert len({split_key(t) for t in copies}) == 1
    texts = [f"where is my parcel number {i}" for i in range(200)]
    assert all(is_held_out(t) == is_held_out(" " + t.upper() + "  ") for t in texts)
    assert any(is_held_out(t) for t in texts) and not all(is_held_out(t) for t in texts)


def test_a_repeated_text_is_matched_as_the_model_reads_it() -> None:
    """Found by a review: `train --data` and `adapt` matched repeats by :func:`split_key`, which folds case, so "I AM SO
    ANGRY" (read "shouting I AM SO ANGRY") and "i am so angry" labelled otherwise were refused (E325), though the model
    reads two texts; copies it reads alike (another case without the shouting cue, other spacing) still conflict."""
    from emotrace.training.data import distinct_rows

    assert distinct_rows("f.csv", ["I AM SO ANGRY", "i am so angry"], [{"anger"}, {"annoyance"}]) == [0, 1]
    with pytest.raises(EmotraceError, match=r"E325.*rows 1, 2") as refused:
        distinct_rows("f.csv", ["I am so angry", "  i am  so\nangry"], [{"anger"}, {"annoyance"}])
    assert "merge" in refused.value.fix and "drop" in refused.value.fix
    same = ["I am so angry", "i am so angry ", "I AM SO ANGRY", "I AM  SO ANGRY"]
    assert distinct_rows("f.csv", same, [{"anger"}] * 4) == [0, 2]


def test_a_step_limit_or_patience_below_one_is_refused() -> None:
    """Found by a review: --max-steps 0 packaged the untrained network; --patience 0 stopped after the first epoch
    while validation improved."""
    from emotrace.errors import EmotraceError
    from emotrace.training.trainer import TrainingArguments

    for bad in ({"max_steps": 0}, {"max_steps": -1}, {"patience": 0}):
        with pytest.raises(EmotraceError, match="E319"):
            TrainingArguments(output_dir="unused", **bad)


def test_an_empty_goemotions_tsv_is_refused_as_empty(tmp_path) -> None:
    """Found by a review: `evaluate --data empty.tsv` read no rows and failed inside scikit-learn (a traceback)."""
    from emotrace.errors import EmotraceError
    from emotrace.model.labels import GOEMOTIONS_LABELS
    from emotrace.training.data import read_goemotions_tsv

    (tmp_path / "empty.tsv").write_text("", encoding="utf-8")
    with pytest.raises(EmotraceError, match="E513"):
        read_goemotions_tsv(tmp_path / "empty.tsv", GOEMOTIONS_LABELS)


def test_a_rating_of_zero_is_refused_not_counted_as_unrated(tmp_path) -> None:
    """Found by a review: `record.get(column) or ""` read a numeric 0 as no rating."""
    from emotrace.errors import EmotraceError
    from emotrace.training.satisfaction_data import read_satisfaction_records

    path = tmp_path / "r.jsonl"
    path.write_text('{"text": "bad", "stars": 0}\n{"text": "great", "stars": 5}\n', encoding="utf-8")
    with pytest.raises(EmotraceError, match=r"E212.*row 1"):
        read_satisfaction_records(path, "text", "stars", None)


def test_blank_lines_of_a_goemotions_tsv_are_skipped(tmp_path) -> None:
    """Found by a review: a trailing empty line (or one of blank cells) was refused with E201 "has 0 column(s)"."""
    from emotrace.model.labels import GOEMOTIONS_LABELS
    from emotrace.training.data import read_goemotions_tsv

    path = tmp_path / "blank.tsv"
    path.write_text("Thanks a lot!\t15\tid1\n\nI am so angry\t2\tid2\n \t \t\n\n", encoding="utf-8")
    data = read_goemotions_tsv(path, GOEMOTIONS_LABELS)
    assert data.texts == ["Thanks a lot!", "I am so angry"]
    assert [[data.labels[j] for j in row.nonzero()[0]] for row in data.targets] == [["gratitude"], ["anger"]]


def test_unknown_labels_say_how_many_rows_and_labels_there_are(tmp_path) -> None:
    """Found by a review: E210 named the first ten rows and labels of 82 and did not say there were more."""
    path = tmp_path / "x.csv"
    path.write_text("text,labels\n" + "".join(f"text {i},label{i % 12}\n" for i in range(15)), encoding="utf-8")
    with pytest.raises(EmotraceError, match=r"E210.*and 2 more.*rows 1, .*, 10 and 5 more\)"):
        read_labelled_records(path, "text", "labels", labels=("anger", "joy"))
