"""Command line for what customers did next: ``emotrace outcomes import|fit``, ``emotrace customers import`` and
``emotrace outreach`` (segments are served at ``GET /v1/segments``). Heavy modules are imported inside the
commands."""

from __future__ import annotations

import csv
import json
import time
from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from emotrace.cli_support import EncodingOption, command_line, friendly_errors
from emotrace.encoding import checked_encoding
from emotrace.errors import EmotraceError
from emotrace.messages import is_identifier
from emotrace.paths import not_the_input, writable_file
from emotrace.settings import Settings, get_settings, stored_id
from emotrace.times import iso_utc
from emotrace.wording import counted, counted_doing, listed

if TYPE_CHECKING:
    from emotrace.store import Store

outcomes_app = typer.Typer(help="Outcomes you already know (churn, renewals, CSAT, ...), and what they teach.",
                           no_args_is_help=True)
customers_app = typer.Typer(help="Your own customer attributes (plan, region, spend, ...).", no_args_is_help=True)

DatabaseOption = Annotated[str | None, typer.Option(help="SQLAlchemy URL (default: the service's).")]
IdColumnOption = Annotated[str, typer.Option(help="Column holding the customer id.")]
MAX_DAYS = 36_500  # a century: --horizon-days 1e12 or --history-days 1e7 overflowed a date (a traceback)


def _store(settings: Settings, database_url: str | None) -> Store:
    """The store these commands read or add to: one that is not there is refused (E025), never created empty (a
    mistyped path cleared every audience id "ok"; outcomes and attributes are stored only for known customers)."""
    from emotrace.store import Store

    return Store(database_url or settings.database_url, existing=True)




@outcomes_app.command("import")
@friendly_errors
def import_outcomes(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="CSV, JSONL or Parquet: customer_id, kind, at, "
                                         "conversation_id (csat/resolved), value (csat 1-5, resolved yes/no).")],
    database_url: DatabaseOption = None,
    encoding: EncodingOption = "utf-8",
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Store known outcomes. Bad rows (unknown kind or customer, a future date, ...) are named with the reason and
    not stored; the rest are stored in one transaction; exit status 1 when any row was refused."""
    from emotrace.outcomes.records import OUTCOME_COLUMNS, REQUIRED_COLUMNS, RowProblem, parse_rows, stored_outcome
    from emotrace.tabular import check_table, read_rows

    settings = get_settings()
    encoding = checked_encoding(encoding)
    if extra := [c for c in check_table(path, encoding, REQUIRED_COLUMNS) if c not in OUTCOME_COLUMNS]:
        typer.echo(f"{'column' if len(extra) == 1 else 'columns'} not read: {', '.join(extra)}", err=True)
    rows = [(row.number, None if row.fields is None else {k: v for k, v in row.fields.items() if k in OUTCOME_COLUMNS},
             row.error) for row in read_rows(path, encoding)]
    good, problems = parse_rows(rows)
    store = _store(settings, database_url)  # after the file is read: its mistakes are named before the store's
    stored_form = [(number, outcome, stored_outcome(outcome, settings)) for number, outcome in good]
    known = store.customers.existing(new.customer_id for _, _, new in stored_form)
    conversations = store.messages.existing_conversations((n.customer_id, n.conversation_id) for _, _, n in stored_form
                                                 if n.conversation_id)
    storable = []
    for number, outcome, new in stored_form:
        if new.customer_id not in known:
            problems.append(RowProblem(number, f"customer '{outcome.customer_id}' has no stored messages"))
        elif new.conversation_id and (new.customer_id, new.conversation_id) not in conversations:
            problems.append(RowProblem(number, f"conversation '{outcome.conversation_id}' has no stored messages of "
                                       f"customer '{outcome.customer_id}'"))
        else:
            storable.append((number, new))
    conflicts = store.outcomes.conflicting([new for _, new in storable])
    problems += [RowProblem(storable[i][0], reason) for i, reason in conflicts.items()]
    storable = [row for i, row in enumerate(storable) if i not in conflicts]
    stored = store.outcomes.add([new for _, new in storable]) if storable else 0
    problems.sort(key=lambda p: p.row)
    report = {"rows": len(rows), "stored": stored, "already_stored": len(storable) - stored,
              "refused": [{"row": p.row, "reason": p.reason} for p in problems]}
    if as_json:
        typer.echo(json.dumps(report, indent=2))
    else:
        typer.echo(f"{path}: {counted(stored, 'outcome')} stored, {report['already_stored']} already stored, "
                   f"{counted(len(problems), 'row')} refused")
        for problem in problems[:50]:
            typer.echo(f"  row {problem.row}: {problem.reason}", err=True)
        if len(problems) > 50:
            typer.echo(f"  ... and {len(problems) - 50} more (use --json for all)", err=True)
    if problems:
        raise typer.Exit(1)


@outcomes_app.command("fit")
@friendly_errors
def fit_outcomes(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory for the models (an earlier fit's is replaced; "
                                      "a folder of other files is refused).")] = Path("outcome-model"),
    horizon_days: Annotated[float, typer.Option(min=1, max=MAX_DAYS, help="Customer events: how far ahead a "
                                                "snapshot looks.")] = 30.0,
    history_days: Annotated[float, typer.Option(min=0, max=MAX_DAYS, help="How much history a snapshot needs "
                                                "before it (days from the store's first message).")] = 30.0,
    min_labels: Annotated[int, typer.Option(min=2, help="Fewest examples of each class to learn from.")] = 20,
    database_url: DatabaseOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Learn, for each recorded outcome kind with enough labels, its probability from the customer's emotional
    timeline before it; ship only models that beat the score alone and the contact count alone (time-ordered
    cross-validation). Serve them with EMOTRACE_OUTCOME_MODEL_DIR. Exit status 1 when no model could be shipped."""
    from tqdm import tqdm

    from emotrace.outcomes.learn import FitOptions, OutcomeRecord, check_models_folder, fit_all, write_models
    from emotrace.times import utc

    check_models_folder(out)
    settings = get_settings()
    store = _store(settings, database_url)
    outcomes = [OutcomeRecord(o.customer_id, o.kind, utc(o.occurred_at), o.value) for o in store.outcomes.all()]
    if not outcomes:
        raise EmotraceError("E805", "No outcomes are stored.", "Record some first: `emotrace outcomes import FILE` "
                            "or POST /v1/outcomes.")
    signals = dict(tqdm(store.messages.customer_signals(), total=store.customers.count(), unit=" customers", desc="reading",
                        disable=None))
    models, report = fit_all(signals, outcomes, settings.scoring, FitOptions(horizon_days=horizon_days,
                                                                             min_labels=min_labels,
                                                                             history_days=history_days))
    command = command_line(ctx)
    write_models(out, models, report, command)  # also with none shipped: an earlier fit's models stop being served
    if as_json:
        typer.echo(json.dumps({"written": str(out), "shipped": sorted(models), "kinds": report}, indent=2))
    else:
        for kind, figures in report.items():
            model = figures.get("model")
            if figures["shipped"] and isinstance(model, dict):
                typer.echo(f"{kind}: shipped - AUC {model['auc']}, Brier {model['brier']} on {figures['examples']} "
                           f"examples ({figures['positives']} positive)")
            else:
                typer.echo(f"{kind}: not shipped - {figures['reason']}")
        typer.echo(f"models written to {out}" if models else f"no model shipped: {out} holds the figures alone (an "
                   "earlier fit's models there are no longer served)")
    if not models:
        raise typer.Exit(1)


