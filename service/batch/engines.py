"""Where chunks are read: in this process (``local``) or on a Dask cluster (``dask``).

Both run :func:`emotrace.batch.job.read_chunk`, so the same input gives the same labels either way.
On Dask each worker loads the model once and keeps it; a few chunks per worker are in flight at a
time, so memory stays bounded on the client too.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from contextlib import ExitStack, suppress
from functools import lru_cache
from typing import TYPE_CHECKING

from emotrace.batch.job import BatchOptions, ChunkResult, ChunkRunner, read_chunk
from emotrace.errors import EmotraceError
from emotrace.model.classifier import EmotionClassifier
from emotrace.settings import get_settings
from emotrace.tabular import TableRow

SCHEDULER_PROBE_SECONDS = 5.0  # a scheduler's address that answers nothing in this long is refused

if TYPE_CHECKING:
    from distributed import Client, Future, Worker


def _classifier(model_dir: str | None) -> EmotionClassifier:
    """The model, read with the threads the settings give (EMOTRACE_THREADS), as ``analyze`` reads it."""
    return EmotionClassifier.from_pretrained(model_dir, threads=get_settings().threads)


@lru_cache(maxsize=2)
def _worker_classifier(model_dir: str | None) -> EmotionClassifier:
    """The model, loaded once per process (a Dask worker keeps it between tasks)."""
    return _classifier(model_dir)


def _read_chunk_on_worker(index: int, options: BatchOptions, rows: list[TableRow]) -> tuple[int, ChunkResult]:
    return index, read_chunk(_worker_classifier(options.model_dir), rows, options)


def local_runner(options: BatchOptions) -> ChunkRunner:
    """Read chunks one after another in this process."""
    classifier = _classifier(options.model_dir)

    def run(chunks: Iterator[tuple[int, list[TableRow]]]) -> Iterator[tuple[int, ChunkResult]]:
        for index, rows in chunks:
            yield index, read_chunk(classifier, rows, options)

    return run


def _refuse_unreachable(scheduler: str) -> None:
    """E519 at once when nothing answers at a tcp:// scheduler's address (Dask retries for its connect timeout,
    30 s, even where the port refuses at once)."""
    from distributed.comm.addressing import parse_address, parse_host_port

    scheme, location = parse_address(scheduler)
    if scheme != "tcp":
        return
    try:
        socket.create_connection(parse_host_port(location), timeout=SCHEDULER_PROBE_SECONDS).close()
    except (OSError, ValueError) as exc:  # refused, no such host, no answer in time; ValueError: no port
        raise EmotraceError("E519", f"Cannot reach the Dask scheduler {scheduler} ({exc}).") from None


def dask_runner(options: BatchOptions, scheduler: str | None, workers: int = 2) -> ChunkRunner:
    """Read chunks on a Dask cluster: ``scheduler`` (tcp://host:8786) or a local cluster on 127.0.0.1."""
    from distributed import Client, LocalCluster, as_completed

    def run(chunks: Iterator[tuple[int, list[TableRow]]]) -> Iterator[tuple[int, ChunkResult]]:
        with ExitStack() as stack:  # closed in reverse: heartbeats stopped, then the client, then the cluster
            if scheduler:
                _refuse_unreachable(scheduler)
            cluster = None if scheduler else stack.enter_context(LocalCluster(
                n_workers=workers, threads_per_worker=1, host="127.0.0.1", dashboard_address=None, processes=True))
            try:
                client = stack.enter_context(Client(scheduler or cluster))
            except (OSError, ValueError) as exc:  # no scheduler there, or no address
                if scheduler:
                    raise EmotraceError("E519", f"Cannot reach the Dask scheduler {scheduler} ({exc}).") from None
                raise EmotraceError("E519", f"Cannot reach the scheduler of the local Dask cluster ({exc}).",
                                    "Check that this machine lets processes listen on 127.0.0.1, or use "
                                    "--engine local.") from None
            if cluster is not None:
                stack.callback(client.run, _stop_heartbeat, on_error="ignore")
            in_flight = 2 * max(1, len(client.scheduler_info()["workers"]))
            pending = as_completed()
            chunk_iter = iter(chunks)
            for _ in range(in_flight):
                if (item := next(chunk_iter, None)) is not None:
                    pending.add(_submit(client, options, *item))
            for future in pending:
                yield future.result()
                if (item := next(chunk_iter, None)) is not None:
                    pending.add(_submit(client, options, *item))

    return run


async def _stop_heartbeat(dask_worker: Worker) -> None:
    """Stop a worker's heartbeat and let one under way finish (within a few seconds).

    A closing worker shuts its connections without waiting for its heartbeat, which then logs a
    ``CommClosedError`` traceback (distributed 2026.8); run on our own local cluster just before it closes."""
    dask_worker.periodic_callbacks["heartbeat"].stop()
    with suppress(TimeoutError):
        async with asyncio.timeout(5):
            while dask_worker.rpc.active:
                await asyncio.sleep(0.01)


def _submit(client: Client, options: BatchOptions, index: int, rows: list[TableRow]) -> Future[tuple[int, ChunkResult]]:
    return client.submit(_read_chunk_on_worker, index, options, rows, pure=False)
