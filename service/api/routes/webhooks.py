"""The webhooks' delivery log."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from emotrace.api.deps import GUARDS, RuntimeDep
from emotrace.api.schemas import WebhookLogOut
from emotrace.api.strict_json import StrictJSONRoute
from emotrace.services.webhooks import shown_url
from emotrace.store.outbox import EndpointLog

router = APIRouter(route_class=StrictJSONRoute, prefix="/v1/webhooks", tags=["webhooks"], dependencies=GUARDS)


@router.get("", response_model=list[WebhookLogOut])
def webhook_log(runtime: RuntimeDep) -> list[WebhookLogOut]:
    """Each configured endpoint: deliveries delivered, pending (with retries to come) and failed for good, the last
    error and the last attempts."""
    logs = {log.endpoint: log for log in runtime.store.outbox.log()}
    out = []
    for hook in runtime.settings.webhooks:
        url = str(hook.url)
        found = logs.get(url, EndpointLog(url, 0, 0, 0, None, None, None))
        out.append(WebhookLogOut(**{**asdict(found), "endpoint": shown_url(url)}, events=list(hook.events)))
    return out