@customers_app.command("import")
@friendly_errors
def import_customers(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="CSV, JSONL or Parquet: an id column and any "
                                         "attribute columns (plan, region, spend, ...).")],
    id_column: IdColumnOption = "customer_id",
    database_url: DatabaseOption = None,
    encoding: EncodingOption = "utf-8",
) -> None:
    """Store your own attributes of known customers (replacing earlier ones); unknown customers, and a customer given
    twice with other attributes, are named and not stored."""
    from emotrace.tabular import cell_text, read_table
    from emotrace.text.visible import character_problem

    settings = get_settings()
    table = read_table(path, checked_encoding(encoding), required=(id_column,))  # checked here, before the store
    store = _store(settings, database_url)
    given: dict[str, dict[str, list[int]]] = {}  # customer -> attributes (as JSON) -> rows giving them
    written: dict[str, str] = {}  # stored id (a pseudonym with EMOTRACE_ID_KEY) -> the id as the file gives it
    refused: list[tuple[str, int]] = []  # why, and how many rows
    for row in table:
        given_id = cell_text(row.fields.get(id_column)).strip() if row.fields is not None else ""
        if row.fields is None or not given_id:
            refused.append((f"row {row.number}: {row.error or f'no {id_column}'}", 1))
            continue
        values = {k: cell_text(v) for k, v in row.fields.items() if k != id_column}
        if not is_identifier(given_id):  # as every route refuses it (a NUL in it failed PostgreSQL: a traceback)
            refused.append((f"row {row.number}: {given_id[:60]!r} is not a customer id the service takes", 1))
            continue
        if bad := next(((k, problem) for k, v in values.items() if (problem := character_problem(v))), None):
            refused.append((f"row {row.number}: {bad[0]!r} {bad[1]}", 1))
            continue
        customer_id = stored_id(given_id, settings)
        written[customer_id] = given_id
        given.setdefault(customer_id, {}).setdefault(json.dumps(values, sort_keys=True), []).append(row.number)
    attributes: dict[str, dict[str, str]] = {}
    for customer_id, versions in given.items():
        if len(versions) > 1:
            rows = sorted(n for numbers in versions.values() for n in numbers)
            refused.append((f"rows {listed(rows)} give customer "
                            f"'{written[customer_id]}' different attributes", len(rows)))
        else:
            attributes[customer_id] = json.loads(next(iter(versions)))
    known = store.customers.existing(attributes)
    refused += [(f"customer '{written[c]}' has no stored messages", 1) for c in attributes if c not in known]
    store.customers.set_attributes({c: a for c, a in attributes.items() if c in known})
    typer.echo(f"{path}: attributes of {counted(len(known), 'customer')} stored, "
               f"{counted(sum(rows for _, rows in refused), 'row')} refused")
    for reason, _ in refused[:50]:
        typer.echo(f"  {reason}", err=True)
    if refused:
        raise typer.Exit(1)


