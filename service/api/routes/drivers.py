"""Drivers across the floor: the topics carrying customers' dissatisfaction in a period."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from emotrace.api.deps import GUARDS, RuntimeDep
from emotrace.api.schemas import ISO_8601, PLAIN_DIGITS, DriversOut, SegmentFilter
from emotrace.api.strict_json import StrictJSONRoute
from emotrace.messages import Channel
from emotrace.services.drivers import floor_drivers, period

router = APIRouter(route_class=StrictJSONRoute, prefix="/v1/drivers", tags=["drivers"], dependencies=GUARDS)


@router.get("", response_model=DriversOut)
def get_drivers(
    runtime: RuntimeDep,
    since: Annotated[datetime | None, ISO_8601, Query(description="Start (ISO 8601; naive means UTC). Default: 7 days before "
                                            "until.")] = None,
    until: Annotated[datetime | None, ISO_8601, Query(description="End, not included. Default: now.")] = None,
    segment: SegmentFilter = None,
    channel: Annotated[Channel | None, Query(description="Only messages of this channel.")] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="At most this many topics."), PLAIN_DIGITS] = 16,
) -> DriversOut:
    """Topics ranked by the dissatisfaction customers' messages about them carried in the period, each against the
    period of the same length before, with examples (redacted) and the customers most affected. An empty period
    answers no drivers and the reason."""
    start, end = period(since, until, datetime.now(UTC))
    found = floor_drivers(runtime.store, start, end, runtime.settings.scoring, segment or None,
                          channel.value if channel else None, limit)
    return DriversOut.model_validate(found)
