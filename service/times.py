"""Times given by clients (message times, outcome dates): aware UTC, between 1970 and now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from emotrace.errors import EmotraceError

CLOCK_SKEW = timedelta(minutes=5)  # a client's clock may run this far ahead of ours


def utc(value: datetime) -> datetime:
    """``value`` as an aware UTC datetime (naive means UTC: SQLite hands back naive ones)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def iso_utc(value: datetime) -> str:
    """``value`` (naive means UTC) in ISO 8601 with a ``Z``, as the API's JSON answers write times."""
    return utc(value).isoformat().replace("+00:00", "Z")


def iso_8601(value: object) -> object:
    """A client's time as given before validation: a string is read as ISO 8601 (its basic form "20261201" too, the
    way ``batch --ingest`` reads a cell); a number is refused, where a lax parser would read seconds since 1970."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{value[:40]!r} is not an ISO 8601 time (e.g. 2026-11-25T09:30:00Z)") from None
    if isinstance(value, bool | int | float):
        raise ValueError(f"{value!r} is a number, not an ISO 8601 time (e.g. 2026-11-25T09:30:00Z)")
    return value


def utc_timestamp(value: datetime, field: str = "timestamp") -> datetime:
    """``value`` as aware UTC (naive means UTC), between 1970 and now (plus a small clock skew)."""
    try:
        value = utc(value)
    except OverflowError:
        raise ValueError(f"{field} is outside the supported range (1970 to now)") from None
    if value > datetime.now(UTC) + CLOCK_SKEW:
        raise ValueError(f"{field} is in the future")
    if value.year < 1970:
        raise ValueError(f"{field} is before 1970")
    return value


def iso_time(value: object, name: str) -> datetime:
    """A time given as ISO 8601 (a table cell, a row's field) as aware UTC: E509 when it is not ISO 8601, E520
    outside 1970 to now (times near the calendar's ends cannot be computed with); ``name`` names it in the message."""
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise EmotraceError("E509", f"{name} '{value}' is not ISO 8601.",
                            "Write times like 2026-01-31T09:30:00Z.") from None
    try:
        return utc_timestamp(moment, f"{name} '{value}'")
    except ValueError as exc:  # "... is in the future", "... is before 1970"
        raise EmotraceError("E520", f"{exc}.") from None


def cell_time(value: object, row: int, column: str) -> datetime:
    """The aware UTC time of a table row's ``column`` cell: E511 when empty, else :func:`iso_time`'s, the row named."""
    if value is None or not str(value).strip():
        raise EmotraceError("E511", f"Row {row}: '{column}' is empty.", "Give every row a time, or leave out "
                            "--time-column.")
    try:
        return iso_time(value, column)
    except EmotraceError as exc:
        raise EmotraceError(exc.code, f"Row {row}: {exc.problem}", exc.fix) from None
