"""The floor's trend: how customers feel day by day, per channel, and alerts per day."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from emotrace.api.deps import GUARDS, RuntimeDep
from emotrace.api.schemas import PLAIN_DIGITS, FloorDayOut
from emotrace.api.strict_json import StrictJSONRoute
from emotrace.services.floor import floor_trend

router = APIRouter(route_class=StrictJSONRoute, prefix="/v1/floor", tags=["floor"], dependencies=GUARDS)


@router.get("/trend", response_model=list[FloorDayOut])
def get_floor_trend(runtime: RuntimeDep,
                    days: Annotated[int, Query(ge=1, le=366), PLAIN_DIGITS] = 30) -> list[FloorDayOut]:
    """The last ``days`` UTC days, oldest first: customers' messages, their mean satisfaction and the share read
    dissatisfied, alerts raised, per channel too."""
    return [FloorDayOut.model_validate(d) for d in floor_trend(runtime.store, days, datetime.now(UTC))]
