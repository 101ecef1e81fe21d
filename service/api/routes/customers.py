"""Customers: summaries ranked by risk, one customer's timeline, routing hint, erasure."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, cast

from fastapi import APIRouter, Query, Response, status

from emotrace.api.deps import GUARDS, ErasableCustomerId, RuntimeDep, StoredCustomerId, read_explained
from emotrace.api.feed import publish_deleted
from emotrace.api.schemas import (
    PLAIN_DIGITS,
    AlertOut,
    CorrectionOut,
    CustomerDetailOut,
    CustomerOut,
    DriverOut,
    ExplanationOut,
    MessageIdPath,
    OutcomeRiskOut,
    RankedAgentOut,
    RoutingOut,
    SegmentFilter,
    StateOut,
    StoredMessageOut,
    TimelineOut,
    UpsetOut,
    WindowOut,
)
from emotrace.api.strict_json import StrictJSONRoute
from emotrace.errors import EmotraceError
from emotrace.messages import Identifier
from emotrace.outcomes.learn import TARGETS
from emotrace.scoring.agents import is_distressed, rank_agents
from emotrace.scoring.drivers import upset_reason
from emotrace.scoring.rules import known_segment
from emotrace.scoring.timeline import CUSTOMER, State, Timeline, routing_hint
from emotrace.services.agents import stored_profiles
from emotrace.services.outlook import outlook
from emotrace.services.summaries import customer_timeline, customer_timeline_and_upset, next_step_at
from emotrace.settings import stored_id
from emotrace.store.tables import Customer

router = APIRouter(route_class=StrictJSONRoute, prefix="/v1/customers", tags=["customers"], dependencies=GUARDS)


class Window(StrEnum):
    """Aggregation window of a timeline."""

    day = "day"
    week = "week"


def _found(customer: Customer | None, customer_id: str) -> Customer:
    if customer is None:
        raise EmotraceError("E905", f"Customer '{customer_id}' not found.")
    return customer


def state_out(state: State) -> StateOut:
    """Wire form of a scoring state."""
    return StateOut(at=state.at, score=state.score, valence=state.valence, arousal=state.arousal,
                    satisfaction=state.satisfaction, leading_emotions=state.leading_emotions)


def alerts_out(timeline: Timeline, customer: Customer) -> list[AlertOut]:
    """Wire form of a timeline's alerts, newest first, each with its id, status and assignee as the customer's row
    holds them (an alert is identified by its kind and first triggering message)."""
    held = {(a["kind"], cast(list[int], a["message_ids"])[0]): a for a in customer.alerts}
    out = []
    for a in reversed(timeline.alerts):
        state = held.get((a.kind, a.message_ids[0]), {})
        out.append(AlertOut(id=state.get("id"), kind=a.kind, reason=a.reason, message_ids=a.message_ids, at=a.at,
                            severity=a.severity, status=state.get("status", "open"), assignee=state.get("assignee")))
    return out


def windows_of(messages: list[StoredMessageOut], window: Window) -> list[WindowOut]:
    """Day or week aggregates of the customer's own messages."""
    groups: dict[datetime, list[StoredMessageOut]] = {}
    for m in messages:
        if m.speaker != CUSTOMER:
            continue
        start = m.timestamp.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        if window is Window.week:
            start -= timedelta(days=start.weekday())
        groups.setdefault(start, []).append(m)
    out = []
    for start, group in sorted(groups.items()):
        emotions = Counter(max(m.ekman_probabilities, key=m.ekman_probabilities.__getitem__) for m in group
                           if m.ekman_probabilities)
        n = len(group)
        out.append(WindowOut(start=start, messages=n, mean_valence=round(sum(m.valence for m in group) / n, 4),
                             mean_arousal=round(sum(m.arousal for m in group) / n, 4),
                             mean_satisfaction=round(sum(m.satisfaction for m in group) / n, 4),
                             top_emotion=emotions.most_common(1)[0][0] if emotions else None))
    return out


@router.get("", response_model=list[CustomerOut])
def list_customers(runtime: RuntimeDep, segment: SegmentFilter = None,
                   limit: Annotated[int, Query(ge=1, le=1000), PLAIN_DIGITS] = 100,
                   offset: Annotated[int, Query(ge=0, le=1_000_000), PLAIN_DIGITS] = 0,
                   search: Annotated[Identifier | None, Query(description="Customers whose id contains this (with "
                                                              "EMOTRACE_ID_KEY set: whose id, or the pseudonym the "
                                                              "list gives, is this, as ids are stored as "
                                                              "pseudonyms).")] = None
                   ) -> list[CustomerOut]:
    """Customers ranked by risk (lowest score first), optionally of one segment or found by id; paged with
    ``limit`` and ``offset``."""
    keyed = runtime.settings.id_key is not None
    segment = known_segment(segment, runtime.settings.scoring)
    found = runtime.store.customers.ranked(segment, limit, offset, id_contains=None if keyed else search,
                                           exact_id=stored_id(search, runtime.settings) if keyed and search else None)
    return [CustomerOut.model_validate(c) for c in found]


