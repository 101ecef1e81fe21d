"""Emotional segments of the stored customers."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter

from emotrace.api.deps import GUARDS, RuntimeDep
from emotrace.api.schemas import DistinguishingOut, SegmentOut, SegmentsOut
from emotrace.api.strict_json import StrictJSONRoute
from emotrace.outcomes.segments import segment_store

router = APIRouter(route_class=StrictJSONRoute, tags=["segments"], dependencies=GUARDS)


@router.get("/v1/segments", response_model=SegmentsOut)
def get_segments(runtime: RuntimeDep) -> SegmentsOut:
    """Customers clustered by emotional profile as of now, each segment named by what sets it apart, with the
    cross-table of your own customer attributes. The same data gives the same segments."""
    found = segment_store(runtime.store, runtime.settings.scoring, datetime.now(UTC))
    return SegmentsOut(customers=len(found.members), inactive=found.inactive, bic=found.bic, silhouette=found.silhouette,
                       segments=[SegmentOut(name=s.name, size=s.size, means=s.means, attributes=s.attributes,
                                            attribute_figures=s.attribute_figures,
                                            distinguishing=[DistinguishingOut(feature=f, z=z) for f, z in s.distinguishing])
                                 for s in found.segments])
