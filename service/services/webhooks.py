"""Webhooks: new and changed alerts and corrections pushed to the floor's own tools as signed JSON, at least once.

Events are written to the outbox in the same transaction as the change (:mod:`emotrace.store.outbox`), so a write
never waits for a webhook and no event is lost when an endpoint or the service is down. A :class:`WebhookSender`
thread per service process fans events out to the configured endpoints, POSTs each with
``X-Emotrace-Event-Id`` (receivers deduplicate on it: a delivery may repeat), ``X-Emotrace-Timestamp`` (Unix
seconds) and ``X-Emotrace-Signature: sha256=<hex HMAC of "<timestamp>.<body>">``, and retries failures (an error
status, a refused connection, any other error, an attempt not answered within ``webhook_timeout_s``) with waits
doubling from ``webhook_first_retry_s`` (1 s) up to 10 min, until ``webhook_max_attempts``; ``GET /v1/webhooks``
shows each endpoint's log. Receivers check a call with :func:`verify`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
import threading
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import httpx

from emotrace.settings import Settings
from emotrace.store import Store
from emotrace.store.outbox import DueDelivery
from emotrace.times import iso_utc

log = logging.getLogger(__name__)
POLL_SECONDS = 0.5
LONGEST_RETRY_SECONDS = 600.0
BACKLOG = timedelta(hours=24)  # events older than this when an endpoint is first configured are not sent to it
REPLAY_TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for ``body`` sent at ``timestamp``."""
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature_header: str, now: float | None = None,
           tolerance: float = REPLAY_TOLERANCE_SECONDS) -> bool:
    """For receivers: is this call emotrace's (the signature matches) and fresh (its timestamp within ``tolerance``
    seconds of ``now``: a replayed old call is refused)? A header missing (None) or not ASCII is a refusal too."""
    if not (isinstance(timestamp, str) and isinstance(signature_header, str) and signature_header.isascii()):
        return False
    try:
        fresh = abs((time.time() if now is None else now) - float(timestamp)) <= tolerance
    except ValueError:
        return False
    return fresh and hmac.compare_digest(signature(secret, timestamp, body), signature_header)


def retry_delay(attempts: int, first: float) -> float:
    """Seconds to wait after ``attempts`` failed attempts: ``first``, then doubling, up to 10 min."""
    return min(first * 2.0 ** (attempts - 1), LONGEST_RETRY_SECONDS)


# A path segment that reads as a secret (Slack's, Discord's and many helpdesks' webhook URLs carry theirs in the
# path): 16 or more characters mixing letters and digits, or 20 or more with no separator between words.
_TOKEN_SEGMENT = re.compile(r"(?=[^/]*[A-Za-z])(?=[^/]*[0-9])[A-Za-z0-9_\-.~%]{16,}|[A-Za-z0-9%]{20,}")


def shown_url(url: str) -> str:
    """An endpoint as answers and logs show it: without a user and password, its query string as "?…", its fragment
    as "#…" and each run of a path segment that reads as a token (a whole segment, or after ";" or "=") as "…"; a URL
    with none of these is shown as configured."""
    parts = urlsplit(url)
    path = "/".join(_TOKEN_SEGMENT.sub("…", segment) for segment in parts.path.split("/"))
    if not (parts.username or parts.password or parts.query or parts.fragment or path != parts.path):
        return url
    host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname or ""
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, path, "…" if parts.query else "", "…" if parts.fragment else ""))


