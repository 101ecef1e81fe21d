"""``emotrace drivers FILE`` in-process on small batch outputs: the ranking, the report, the chart, missing columns."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from emotrace.cli import app
from emotrace.tabular import write_rows

runner = CliRunner()


def row(customer: str, time: str, topics: list[str] | None, satisfaction: float, text: str = "text") -> dict:
    cls = "dissatisfied" if satisfaction < -0.2 else "neutral"
    return {"row": 1, "customer_id": customer, "time": time, "text": text, "topic_labels": topics,
            "aspects": [{"topic": t, "satisfaction_class": cls, "satisfaction": satisfaction} for t in topics or []],
            "satisfaction": satisfaction, "satisfaction_class": cls}


def test_drivers_of_a_csv_batch_output(tmp_path) -> None:
    path = tmp_path / "out.csv"  # lists and maps as JSON text, as batch writes a CSV
    write_rows(path, [row("a", "2026-01-10T10:00:00Z", ["billing_charges"], -0.8, "charged twice, mail a@example.com"),
                      row("b", "2026-01-09T10:00:00Z", ["delay_waiting"], -0.5),
                      row("b", "2026-01-01T10:00:00Z", ["delay_waiting"], -0.9),
                      row("c", "2026-01-10T11:00:00Z", None, -0.9)])
    report, chart = tmp_path / "report.json", tmp_path / "drivers.svg"
    result = runner.invoke(app, ["drivers", str(path), "--time-column", "time", "--customer-column", "customer_id",
                                 "--text-column", "text", "--output", str(report), "--chart", str(chart)])
    assert result.exit_code == 0, result.output
    assert "billing_charges" in result.output and "e.g. charged twice, mail [EMAIL]" in result.output
    found = json.loads(report.read_text())
    assert [(d["topic"], d["messages"], d["carried"], d["new"]) for d in found["drivers"]] == [
        ("billing_charges", 1, 0.8, True), ("delay_waiting", 1, 0.5, False)]
    assert found["drivers"][1]["carried_change"] == -0.4 and found["without_topics"] == 1
    assert found["drivers"][0]["customers"] == [{"customer_id": "a", "messages": 1, "carried": 0.8}]
    svg = chart.read_text()
    assert svg.startswith("<svg") and svg.count('class="driver"') == 2 and "billing and charges" in svg


def test_without_a_time_column_every_row_is_one_period(tmp_path) -> None:
    path = tmp_path / "out.jsonl"
    write_rows(path, [row("a", "x", ["price"], -0.4), row("b", "x", ["price"], -0.2)])
    report = tmp_path / "r.json"
    assert runner.invoke(app, ["drivers", str(path), "-o", str(report)]).exit_code == 0
    price = json.loads(report.read_text())["drivers"][0]
    assert (price["messages"], price["carried"], price["examples"], price["customers"]) == (2, 0.6, [], [])


def test_rows_without_a_customer_count_for_the_topic_but_for_no_customer(tmp_path) -> None:
    """Found by a review: without --customer-column every row was counted under a made-up customer "" (listed as
    the most affected customer), and with it an empty customer cell became customer ""."""
    path = tmp_path / "out.jsonl"
    write_rows(path, [row("a", "x", ["price"], -0.2), row("", "x", ["price"], -0.9), row("  ", "x", ["price"], -0.8)])
    report = tmp_path / "r.json"
    result = runner.invoke(app, ["drivers", str(path), "--customer-column", "customer_id", "-o", str(report)])
    assert result.exit_code == 0, result.output
    price = json.loads(report.read_text())["drivers"][0]
    assert (price["messages"], price["carried"]) == (3, 1.9)
    assert price["customers"] == [{"customer_id": "a", "messages": 1, "carried": 0.2}]


def test_the_customers_most_affected_are_printed_given_the_customer_column(tmp_path) -> None:
    """Found by a review: --customer-column changed nothing on screen (the customers were only in --output's
    report), though docs/cli.md says it lists the customers most affected."""
    path = tmp_path / "out.jsonl"
    write_rows(path, [row("cust-7", "x", ["price"], -0.9), row("cust-7", "x", ["price"], -0.5),
                      row("cust-3", "x", ["price"], -0.2)])
    result = runner.invoke(app, ["drivers", str(path), "--customer-column", "customer_id"])
    assert result.exit_code == 0, result.output
    assert "customers: cust-7 (2 messages, 1.40 carried), cust-3 (1 message, 0.20 carried)" in result.output
    assert "customers:" not in runner.invoke(app, ["drivers", str(path)]).output


def test_days_without_a_time_column_is_refused(tmp_path) -> None:
    """Found by a review: --days without --time-column was silently ignored (the whole file read as one period)."""
    path = tmp_path / "out.jsonl"
    write_rows(path, [row("a", "x", ["price"], -0.4)])
    result = runner.invoke(app, ["drivers", str(path), "--days", "3"])
    assert result.exit_code == 2 and "[E027]" in result.output and "--days needs --time-column" in result.output
    assert "price" not in result.output
    assert runner.invoke(app, ["drivers", str(path)]).exit_code == 0


def test_a_file_without_the_readings_columns_names_them(tmp_path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("text,customer_id\nhello,a\n")
    result = runner.invoke(app, ["drivers", str(path)])
    assert result.exit_code == 2
    assert "[E503] Column 'topic_labels' is not in" in result.output and "nor is 'satisfaction'" in result.output


@pytest.mark.parametrize(("cells", "named"), [
    ({"topic_labels": 5}, "'topic_labels' is not a list"),
    ({"topic_labels": [["price"], {"a": 1}, None]}, "'topic_labels' is not a list"),
    ({"aspects": [{"topic": "price", "satisfaction": "high"}, 7, None]}, "'aspects' is not a list"),
    ({"aspects": [{"topic": "price", "satisfaction": 50}]}, "'aspects' is not a list"),
    ({"satisfaction": "very"}, "'satisfaction' is not a number"),
])
def test_a_malformed_reading_cell_is_named_not_a_traceback(tmp_path, cells: dict, named: str) -> None:
    path = tmp_path / "out.jsonl"
    write_rows(path, [row("a", "x", ["price"], -0.4), {**row("b", "x", ["price"], -0.2), **cells}])
    result = runner.invoke(app, ["drivers", str(path)])
    assert result.exit_code == 2 and "[E514] Row 2:" in result.output and named in result.output


def test_an_unwritable_report_or_chart_is_refused_before_any_work(tmp_path) -> None:
    path = tmp_path / "out.jsonl"
    write_rows(path, [row("a", "x", ["price"], -0.4)])
    for option, target in (("--chart", tmp_path), ("--output", tmp_path / "missing" / "r.json")):
        result = runner.invoke(app, ["drivers", str(path), option, str(target)])
        assert result.exit_code == 2 and "[E516] Cannot write" in result.output and "price" not in result.output
    result = runner.invoke(app, ["drivers", str(path), "--time-column", "time", "--days", "10000000"])
    assert result.exit_code == 2 and "--days" in result.output
    # found by a review: the input itself as --output or --chart was replaced by the report
    for option in ("--output", "--chart"):
        result = runner.invoke(app, ["drivers", str(path), option, str(path)])
        assert result.exit_code == 2 and "[E518]" in result.output, result.output
    assert json.loads(path.read_text(encoding="utf-8"))["customer_id"] == "a"


def test_agent_rows_are_left_out_given_the_speaker_column(tmp_path) -> None:
    """Found by a new-user trial: on an export of customer and agent turns, `drivers` counted agent lines ("I've
    issued the correction to your account") as customer messages: 65 where `GET /v1/drivers` counted 48."""
    path = tmp_path / "out.jsonl"
    rows = [{**row("a", "x", ["billing_charges"], -0.8), "role": "customer"},
            {**row("a", "x", ["account_access"], -0.3), "role": "Agent"},
            {**row("b", "x", ["account_access"], -0.5), "role": "rep"},
            {**row("b", "x", ["billing_charges"], -0.4), "role": ""}]
    write_rows(path, rows)
    report = tmp_path / "r.json"
    result = runner.invoke(app, ["drivers", str(path), "--speaker-column", "role", "-o", str(report)])
    assert result.exit_code == 0, result.output
    found = json.loads(report.read_text())
    assert [(d["topic"], d["messages"]) for d in found["drivers"]] == [("billing_charges", 2)]
    assert found["agent_rows"] == 2 and "2 agent rows left out" in result.output, result.output
    unknown = runner.invoke(app, ["drivers", str(path), "--speaker-column", "nope"])
    assert unknown.exit_code == 2 and "E503" in unknown.output


@pytest.mark.parametrize("time", ["0001-01-05T00:00:00Z", "9999-12-31T23:59:59-10:00", "1969-06-01T00:00:00Z"])
def test_a_time_out_of_range_is_named_not_a_traceback(tmp_path, time: str) -> None:
    """Found by a re-trial: times near the calendar's ends ended `drivers --time-column` (and `topics discover`) in
    an OverflowError traceback."""
    path = tmp_path / "out.jsonl"
    write_rows(path, [row("a", "2026-01-10T10:00:00Z", ["price"], -0.4), row("b", time, ["price"], -0.2)])
    result = runner.invoke(app, ["drivers", str(path), "--time-column", "time"])
    assert result.exit_code == 2, result.output
    assert "E520" in result.output and "Row 2" in result.output


def test_rows_of_a_speaker_neither_customer_nor_agent_are_left_out_as_ingest_leaves_them(tmp_path) -> None:
    """Found by a re-trial: rows of speaker `bot` (which `batch --ingest` does not store) were counted as customer
    messages, so the counts still differed from `GET /v1/drivers`."""
    path = tmp_path / "out.jsonl"
    write_rows(path, [{**row("a", "x", ["price"], -0.8), "role": "customer"},
                      {**row("a", "x", ["price"], -0.3), "role": "bot"}])
    report = tmp_path / "r.json"
    result = runner.invoke(app, ["drivers", str(path), "--speaker-column", "role", "-o", str(report)])
    assert result.exit_code == 0, result.output
    found = json.loads(report.read_text())
    assert found["drivers"][0]["messages"] == 1 and found["other_speaker_rows"] == 1, found
    assert "1 row of another speaker left out" in result.output, result.output
