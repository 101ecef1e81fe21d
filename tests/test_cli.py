"""The CLI end to end, as a user runs it: in this process through typer's runner (``run``), and as the installed
``emotrace`` script in a subprocess where a real process matters (``run_process``)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from emotrace.cli import app
from emotrace.paths import DEFAULT_MODEL_DIR

EMOTRACE = shutil.which("emotrace") or str(Path(sys.executable).with_name("emotrace"))


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """``emotrace ARGS`` run in this process (typer's runner): its exit code, stdout and stderr."""
    result = CliRunner().invoke(app, list(args), input=stdin, catch_exceptions=False)
    return subprocess.CompletedProcess(["emotrace", *args], result.exit_code, result.stdout, result.stderr)


def run_process(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """``emotrace ARGS`` run as the installed script, in a subprocess."""
    proc = subprocess.run([EMOTRACE, *args], input=stdin, capture_output=True, timeout=300)
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode(), proc.stderr.decode())


def test_the_installed_script_prints_its_version() -> None:
    result = run_process("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"emotrace {version('emotrace')}"


def test_analyze_json() -> None:
    result = run("analyze", "Thank you, the new card works perfectly!", "😡😡", "--json")
    assert result.returncode == 0, result.stderr
    readings = json.loads(result.stdout)
    assert [r["text"] for r in readings] == ["Thank you, the new card works perfectly!", "😡😡"]
    assert "gratitude" in readings[0]["labels"]
    assert "anger" in readings[1]["views"]["ekman"]["labels"]
    # the class, as the text output and the batch CSV give it (the JSON gave only the probabilities)
    assert [r["satisfaction_class"] for r in readings] == ["satisfied", "dissatisfied"]
    assert all(r["satisfaction_class"] == max(r["satisfaction"], key=r["satisfaction"].get) for r in readings)


def test_analyze_human_readable_from_stdin() -> None:
    result = run("analyze", stdin="I'm so sad my order got lost 😢\n\nThanks a lot!\n".encode())
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("» ") == 2
    assert "emotions:" in result.stdout and "satisfaction:" in result.stdout


def test_analyze_file(tmp_path) -> None:
    path = tmp_path / "texts.txt"
    path.write_text("Where is my refund?\nGreat job team :)\n", encoding="utf-8")
    result = run("analyze", "--file", str(path), "--json")
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 2
    # found by a review: a byte-order mark (Notepad's "UTF-8 with BOM") stayed on the first text
    path.write_text("\ufeffWhere is my refund?\n", encoding="utf-8")
    assert json.loads(run("analyze", "--file", str(path), "--json").stdout)[0]["text"] == "Where is my refund?"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["analyze", "   "], None, "[E003] The text is empty or only whitespace / invisible characters."),
        (["analyze", ""], None, "[E003] The text is empty or only whitespace"),  # not '.', the current folder
        (["analyze", "\u200b"], None, "[E003] The text is empty or only whitespace / invisible characters."),
        (["analyze", "--file", "-"], b"caf\xe9 ok\n", "[E004] stdin is not valid UTF-8"),
        (["analyze", "--file", "/no/such/file.txt"], None, "[E006] /no/such/file.txt: no such file."),
        (["analyze", "hi", "--model", "/no/such/model"], None, "[E110] Model directory /no/such/model does not exist."),
        (["evaluate", "--data", "/no/such.tsv"], None, "[E006] /no/such.tsv: no such file."),
    ],
)
def test_bad_input_gets_one_clear_line(args, stdin, message) -> None:
    result = run(*args, stdin=stdin)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_evaluate_goemotions_tsv_json(tmp_path, data_root) -> None:
    sample = tmp_path / "dev200.tsv"
    lines = (data_root / "goemotions" / "original" / "dev.tsv").read_text(encoding="utf-8").splitlines()
    sample.write_text("\n".join(lines[:200]) + "\n", encoding="utf-8")
    result = run("evaluate", "--data", str(sample), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert {"n", "macro_f1", "micro_f1", "per_label", "labels_without_examples", "groups"} == set(report)
    assert set(report["groups"]) == {"ekman", "sentiment"}
    assert len(report["groups"]["ekman"]["per_label"]) == 7
    assert report["n"] == 200
    assert len(report["per_label"]) == 28
    assert 0.5 < report["micro_f1"] <= 1.0  # the model card: 0.61 on all of dev; 200 rows vary by a few points


def test_evaluate_csv_with_label_names(tmp_path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text('message,emotion\n"Thanks so much!",gratitude\n"I hate waiting",'
                    '"anger,annoyance"\n"ok",neutral\n', encoding="utf-8")
    result = run("evaluate", "--data", str(path), "--text-column", "message", "--label-column", "emotion")
    assert result.returncode == 0, result.stderr
    assert "macro_f1" in result.stdout and "gratitude" in result.stdout
    header = next(line for line in result.stdout.splitlines() if "support" in line)
    assert header.split() == ["label", "precision", "recall", "F1", "support"] and "[0]" not in result.stdout
    # found by a new-user trial: the 24 labels the macro-F1 leaves out ("without examples") were listed at 0.000
    rows = result.stdout.split("support\n")[1].splitlines()
    assert [r.split()[0] for r in rows] == ["anger", "annoyance", "gratitude", "neutral"], rows


def test_evaluate_unknown_column_lists_columns(tmp_path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("message,emotion\nhi,joy\n", encoding="utf-8")
    result = run("evaluate", "--data", str(path))
    assert result.returncode == 2
    assert "Column 'text' is not in" in result.stderr and "['message', 'emotion']" in result.stderr


def test_evaluate_unknown_label_names_rows(tmp_path) -> None:
    path = tmp_path / "mine.jsonl"
    path.write_text('{"text": "hi", "labels": ["joy"]}\n{"text": "yo", "labels": ["happyness"]}\n')
    result = run("evaluate", "--data", str(path))
    assert result.returncode == 2
    assert "['happyness']" in result.stderr and "(row 2)" in result.stderr


def test_a_recorded_command_shows_no_database_password() -> None:
    """The command recorded in a model's card and provenance (adapt --corrections --database-url ...) showed the
    database password to whoever the model folder was shared with."""
    import typer

    from emotrace.cli_support import command_line

    recorded: list[str] = []
    command = typer.Typer()

    @command.command()
    def adapt(ctx: typer.Context, database_url: str = "", note: str = "") -> None:
        recorded.append(command_line(ctx))

    url = "postgresql+psycopg://floor:S3c@ret@db.example:5432/cx?sslmode=require"
    assert CliRunner().invoke(command, ["--database-url", url, "--note", "a://b:c"]).exit_code == 0
    assert recorded == ["emotrace --database-url 'postgresql+psycopg://floor:***@db.example:5432/cx?sslmode=require' "
                        "--note a://b:c"]


def test_serve_refuses_an_open_address_without_api_keys() -> None:
    result = run("serve", "--host", "0.0.0.0", "--port", "1")
    assert result.returncode != 0
    assert "E015" in result.stderr + result.stdout and "EMOTRACE_API_KEYS" in result.stderr + result.stdout


@pytest.mark.parametrize("argument", ["missing.wav", "calls/missing.vtt", "./nowhere/mail.eml"])
def test_a_path_that_does_not_exist_is_an_error_not_a_text(argument: str) -> None:
    result = run("analyze", argument)
    assert result.returncode == 2
    assert "[E006]" in result.stderr and str(Path(argument)) in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("suffix", [".m4a", ".opus", ".amr", ".aac", ".wma", ".webm"])
def test_an_audio_file_analyze_cannot_read_is_refused_not_read_as_its_name(tmp_path, monkeypatch, suffix: str) -> None:
    """Found by a review: `analyze call.m4a` read the file's name as a text (exit 0, a reading of "call.m4a"), and
    `analyze missing.m4a` too (read dissatisfied, topic lost_damaged): only a fixed list of suffixes was taken for a
    path. A file that exists is a file (one analyze cannot read: E701), a missing one of an audio suffix is E006."""
    monkeypatch.chdir(tmp_path)
    Path(f"call{suffix}").write_bytes(b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00")
    result = run("analyze", f"call{suffix}")
    assert result.returncode == 2 and "[E701]" in result.stderr and f"call{suffix}" in result.stderr, result.stdout
    missing = run("analyze", f"missing{suffix}")
    assert missing.returncode == 2 and "[E006]" in missing.stderr and f"missing{suffix}" in missing.stderr, missing.stdout


def test_a_file_of_no_known_kind_named_as_a_path_is_a_file_and_ordinary_words_stay_texts(tmp_path, monkeypatch) -> None:
    """A file named as a path (``./call``) that analyze cannot read is refused as not a conversation file (E014), not
    read as the text of its name; a word that also names a file in the current folder ("thanks": a review found it
    refused as a file) and texts with dots and slashes that name no file are texts."""
    from emotrace.cli import _conversation_file

    monkeypatch.chdir(tmp_path)
    Path("call").write_bytes(b"RIFF\x00\x00\x00\x00WAVE")
    Path("thanks").write_text("a file", encoding="utf-8")
    result = run("analyze", "./call")
    assert result.returncode == 2 and "[E014]" in result.stderr and "call" in result.stderr, result.stdout
    for text in ("I paid 4.99 for it", "see www.example.com", "v2.0 broke it", "www.example.com", "4.99", "and/or",
                 "thanks"):
        assert _conversation_file([text]) is None, text


def test_a_conversation_file_with_a_space_in_its_name_or_a_text_suffix_is_read_as_the_file(tmp_path, monkeypatch) -> None:
    """Found by a review: `analyze "my call.vtt"` (a space in the name) and `analyze chat.text` read the file's name
    as a text to analyse, exit 0; a text with a space that names no file stays a text."""
    from emotrace.cli import _conversation_file

    monkeypatch.chdir(tmp_path)
    Path("my call.vtt").write_bytes((Path(__file__).resolve().parents[1] / "examples" / "call.vtt").read_bytes())
    Path("chat.text").write_text("Customer: My order is late.\nAgent: Sorry, let me check.\n", encoding="utf-8")
    assert _conversation_file(["my call.vtt"]) == Path("my call.vtt")
    assert _conversation_file([str(tmp_path / "my call.vtt")]) == tmp_path / "my call.vtt"
    assert _conversation_file(["chat.text"]) == Path("chat.text")
    assert _conversation_file(["your call.vtt"]) is None  # no such file: a text
    assert _conversation_file(["the file is broken.txt"]) is None


def test_a_directory_or_two_files_are_errors(tmp_path) -> None:
    result = run("analyze", str(tmp_path))
    assert result.returncode == 2 and "is a folder" in result.stderr
    vtt = Path(__file__).resolve().parents[1] / "examples" / "call.vtt"
    result = run("analyze", str(vtt), str(vtt))
    assert result.returncode == 2 and "one conversation file at a time" in result.stderr


@pytest.mark.parametrize(("args", "named"), [
    (["Thanks, all sorted!", "--format", "xml"], "--format"), (["Thanks!", "--agent", "Sam"], "--agent"),
    (["--file", "-", "--format", "vtt"], "--format"),
    ([str(Path(__file__).resolve().parents[1] / "examples" / "call.vtt"), "--rating", "2"], "--rating"),
])
def test_an_option_that_does_not_apply_to_the_input_is_refused_naming_it(args: list[str], named: str) -> None:
    result = run("analyze", *args, stdin=b"hello\n")
    assert result.returncode == 2, result.stdout
    assert "[E027]" in result.stderr and named in result.stderr and "Traceback" not in result.stderr


def test_text_with_a_slash_is_still_text() -> None:
    result = run("analyze", "24/7 support my foot, nobody answers", "and/or", "--json")
    assert result.returncode == 0, result.stderr
    assert [r["text"] for r in json.loads(result.stdout)] == ["24/7 support my foot, nobody answers", "and/or"]


def test_a_text_too_long_to_be_a_path_is_read_as_text() -> None:
    """Found by a review: every argument was tried as a folder, and one over 255 bytes ended in OSError [Errno 36]
    File name too long; an argument that cannot be a path is text."""
    complaint = "I have been waiting for my refund for three weeks now and " * 6
    link = "https://example.com/orders/" + "a" * 300
    result = run("analyze", complaint, link, "--json")
    assert result.returncode == 0, result.stderr
    assert [r["text"] for r in json.loads(result.stdout)] == [complaint, link]


def test_analyze_file_reads_one_text_per_newline_only(tmp_path) -> None:
    """Found by a review: str.splitlines() also broke lines at U+2028, NEL and form feed, so 3 lines gave 6
    readings; lines end at "\\n" alone (a trailing "\\r" dropped), as batch reads them."""
    path = tmp_path / "texts.txt"
    path.write_bytes("Where is my refund?\u2028Still nothing.\r\nGreat\x85job\nThe app\x0ccrashed again\rI love it\r"
                     .encode())
    result = run("analyze", "--file", str(path), "--json")
    assert result.returncode == 0, result.stderr
    assert [r["text"] for r in json.loads(result.stdout)] == [  # a lone "\r" (old Mac files) ends a line too
        "Where is my refund?\u2028Still nothing.", "Great\x85job", "The app\x0ccrashed again", "I love it"]


def _latin1_csv(path: Path, label: bool = False) -> Path:
    rows = ["text,labels" if label else "text"]
    rows += [f"Message {i}: the delivery was late again,anger" if label else f"Message {i}: the delivery was late"
             for i in range(50)]
    rows[2] = "Caf\u00e9 order never came,anger" if label else "Caf\u00e9 order never came"
    path.write_bytes(("\n".join(rows) + "\n").encode("latin-1"))
    return path


def test_a_csv_in_another_encoding_is_refused_with_the_fix_not_dropped(tmp_path) -> None:
    source = _latin1_csv(tmp_path / "latin1.csv")
    refused = run("batch", str(source), "-o", str(tmp_path / "out.jsonl"))
    assert refused.returncode == 2 and "--encoding" in refused.stderr and "line 3" in refused.stderr
    read = run("batch", str(source), "-o", str(tmp_path / "out.jsonl"), "--encoding", "latin-1", "--json")
    assert read.returncode == 0, read.stderr
    assert json.loads(read.stdout)["rows"] == 50 and json.loads(read.stdout)["errors"] == 0
    labelled = _latin1_csv(tmp_path / "labelled.csv", label=True)
    evaluated = run("evaluate", "--data", str(labelled))
    assert evaluated.returncode == 2 and "--encoding" in evaluated.stderr and "Traceback" not in evaluated.stderr
    assert run("evaluate", "--data", str(labelled), "--encoding", "latin-1").returncode == 0


def test_a_batch_with_too_many_bad_rows_exits_non_zero(tmp_path) -> None:
    source = tmp_path / "some-empty.jsonl"
    source.write_text("".join(json.dumps({"text": "" if i % 3 == 0 else f"text {i}"}) + "\n" for i in range(12)))
    result = run("batch", str(source), "-o", str(tmp_path / "out.jsonl"))
    assert result.returncode == 1
    assert "4 of 12 rows" in result.stderr and "--max-bad-share" in result.stderr
    tolerant = run("batch", str(source), "-o", str(tmp_path / "out2.jsonl"), "--max-bad-share", "0.5")
    assert tolerant.returncode == 0, tolerant.stderr


def test_serve_on_a_busy_port_says_so_before_announcing_anything() -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        result = run("serve", "--port", str(busy.getsockname()[1]))
    assert result.returncode == 2
    assert "E018" in result.stderr and "in use" in result.stderr and "dashboard and API on" not in result.stdout


def test_the_python_api_names_its_own_fix_for_a_missing_model(tmp_path) -> None:
    from emotrace.errors import EmotraceError
    from emotrace.model.classifier import EmotionClassifier

    with pytest.raises(EmotraceError, match="from_pretrained") as error:
        EmotionClassifier.from_pretrained(tmp_path / "nowhere")
    assert "--model" in str(error.value)  # one message for both: the CLI flag and the Python call


def test_an_email_with_a_date_header_prints_as_json(tmp_path) -> None:
    mail = tmp_path / "dated.eml"
    mail.write_bytes(b"From: ann@example.com\nSubject: refund\nDate: Tue, 24 Nov 2026 09:30:00 +0100\n\n"
                     b"I am still waiting for my refund.\n")
    result = run("analyze", str(mail), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["metadata"]["sent_at"] == "2026-11-24T08:30:00Z"


MAIL_TXT = """Hi,

my refund for order 4411 still has not arrived after three weeks. Please sort it out.

Thanks,
John Smith
Senior Buyer, Acme Ltd
"""
CHAT_TXT = """Agent: Hello, how can I help you today?
Customer: My parcel never arrived and I am really annoyed.
Agent: I am so sorry, let me check that for you.
"""


def test_plain_text_email_and_chat_files_are_read_by_their_content(tmp_path) -> None:
    (tmp_path / "mail.txt").write_text(MAIL_TXT)
    (tmp_path / "chat.txt").write_text(CHAT_TXT)
    mail = json.loads(run("analyze", str(tmp_path / "mail.txt"), "--json").stdout)
    assert mail["channel"] == "email" and len(mail["turns"]) == 1
    assert "refund" in mail["turns"][0]["reading"]["text"] and "Acme" not in mail["turns"][0]["reading"]["text"]
    chat = json.loads(run("analyze", str(tmp_path / "chat.txt"), "--json").stdout)
    assert [t["role"] for t in chat["turns"]] == ["agent", "customer", "agent"]
    forced = run("analyze", str(tmp_path / "chat.txt"), "--format", "email", "--json")
    assert json.loads(forced.stdout)["channel"] == "email"


@pytest.mark.parametrize("text", ["Absolutely wonderful, it broke after one day. Love it.",
                                  # the docs' own example: read satisfied with sentiment "positive, negative", and
                                  # the flag asked for "positive" alone
                                  "Great, broke after a day. Love it."])
def test_a_review_rating_that_contradicts_the_text_is_flagged(text: str) -> None:
    result = run("analyze", text, "--rating", "1", "--json")
    assert result.returncode == 0, result.stderr
    (reading,) = json.loads(result.stdout)
    assert reading["flags"] and "1/5" in reading["flags"][0] and "likely sarcasm" in reading["flags"][0]
    mixed = json.loads(run("analyze", "The staff were lovely but the room was filthy and cold.", "--rating", "1",
                           "--json").stdout)
    assert mixed[0]["flags"] == []  # praise and complaint together, read dissatisfied: not sarcasm


def test_a_folder_given_as_data_is_named_a_folder(tmp_path) -> None:
    for command in (["batch", str(tmp_path), "-o", str(tmp_path / "o.jsonl")], ["evaluate", "--data", str(tmp_path)]):
        result = run(*command)
        assert result.returncode == 2 and "is a folder" in result.stderr and "does not exist" not in result.stderr


REVIEWS = [("I love it, works perfectly, thank you!", 5, "satisfied"), ("Broken on arrival, I want my money back.", 1,
           "dissatisfied"), ("It is okay I guess.", 3, "neutral"), ("Terrible support, never again.", 2,
           "dissatisfied"), ("Great value, very happy.", 4, "satisfied"), ("Where is my order? Still nothing.", 1,
           "dissatisfied")]


def test_evaluate_satisfaction_against_ratings_or_classes(tmp_path) -> None:
    path = tmp_path / "reviews.csv"
    path.write_text("text,stars,feeling\n" + "".join(f'"{t}",{r},{c}\n' for t, r, c in REVIEWS), encoding="utf-8")
    rated = json.loads(run("evaluate", "--data", str(path), "--rating-column", "stars", "--json").stdout)
    assert rated["n"] == 5 and rated["left_out_three_star"] == 1  # three stars are mixed: not scored
    assert rated["dissatisfied_auc"] == 1.0 and rated["dissatisfied_recall"] >= 2 / 3
    classes = json.loads(run("evaluate", "--data", str(path), "--satisfaction-column", "feeling", "--json").stdout)
    assert classes["n"] == 6 and classes["left_out_without_a_class"] == 0 and 0 <= classes["calibration_error"] <= 1
    assert "left_out_three_star" not in classes  # a file of classes has no stars (it said 0 three-star rows)
    both = run("evaluate", "--data", str(path), "--rating-column", "stars", "--satisfaction-column", "feeling")
    assert both.returncode == 2 and "E211" in both.stderr


def test_evaluate_satisfaction_of_several_models_names_each_and_gives_one_json_document(tmp_path) -> None:
    """`evaluate --satisfaction-column C --model A --model B` printed two unnamed blocks (with --json, two JSON
    documents back to back, which no JSON reader parses) and spoke of three-star rows in a file of class names."""
    path = tmp_path / "reviews.csv"
    path.write_text("text,stars,feeling\n" + "".join(f'"{t}",{r},{c}\n' for t, r, c in REVIEWS), encoding="utf-8")
    other = shutil.copytree(DEFAULT_MODEL_DIR, tmp_path / "other")
    models = ("--model", str(DEFAULT_MODEL_DIR), "--model", str(other))
    both = json.loads(run("evaluate", "--data", str(path), "--satisfaction-column", "feeling", *models, "--json").stdout)
    assert list(both["models"]) == [str(DEFAULT_MODEL_DIR), str(other)]
    assert both["models"][str(other)]["n"] == 6 == both["models"][str(DEFAULT_MODEL_DIR)]["n"]
    text = run("evaluate", "--data", str(path), "--satisfaction-column", "feeling", *models).stdout
    assert f"[0] {DEFAULT_MODEL_DIR}" in text and f"[1] {other}" in text
    assert "three-star" not in text and "0 without a class" in text
    # found by a new-user trial: the models' figures came in blocks one after the other, with no difference
    row = next(line for line in text.splitlines() if line.split()[0] == "dissatisfied_vs_rest_macro_f1")
    assert len(row.split()) == 3 and row.split()[1] == row.split()[2], text
    assert "macro-F1 difference (last - first): +0.0000" in text


def test_evaluate_satisfaction_lists_the_most_confident_mistakes(tmp_path) -> None:
    """Found by a new-user trial: `--errors N` was refused with --satisfaction-column (E027), so one adapting the
    satisfaction view (adapt's main use) could not see what it reads wrong."""
    path = tmp_path / "reviews.csv"
    wrong = [("Wow, thanks for charging me twice. Really appreciate it.", "dissatisfied"),
             ("I love it, works perfectly, thank you!", "dissatisfied"), ("Terrible support, never again.", "satisfied")]
    path.write_text("text,feeling\n" + "".join(f'"{t}",{c}\n' for t, _, c in REVIEWS)
                    + "".join(f'"{t}",{c}\n' for t, c in wrong), encoding="utf-8")
    report = json.loads(run("evaluate", "--data", str(path), "--satisfaction-column", "feeling", "--errors", "2",
                            "--json").stdout)
    mistakes = report["mistakes"]
    assert len(mistakes) == 2 and mistakes[0]["confidence"] >= mistakes[1]["confidence"]
    assert all(m["gold"] != m["decided"] for m in mistakes)
    assert {m["text"] for m in mistakes} <= {t for t, _ in wrong} | {t for t, _, _ in REVIEWS}
    text = run("evaluate", "--data", str(path), "--satisfaction-column", "feeling", "--errors", "2").stdout
    assert "most confident mistakes:" in text and "gold: dissatisfied; decided: satisfied" in text, text


def test_evaluate_scores_a_two_class_file_as_adapt_reads_it(tmp_path) -> None:
    """A dissatisfied/other file (the form `adapt` takes) was refused: "have a labels outside dissatisfied, neutral or
    satisfied". It is scored dissatisfied vs the rest; a file mixing 'other' with neutral/satisfied names the rows."""
    path = tmp_path / "two.csv"
    path.write_text("text,labels\n" + "".join(f'"{t}",{"dissatisfied" if c == "dissatisfied" else "other"}\n'
                                              for t, _, c in REVIEWS), encoding="utf-8")
    report = json.loads(run("evaluate", "--data", str(path), "--satisfaction-column", "labels", "--json").stdout)
    assert report["n"] == 6 and report["dissatisfied_auc"] == 1.0 and report["dissatisfied_vs_rest_macro_f1"] > 0.6
    assert report["macro_f1"] is None and report["calibration_error"] is None  # three classes' figures: not asked
    text = run("evaluate", "--data", str(path), "--satisfaction-column", "labels").stdout
    assert "dissatisfied_vs_rest_macro_f1" in text and "macro_f1 " not in text.replace("rest_macro_f1", "")
    with path.open("a", encoding="utf-8") as handle:
        handle.write('"Fine.",neutral\n"What?",happy\n')
    mixed = run("evaluate", "--data", str(path), "--satisfaction-column", "labels")
    assert mixed.returncode == 2 and "[E212]" in mixed.stderr and "(rows 7, 8)" in mixed.stderr
    assert "have a labels" not in mixed.stderr
    path.write_text("text,labels\nAwful.,dissatisfied\nFine.,other\nOk.,neutral\n", encoding="utf-8")  # a tie
    tie = run("evaluate", "--data", str(path), "--satisfaction-column", "labels")
    assert "(row 3)" in tie.stderr and "dissatisfied/other" in tie.stderr, tie.stderr  # named row 2, the 'other'


INTENT_ROWS = [("I'm cancelling my subscription. Done with you.", "churn_threat"),
               ("Get me your manager right now.", "escalation_request"),
               ("I want a refund for the broken kettle.", "refund_request"),
               ("My lawyer will hear about this.", "legal_threat"),
               ("Refund me or I'm leaving.", "refund_request,churn_threat"),
               ("Where is my parcel?", ""), ("The refund came through fine, thanks.", "")]


def test_evaluate_scores_the_intent_view_on_an_intent_labelled_file(tmp_path) -> None:
    """An intent-labelled file was refused (E210, advising to retrain with one's own labels, although the model reads
    intents). `--intents-column` scores the intent view; an empty cell is a row stating no intent."""
    path = tmp_path / "intents.csv"
    path.write_text("text,intents\n" + "".join(f'"{t}","{i}"\n' for t, i in INTENT_ROWS), encoding="utf-8")
    report = json.loads(run("evaluate", "--data", str(path), "--intents-column", "intents", "--json").stdout)
    assert report["n"] == 7 and report["rows_without_an_intent"] == 2
    assert {k: v["support"] for k, v in report["per_label"].items()} == {
        "churn_threat": 2, "escalation_request": 1, "refund_request": 2, "legal_threat": 1}
    assert 0 < report["macro_f1"] <= 1 and 0 <= report["intent_set_exact"] <= 1
    assert 0 <= report["no_intent_rows_given_one"] <= 2
    text = run("evaluate", "--data", str(path), "--intents-column", "intents").stdout
    assert "intent set exact" in text and "churn_threat" in text
    path.with_name("none.csv").write_text('text,intents\n"Where is my parcel?",\n"Thanks!",\n', encoding="utf-8")
    none = json.loads(run("evaluate", "--data", str(path.with_name("none.csv")), "--intents-column", "intents",
                          "--json").stdout)
    assert none["macro_f1"] is None and none["rows_without_an_intent"] == 2  # was 0.0 "over the intents present"
    other = shutil.copytree(DEFAULT_MODEL_DIR, tmp_path / "other")
    both = run("evaluate", "--data", str(path), "--intents-column", "intents", "--model", str(DEFAULT_MODEL_DIR),
               "--model", str(other), "--json")
    assert json.loads(both.stdout)["macro_f1_difference"] == 0.0
    ignored = run("evaluate", "--data", str(path), "--intents-column", "intents", "--errors", "3")
    assert ignored.returncode == 2 and "[E027]" in ignored.stderr and "--errors" in ignored.stderr
    misfiled = run("evaluate", "--data", str(path), "--label-column", "intents")
    assert misfiled.returncode == 2 and "--intents-column" in misfiled.stderr, misfiled.stderr
    path.write_text("text,intents\nCancel it.,cancel\n", encoding="utf-8")
    unknown = run("evaluate", "--data", str(path), "--intents-column", "intents")
    assert unknown.returncode == 2 and "[E210]" in unknown.stderr and "'cancel'" in unknown.stderr
    assert "churn_threat" in unknown.stderr


def test_evaluate_leaves_out_unrated_rows_and_refuses_bad_ratings_by_row_number(tmp_path) -> None:
    """Issue 28: one empty rating stopped the whole run; an empty cell is a row without a rating, counted apart."""
    path = tmp_path / "reviews.csv"
    rows = [*REVIEWS, ("No stars given here, sadly.", "", "neutral")]
    path.write_text("text,stars,feeling\n" + "".join(f'"{t}",{r},{c}\n' for t, r, c in rows), encoding="utf-8")
    rated = json.loads(run("evaluate", "--data", str(path), "--rating-column", "stars", "--json").stdout)
    assert rated["n"] == 5 and rated["left_out_unrated"] == 1 and rated["left_out_three_star"] == 1
    path.write_text("text,stars\n\"Fine\",5\n\"Broken\",7\n", encoding="utf-8")
    bad = run("evaluate", "--data", str(path), "--rating-column", "stars")
    assert bad.returncode == 2 and "E212" in bad.stderr and "(row 2)" in bad.stderr


def test_comparing_a_model_with_itself_shows_no_difference(tmp_path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text('text,labels\n"Thanks so much!",gratitude\n"I hate waiting",anger\n"ok",neutral\n',
                    encoding="utf-8")
    copy = shutil.copytree(DEFAULT_MODEL_DIR, tmp_path / "copy")
    result = run("evaluate", "--data", str(path), "--model", str(DEFAULT_MODEL_DIR), "--model", str(copy), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["macro_f1_difference"] == 0.0 and len(report["models"]) == 2
    text = run("evaluate", "--data", str(path), "--model", str(DEFAULT_MODEL_DIR), "--model", str(copy)).stdout
    assert "[0]" in text and "[1]" in text and "macro-F1 difference (last - first): +0.0000" in text


def test_a_text_file_of_unrelated_lines_read_as_one_email_says_how_to_read_them_one_by_one(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("Great service, thanks!\nWhere is my parcel?\nThe app keeps crashing.\nRefund me now.\n")
    result = run("analyze", str(notes))
    assert result.returncode == 0, result.stderr
    assert "read as one e-mail" in result.stdout + result.stderr and "--file" in result.stdout + result.stderr


@pytest.mark.parametrize(("variable", "value", "said"), [
    ("EMOTRACE_API_KEYS", "key1", "EMOTRACE_API_KEYS: not valid JSON (a list is written"),
    ("EMOTRACE_STORE_TEXT", "bogus", "EMOTRACE_STORE_TEXT: Input should be 'redacted', 'none' or 'raw'"),
    ("EMOTRACE_PORT", "eighty", "EMOTRACE_PORT: Input should be a valid integer"),
    ("EMOTRACE_PORT", "70000", "EMOTRACE_PORT: Input should be less than or equal to 65535"),
])
def test_a_setting_that_cannot_be_read_is_one_line_naming_it(monkeypatch, variable: str, value: str,
                                                             said: str) -> None:
    """Found by a new-user trial: a key without JSON brackets, or an unknown EMOTRACE_STORE_TEXT, ended `serve` (and
    every command) in a pydantic traceback."""
    from emotrace.settings import get_settings

    monkeypatch.setenv(variable, value)
    get_settings.cache_clear()
    try:
        result = run("analyze", "hello")
    finally:
        monkeypatch.delenv(variable)
        get_settings.cache_clear()
    assert result.returncode == 2, result.stdout
    assert "E029" in result.stderr and said in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_serve_on_a_port_out_of_range_is_refused_in_one_line() -> None:
    """Found by a new-user trial: `serve --port 70000` ended in a traceback (OverflowError from bind); `--port 0`
    announced "http://127.0.0.1:0" and served on a port it never said."""
    for port, said in (("70000", "lessthanorequalto65535"), ("0", "greaterthanorequalto1")):
        result = run("serve", "--port", port)
        assert result.returncode == 2 and said in result.stderr.replace(" ", ""), result.stderr


def test_serve_on_a_database_it_cannot_open_says_so_before_announcing_anything(tmp_path) -> None:
    """Found by a new-user trial: a SQLite path in a missing folder ended `serve` in a 34-frame traceback and
    "Application startup failed" (exit 3)."""
    result = run("serve", "--port", "8000", "--database-url", f"sqlite:///{tmp_path}/missing/k.db")
    assert result.returncode == 2
    assert "E025" in result.stderr and "dashboard and API on" not in result.stdout


def test_serve_demo_on_a_store_that_holds_customers_says_the_demo_is_not_loaded(tmp_path) -> None:
    """Found by a new-user trial: after a `batch --ingest` into the default emotrace.db, `serve --demo` loaded nothing
    and said nothing (an almost empty dashboard)."""
    import socket

    source = tmp_path / "in.csv"
    source.write_text("customer,conversation,text\nc-1,v-1,Where is my parcel?\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path}/held.db"
    ingest = run("batch", str(source), "-o", str(tmp_path / "out.jsonl"), "--ingest", "--customer-column", "customer",
                 "--conversation-column", "conversation", "--database-url", url)
    assert ingest.returncode == 0, ingest.stderr
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([EMOTRACE, "serve", "--demo", "--database-url", url, "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        announced = server.stdout.readline()  # printed after the check, before the server starts
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=60)
    assert "dashboard and API on" in announced
    assert "the demo is not loaded" in errors and "already holds 1 customer " in errors, errors


def test_serve_says_which_store_and_model_it_serves_and_logs_requests_when_asked(tmp_path) -> None:
    """Found by a new-user trial: after hundreds of requests the log held one line; an operator could not see which
    database a replica used, and `serve` had no way to write an access log (its `api_key=***` masking unseen)."""
    import socket
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"sqlite:///{tmp_path}/logged.db"
    server = subprocess.Popen([EMOTRACE, "serve", "--access-log", "--database-url", url, "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        announced = server.stdout.readline()
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health?api_key=secret123", timeout=5).read()
                break
            except OSError:
                time.sleep(0.1)
    finally:
        server.terminate()
        out, errors = server.communicate(timeout=60)
    assert f"store {url}" in announced and "model emotrace-minilm-v1" in announced, announced
    logged = out + errors  # uvicorn writes its access lines on stdout
    assert "GET /health?api_key=*** " in logged and "secret123" not in logged, logged


def test_serve_with_outcome_models_it_cannot_load_says_so_before_announcing_anything(monkeypatch, tmp_path) -> None:
    """Found by a re-trial: an unusable EMOTRACE_OUTCOME_MODEL_DIR ended `serve` in a 33-frame traceback (exit 3)
    after it announced itself."""
    from emotrace.settings import get_settings

    monkeypatch.setenv("EMOTRACE_OUTCOME_MODEL_DIR", str(tmp_path / "nowhere"))
    get_settings.cache_clear()
    try:
        result = run("serve", "--port", "8000", "--database-url", f"sqlite:///{tmp_path}/o.db")
    finally:
        monkeypatch.delenv("EMOTRACE_OUTCOME_MODEL_DIR")
        get_settings.cache_clear()
    assert result.returncode == 2 and "E804" in result.stderr, result.stderr
    assert "dashboard and API on" not in result.stdout


def test_a_turn_a_hair_before_a_minute_is_shown_at_the_minute(tmp_path) -> None:
    """Found by a review: a turn starting at 59.97 s was shown "[00:60.0]" (seconds rounded apart from minutes)."""
    vtt = tmp_path / "late.vtt"
    vtt.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Agent>Hello, how can I help?\n\n"
                   "00:00:59.970 --> 00:01:02.000\n<v Customer>My parcel is late again.\n", encoding="utf-8")
    result = run("analyze", str(vtt))
    assert result.returncode == 0 and "[01:00.0] Customer" in result.stdout and "00:60" not in result.stdout, \
        result.stdout


def test_a_hub_model_on_the_command_line_is_fetched_from_the_hub_not_read_as_a_folder(monkeypatch) -> None:
    """Found by a review: `--model hf://org/name` was typed as a path, which reads "hf:/org/name": E110 "Model directory
    hf:/org/name does not exist" instead of a download from the hub (offline here: E112 naming the id)."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # no network here: the hub's own refusal, at once
    result = run("analyze", "--model", "hf://example-org/emotion-model", "hello")
    assert result.returncode == 2 and "[E112]" in result.stderr and "'example-org/emotion-model'" in result.stderr, \
        result.stderr


def test_serve_refuses_a_hub_model_as_its_setting_does(monkeypatch) -> None:
    """Found by a review: `serve --model hf://org/name` went to the hub (offline here: E112) where
    EMOTRACE_MODEL=hf://org/name is refused as a hub id with what to do: the service reads a local model directory,
    named on the command line or in its setting alike."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    result = run("serve", "--model", "hf://example-org/emotion-model", "--port", "1")
    said = " ".join(result.stderr.replace("│", " ").split())  # the message as one line, out of typer's box
    assert result.returncode == 2 and "'hf://example-org/emotion-model' is a Hugging Face hub id" in said and \
        "snapshot_download('org/name')" in said and "E112" not in said, result.stderr


@pytest.mark.parametrize(("host", "url"), [("127.0.0.1", "http://127.0.0.1:8000"), ("::1", "http://[::1]:8000"),
                                          ("localhost", "http://localhost:8000")])
def test_serve_announces_an_address_a_browser_opens(host: str, url: str) -> None:
    """Found by a review: `serve --host ::1` announced http://::1:8000, which no browser opens (IPv6 needs brackets)."""
    from emotrace.cli import served_url

    assert served_url(host, 8000) == url


def test_a_text_file_refused_midway_leaves_the_earlier_file_whole(tmp_path) -> None:
    """Found by a review: `drivers --output`/`--chart` and `topics discover --output` wrote in place, so a write
    refused midway left the earlier file cut short. The earlier file is kept as it was, and nothing else is left."""
    from emotrace.paths import write_text_file

    report = tmp_path / "drivers.json"
    report.write_text('{"earlier": true}\n', encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):  # a character UTF-8 cannot write, half-way through
        write_text_file(report, '{"later": "' + "x" * 100_000 + '\ud800"}\n')
    assert report.read_text(encoding="utf-8") == '{"earlier": true}\n'
    assert [path.name for path in tmp_path.iterdir()] == ["drivers.json"]


@pytest.mark.parametrize("command", [["analyze", "hello"], ["serve"], ["evaluate", "--data", "x.csv"]])
def test_an_empty_model_option_is_refused_not_read_as_a_folder(command: list[str]) -> None:
    """Found by a review: `--model ""` (a script's unset variable) read the shipped model in `analyze` without a word,
    and in `serve` failed as E111 naming the folder ".". It is refused, naming the option."""
    result = run(*command, "--model", " ")
    assert result.returncode == 2 and "--model" in result.stderr and "empty" in result.stderr, result.stderr