class WebhookSender:
    """Delivers the outbox to the configured endpoints on a thread of its own."""

    def __init__(self, store: Store, settings: Settings) -> None:
        assert settings.webhook_secret is not None  # checked at start (E022)
        self.store = store
        self.settings = settings
        self.secret = settings.webhook_secret.get_secret_value()
        self.started = datetime.now(UTC)
        self._caught_up: set[str] = set()  # endpoints fanned out to since the start (each once with catch_up)
        self.wake = threading.Event()  # set after a local write, so its events go out at once
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="webhooks", daemon=True)
        # An event loop of the sender's own, so that an attempt is cut off at its deadline whatever the receiver does
        # (httpx's timeouts hold each read, not the whole: a receiver answering a byte at a time held the sender).
        self._loop = asyncio.Runner()
        self._client = httpx.AsyncClient(timeout=None, follow_redirects=False)

    def start(self) -> None:
        """Start delivering (returns at once)."""
        self._thread.start()

    def stop(self) -> None:
        """Stop after the attempt under way (undelivered events stay in the outbox for the next start)."""
        self._stop.set()
        self.wake.set()
        if self._thread.ident is None:  # never started (rounds run by hand)
            self._close()
        else:
            self._thread.join(timeout=self.settings.webhook_timeout_s + 5)

    def _close(self) -> None:
        self._loop.run(self._client.aclose())
        self._loop.close()

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    self.deliver_due()
                except Exception:  # the database restarted, say: log, wait, go on
                    log.exception("webhooks: delivery round failed; retrying")
                self.wake.wait(POLL_SECONDS)
                self.wake.clear()
        finally:
            self._close()

    def deliver_due(self) -> int:
        """One round: fan new events out to the endpoints, then try every due delivery; returns how many were
        tried. An endpoint is given the events of the last :data:`BACKLOG` and those since the sender started; its
        first fan-out after a start also catches it up on every event of a kind it took before, from the first of
        that kind it was ever given (those written while no sender ran: a batch ingest over a weekend). One
        endpoint's fan-out failing is logged and tried again next round; the others go on."""
        now = datetime.now(UTC)
        for hook in self.settings.webhooks:
            url = str(hook.url)
            try:
                self.store.outbox.fan_out(url, hook.events, min(self.started, now - BACKLOG), now,
                                          catch_up=url not in self._caught_up)
            except Exception as exc:
                reason = getattr(exc, "orig", None) or exc  # a database error's own words, not its SQL and values
                log.error("webhooks: events could not be fanned out to %s (%s); retrying",
                          shown_url(url), f"{type(reason).__name__}: {reason}".replace(url, shown_url(url))[:500])
            else:
                self._caught_up.add(url)
        due = self.store.outbox.claim_due(now, [str(hook.url) for hook in self.settings.webhooks])
        for delivery in due:
            if self._stop.is_set():
                break
            if self.store.outbox.is_pending(delivery.id):  # its customer may have been erased since the claim
                self._attempt(delivery)
        return len(due)

    def _attempt(self, delivery: DueDelivery) -> None:
        body = json.dumps({"id": delivery.event_id, "type": delivery.kind,
                           "created_at": iso_utc(delivery.created_at), "data": delivery.payload}).encode()
        timestamp = str(int(time.time()))
        headers = {"Content-Type": "application/json", "User-Agent": "emotrace-webhooks",
                   "X-Emotrace-Event-Id": delivery.event_id, "X-Emotrace-Timestamp": timestamp,
                   "X-Emotrace-Signature": signature(self.secret, timestamp, body)}
        shown = shown_url(delivery.endpoint)
        timeout = self.settings.webhook_timeout_s
        try:
            status = self._loop.run(asyncio.wait_for(self._post(delivery.endpoint, body, headers), timeout))
            error = None if httpx.codes.is_success(status) else f"HTTP {status}"
        except TimeoutError:
            error = f"Timeout: not answered within {timeout:g} s"
        except Exception as exc:  # any failure (a UnicodeError from a host no resolver takes) is this attempt's alone
            error = f"{type(exc).__name__}: {exc}".replace(delivery.endpoint, shown)[:500]
        attempts = delivery.attempts + 1
        now = datetime.now(UTC)
        retry_at = None if error is None or attempts >= self.settings.webhook_max_attempts else (
            now + timedelta(seconds=retry_delay(attempts, self.settings.webhook_first_retry_s)))
        if error is not None:
            log.warning("webhook %s to %s: attempt %d failed (%s)", delivery.event_id, shown, attempts, error)
        self.store.outbox.record(delivery.id, now, error, retry_at)

    async def _post(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        """POST ``body`` and return the answer's status; its body is not read (the status is what counts)."""
        async with self._client.stream("POST", url, content=body, headers=headers) as response:
            return response.status_code
