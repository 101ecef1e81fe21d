"""Annotate: read texts without storing anything."""

from __future__ import annotations

from fastapi import APIRouter

from emotrace.api.deps import GUARDS, RuntimeDep, check_request_size, read_explained, reading_out
from emotrace.api.schemas import AnalyzeIn, BatchIn, BatchOut, ReadingOut
from emotrace.api.strict_json import StrictJSONRoute
from emotrace.channels.review import review_flags

router = APIRouter(route_class=StrictJSONRoute, prefix="/v1/analyze", tags=["analyze"], dependencies=GUARDS)


@router.post("", response_model=ReadingOut)
async def analyze_one(body: AnalyzeIn, runtime: RuntimeDep) -> ReadingOut:
    """Read one text; nothing is stored. With a review ``rating``, ``flags`` says where rating and text disagree;
    with ``explain``, ``explanation`` names the words that drove the reading."""
    if body.explain:
        reading, explained = await read_explained(runtime, body.text)
        out = reading_out(reading, body.channel)
        out.explanation = explained
    else:
        (reading,) = await runtime.read([body.text])
        out = reading_out(reading, body.channel)
    if body.rating is not None:
        out.flags = review_flags(reading, body.rating)
    return out


@router.post("/batch", response_model=BatchOut)
async def analyze_batch(body: BatchIn, runtime: RuntimeDep) -> BatchOut:
    """Read several texts in one call; nothing is stored."""
    texts = [item.text for item in body.items]
    check_request_size("items", texts, runtime.settings)
    readings = await runtime.read(texts)
    return BatchOut(readings=[reading_out(r, item.channel) for r, item in zip(readings, body.items, strict=True)])