OUTREACH_COLUMNS = ("decision", "reasons", "hold_until")  # what outreach adds to each audience row


@friendly_errors
def outreach(
    path: Annotated[Path, typer.Argument(metavar="AUDIENCE", help="CSV, JSONL or Parquet of customer ids.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV to write: the audience's columns plus "
                                         "decision, reasons, hold_until.")],
    id_column: IdColumnOption = "customer_id",
    database_url: DatabaseOption = None,
    encoding: EncodingOption = "utf-8",
    overwrite: Annotated[bool, typer.Option(help="Replace an existing output.")] = False,
) -> None:
    """Check a campaign audience against the outreach guard: each customer ok or hold (with the reasons and until
    when), streamed in the audience's order. Rows without an id are named and left out (exit status 1)."""
    from tqdm import tqdm

    from emotrace.outcomes.outreach import check_audience
    from emotrace.tabular import cell_text, check_table, count_rows, json_keys, read_rows, table_format

    writable_file(not_the_input(output, path))
    if output.suffix.lower() != ".csv":  # it was written as CSV whatever its name said
        raise EmotraceError("E206", f"{output}: outreach writes CSV.", "Name the output file.csv.")
    if output.exists() and not overwrite:
        raise EmotraceError("E803", f"{output} exists.", "Pass --overwrite to replace it, or choose another -o.")
    encoding = checked_encoding(encoding)
    columns = check_table(path, encoding, required=(id_column,))
    # each JSON object may hold keys of its own: every key of the file is a column (none lost, a clash seen in any row)
    if table_format(path) == "jsonl":
        columns = json_keys(path, encoding)
    if clash := sorted(set(columns) & set(OUTREACH_COLUMNS)):
        raise EmotraceError("E508", f"Audience columns {clash} would be overwritten by outreach's own columns "
                            f"({', '.join(OUTREACH_COLUMNS)}).", "Rename or drop those columns.")
    settings = get_settings()
    store = _store(settings, database_url)
    started, counts = time.perf_counter(), {"ok": 0, "hold": 0}
    missing: list[int] = []
    malformed: list[int] = []
    unreadable: list[int] = []
    pending: deque[dict[str, object]] = deque()  # the audience rows whose decisions are on their way, in order
    partial = output.with_name(output.name + ".partial")
    try:
        with partial.open("w", newline="", encoding="utf-8") as handle, \
                tqdm(total=count_rows(path, encoding), unit=" ids", desc="outreach", disable=None) as bar:
            writer: csv.DictWriter[str] | None = None

            def audience() -> Iterator[str]:
                for row in read_rows(path, encoding):
                    bar.update(1)
                    if row.fields is None:  # not valid JSON, say: named as such, not as a row without an id
                        unreadable.append(row.number)
                        continue
                    value = cell_text(row.fields.get(id_column))  # not trimmed: the routes match ids exactly
                    if not value.strip():
                        missing.append(row.number)
                        continue
                    if not is_identifier(value):  # as every route refuses it (" k3" and "k3 " too)
                        malformed.append(row.number)
                        continue
                    pending.append({k: cell_text(v) for k, v in row.fields.items()})
                    yield value

            for _, decision in check_audience(store, settings, audience(), datetime.now(UTC)):
                fields = pending.popleft()
                if writer is None:  # a row missing a column (a JSON object without that key) leaves it empty
                    writer = csv.DictWriter(handle, [*columns, *OUTREACH_COLUMNS], restval="")
                    writer.writeheader()
                counts[decision.decision] += 1
                writer.writerow({**fields, "decision": decision.decision, "reasons": "; ".join(decision.reasons),
                                 "hold_until": iso_utc(decision.hold_until) if decision.hold_until else ""})
    except BaseException:  # an unreadable file part-way, Ctrl-C: no partial output is left behind
        partial.unlink(missing_ok=True)
        raise
    partial.replace(output)
    seconds = time.perf_counter() - started
    typer.echo(f"{output}: {counts['ok']} ok, {counts['hold']} hold ({sum(counts.values()) / seconds:,.0f} ids/s)")
    said = [f"{counted_doing(len(rows), 'row', 'has', 'have')} {what} (first: row {rows[0]})" for rows, what in (
        (unreadable, "no fields that can be read (a line that is not valid JSON?)"), (missing, f"no {id_column}"),
        (malformed, f"a {id_column} that is no id (1 to 128 ASCII letters, digits and _ . : @ -)")) if rows]
    if said:
        typer.echo(f"error: {'; '.join(said)}; they are not in {output}.", err=True)
        raise typer.Exit(1)
