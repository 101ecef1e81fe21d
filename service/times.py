"""Times given by clients (message times, outcome dates): aware UTC, between 1970 and now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

CLOCK_SKEW = timedelta(minutes=5)  # a client's clock may run this far ahead of ours


def utc(value: datetime) -> datetime:
    """``value`` as an aware UTC datetime (naive means UTC: SQLite hands back naive ones)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


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
