"""Health, readiness, metrics and the loaded model."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from emotrace.api.deps import GUARDS, RuntimeDep, UnreadQueryDep
from emotrace.api.schemas import ModelOut
from emotrace.api.strict_json import StrictJSONRoute
from emotrace.errors import EmotraceError
from emotrace.model.config import read_config
from emotrace.model.labels import SATISFACTION_CLASSES
from emotrace.model.reports import headline_scores

router = APIRouter(route_class=StrictJSONRoute, tags=["system"])


@router.get("/health", response_model=dict[str, str], dependencies=[UnreadQueryDep])
@router.head("/health", include_in_schema=False)  # one operation in the schema (a shared operationId broke clients)
def health() -> dict[str, str]:
    """The process is up (HEAD too, as load balancers probe)."""
    return {"status": "ok"}


@router.get("/ready", response_model=dict[str, str], dependencies=[UnreadQueryDep])
@router.head("/ready", include_in_schema=False)
def ready(runtime: RuntimeDep) -> dict[str, str]:
    """The model is loaded, the database answers, and (on PostgreSQL) other replicas' changes are heard (HEAD
    too)."""
    try:
        runtime.store.db.ping()
    except Exception as exc:  # any database failure means not ready
        raise EmotraceError("E910", f"database unavailable: {type(exc).__name__}") from exc
    if runtime.feed_listening is not None and not runtime.feed_listening.is_set():
        raise EmotraceError("E910", "not yet listening for other replicas' changes")
    return {"status": "ready", "model": runtime.classifier.directory.name}


@router.get("/metrics", response_class=Response, dependencies=[UnreadQueryDep])
def metrics(runtime: RuntimeDep) -> Response:
    """Prometheus metrics."""
    lanes = (runtime.batcher, runtime.heavy)
    runtime.metrics.queue.set(sum(lane.queue.qsize() for lane in lanes))
    runtime.metrics.batches.set(sum(lane.batches for lane in lanes))
    runtime.metrics.texts.set(sum(lane.items for lane in lanes))
    runtime.metrics.writes.set(runtime.writer.batches)
    runtime.metrics.write_queue.set(runtime.writer.queue.qsize())
    return Response(generate_latest(runtime.metrics.registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/v1/model", response_model=ModelOut, dependencies=GUARDS)
def model_info(runtime: RuntimeDep) -> ModelOut:
    """The loaded model's name, its names (labels, groupings, intents, topics, satisfaction classes) and figures (an
    adapted model's: its adaptation's, and its from-model's apart, measured before its heads were adapted)."""
    classifier = runtime.classifier
    figures = dict(read_config(classifier.directory).get("metrics", {}))
    if "emotions_dev" in figures:
        figures["emotions_dev"] = {"n": figures["emotions_dev"]["n"], **headline_scores(figures["emotions_dev"])}
    if "adaptation" in figures:
        figures = {"adaptation": figures.pop("adaptation"), "from_model": figures}
    return ModelOut(name=classifier.directory.name, labels=list(classifier.schema.labels),
                    groupings={g: classifier.schema.group_names(g) for g in classifier.schema.groupings},
                    intents=list(classifier.schema.intents), topics=list(classifier.schema.topics),
                    satisfaction_classes=list(SATISFACTION_CLASSES), metrics=figures)