@router.get("/{customer_id}", response_model=CustomerDetailOut)
def get_customer(customer_id: StoredCustomerId, runtime: RuntimeDep) -> CustomerDetailOut:
    """A customer's summary, current state, alerts and routing hint."""
    customer = _found(runtime.store.customers.get(customer_id), customer_id)
    rules = runtime.settings.scoring
    now = datetime.now(UTC)
    timeline, upset = customer_timeline_and_upset(runtime.store, customer_id, rules, now)
    hint = routing_hint(timeline, now, rules)
    risks, saveable = outlook(runtime.store, customer_id, runtime.outcome_models, runtime.settings, now)
    step = next_step_at(timeline, upset, now, rules)  # the stored one is as of the customer's last message
    summary = CustomerOut.model_validate(customer)
    upset_out = [UpsetOut.model_validate(u) for u in upset]
    return CustomerDetailOut(**{**summary.model_dump(), "next_step": step},
                             state=state_out(timeline.current) if timeline.current else None,
                             alerts=alerts_out(timeline, customer),
                             routing=RoutingOut(customer_id=customer_id, route=hint.route,
                                                reason=upset_reason(hint.reason, upset), upset_about=upset_out,
                                                next_step=step),
                             outcome_risk={kind: OutcomeRiskOut(target=TARGETS[kind], probability=risk.probability,
                                                                drivers=[DriverOut(feature=f, contribution=c)
                                                                         for f, c in risk.drivers])
                                           for kind, risk in risks.items()},
                             saveable=saveable, upset_about=upset_out)


@router.get("/{customer_id}/timeline", response_model=TimelineOut)
def get_timeline(customer_id: StoredCustomerId, runtime: RuntimeDep, window: Window = Window.day) -> TimelineOut:
    """Raw readings (each with people's corrections of it), day/week aggregates, score history and alerts of one
    customer."""
    customer = _found(runtime.store.customers.get(customer_id), customer_id)
    corrections = runtime.store.corrections.of_customer(customer_id)
    messages = [StoredMessageOut.model_validate(m) for m in runtime.store.messages.of_customer(customer_id)]
    for message in messages:
        message.corrections = [CorrectionOut.model_validate(c) for c in corrections.get(message.id, ())]
    timeline = customer_timeline(runtime.store, customer_id, runtime.settings.scoring)
    return TimelineOut(customer_id=customer_id, window=window.value, messages=messages,
                       windows=windows_of(messages, window), history=[state_out(s) for s in timeline.history],
                       alerts=alerts_out(timeline, customer))


@router.get("/{customer_id}/messages/{message_id}/explanation", response_model=ExplanationOut)
async def explain_message(customer_id: StoredCustomerId, message_id: MessageIdPath,
                          runtime: RuntimeDep) -> ExplanationOut:
    """The words that drove a stored message's reading, read again from its stored (redacted) text: 409 when the
    settings keep no text."""
    found = [m for m in runtime.store.messages.with_customers([message_id])[0] if m.customer_id == customer_id]
    if not found:
        raise EmotraceError("E905", f"Customer '{customer_id}' has no message {message_id}.")
    if not found[0].text:
        raise EmotraceError("E907", "This message's text is not stored (EMOTRACE_STORE_TEXT=none): "
                            "there is nothing to explain.")
    _, explained = await read_explained(runtime, found[0].text)
    return explained


@router.get("/{customer_id}/routing", response_model=RoutingOut)
def get_routing(customer_id: StoredCustomerId, runtime: RuntimeDep,
                agents: Annotated[list[Identifier] | None, Query(max_length=200, description="The agents available "
                                                                 "now (repeat the parameter): returned best first for "
                                                                 "this customer, with the reason.")] = None
                ) -> RoutingOut:
    """Where to route this customer's incoming contact, and why; with ``agents``, which of them to route to."""
    customer = _found(runtime.store.customers.get(customer_id), customer_id)
    rules = runtime.settings.scoring
    now = datetime.now(UTC)
    timeline, upset = customer_timeline_and_upset(runtime.store, customer_id, rules, now)
    hint = routing_hint(timeline, now, rules)
    ranked = []
    if agents:
        minimum = runtime.settings.agent_min_conversations
        ranked = rank_agents(stored_profiles(runtime.store, minimum, agents), agents,
                             is_distressed(customer.segment, hint.route), minimum)
    return RoutingOut(customer_id=customer_id, route=hint.route, reason=upset_reason(hint.reason, upset),
                      upset_about=[UpsetOut.model_validate(u) for u in upset],
                      agents=[RankedAgentOut.model_validate(r) for r in ranked],
                      next_step=next_step_at(timeline, upset, now, rules))


@router.delete("/{customer_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
def delete_customer(customer_id: ErasableCustomerId, runtime: RuntimeDep) -> Response:
    """Erase the customer and every message of theirs (an id of dots alone, stored by releases before, too)."""
    if (through := runtime.store.customers.erase(customer_id)) is None:
        raise EmotraceError("E905", f"Customer '{customer_id}' not found.")
    publish_deleted(runtime.bus, customer_id, through)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
