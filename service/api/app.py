"""The FastAPI application: routers per resource, one runtime built at start-up."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from emotrace import __version__
from emotrace.admission import Admission
from emotrace.api.access_log import hide_query_keys
from emotrace.api.deps import Runtime
from emotrace.api.events import EventBus
from emotrace.api.feed import ReplicaListener
from emotrace.api.metrics import Metrics
from emotrace.api.middleware import LimitAndMeasure
from emotrace.api.problems import ERROR_RESPONSES, install_error_handlers
from emotrace.api.recording import write_messages
from emotrace.api.routes import (
    agents,
    alerts,
    analyze,
    conversations,
    customers,
    drivers,
    export,
    floor,
    messages,
    outcomes,
    segments,
    stream,
    system,
    webhooks,
)
from emotrace.batching import MicroBatcher
from emotrace.model.classifier import EmotionClassifier
from emotrace.outcomes.learn import load_outcome_models
from emotrace.services.webhooks import WebhookSender
from emotrace.settings import Settings, check_serving, get_settings
from emotrace.store import Store

STATIC = Path(__file__).parent / "static"


def serving_classifier(settings: Settings) -> EmotionClassifier:
    """The model at ``settings.model_dir``, loaded as the service runs it (its threads and batch size; its threads
    sleep between calls, as the service's other threads need the cores)."""
    return EmotionClassifier.from_pretrained(settings.model_dir, threads=settings.threads,
                                             batch_size=settings.batch_size, spin_wait=False)


def build_runtime(settings: Settings, classifier: EmotionClassifier | None = None) -> Runtime:
    """Load the model (unless one is given) and open the store (migrating it)."""
    classifier = classifier or serving_classifier(settings)
    read = partial(classifier.predict, max_chunks=settings.max_chunks_per_text, aspects=settings.aspects)
    batcher = MicroBatcher(read, settings.batch_max_size, settings.batch_max_wait_ms, settings.queue_size, name="model",
                           max_queue_wait_ms=settings.max_queue_wait_ms)
    # One heavy request per model call, on a thread of its own: the light lane's calls run beside it.
    heavy = MicroBatcher(read, 1, 0.0, settings.heavy_queue_size, name="model (heavy lane)")
    store = Store(settings.database_url)
    writer = MicroBatcher(partial(write_messages, store, settings.scoring), settings.write_group_max, 0.0, settings.queue_size,
                          name="store-writer", max_queue_wait_ms=settings.max_queue_wait_ms)
    outcome_models = load_outcome_models(settings.outcome_model_dir) if settings.outcome_model_dir else {}
    webhooks = WebhookSender(store, settings) if settings.webhooks else None
    admission = Admission(settings.admission_places, settings.admission_wait_ms,
                          busy=lambda: batcher.backlog() or writer.backlog())
    return Runtime(settings, classifier, batcher, heavy, writer, store, EventBus(), Metrics(), admission,
                   outcome_models=outcome_models, webhooks=webhooks)


def create_app(settings: Settings | None = None, classifier: EmotionClassifier | None = None) -> FastAPI:
    """The app for ``settings`` (default: from the environment), serving ``classifier`` when given (a model already
    loaded, e.g. shared by several apps in one process) or else the model at ``settings.model_dir``."""
    settings = settings or get_settings()
    check_serving(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = build_runtime(settings, classifier)
        if settings.demo:
            from emotrace.demo import load_demo

            with runtime.store.db.exclusive("demo"):  # replicas starting together load it once
                if runtime.store.customers.count() == 0:
                    load_demo(runtime.store, runtime.classifier, settings)
        app.state.runtime = runtime
        runtime.bus.attach(asyncio.get_running_loop())  # sync routes publish from worker threads
        # The model, tokenizer and libraries leave millions of long-lived objects; a full garbage collection
        # walking them all stalled requests for ~150 ms (the p99 of the load test). Freezing them after
        # start-up keeps later collections to the objects requests create.
        gc.collect()
        gc.freeze()
        await runtime.batcher.start()
        await runtime.heavy.start()
        await runtime.writer.start()
        if runtime.webhooks is not None:
            runtime.webhooks.start()
        listener = None
        if runtime.store.db.engine.dialect.name == "postgresql":  # other replicas may write to the same database
            listener = ReplicaListener(runtime.store, runtime.bus, asyncio.get_running_loop())
            listener.start()
            runtime.feed_listening = listener.listening
        yield
        if listener is not None:
            listener.stop()
        if runtime.webhooks is not None:
            runtime.webhooks.stop()
        await runtime.writer.stop()
        await runtime.heavy.stop()
        await runtime.batcher.stop()
        runtime.store.db.engine.dispose()

    app = FastAPIOffline(title="emotrace", version=__version__, lifespan=lifespan, responses=ERROR_RESPONSES,
                         description="Emotion readings, customer timelines, scores and alerts for customer experience.")
    for module in (analyze, messages, conversations, customers, alerts, agents, outcomes, segments, stream, system,
                   webhooks, export, floor, drivers):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def dashboard() -> FileResponse:
        # a key given as /?api_key=... must not travel on in the Referer of the page's requests
        return FileResponse(STATIC / "dashboard.html", headers={"Referrer-Policy": "no-referrer"})

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml")

    install_error_handlers(app)
    app.add_middleware(LimitAndMeasure, settings=settings)
    hide_query_keys()
    return app
