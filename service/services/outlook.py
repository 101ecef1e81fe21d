"""A customer's outlook: the served outcome models' risks for them now, and whether they are worth saving."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from emotrace.scoring.profile import profile_at
from emotrace.settings import Settings
from emotrace.store import Store


class RiskModel(Protocol):
    """An outcome model as the outlook reads it (``emotrace.outcomes.learn.OutcomeModel``)."""

    def probability(self, features: dict[str, float]) -> float: ...

    def contributions(self, features: dict[str, float], top: int = 3) -> list[tuple[str, float]]: ...


@dataclass(frozen=True)
class Risk:
    """The probability of one outcome kind and the profile features that moved it most."""

    probability: float
    drivers: list[tuple[str, float]]


def outlook(store: Store, customer_id: str, models: Mapping[str, RiskModel], settings: Settings, now: datetime
            ) -> tuple[dict[str, Risk], bool | None]:
    """The risks of a stored customer as of ``now`` by kind, and whether they are saveable: a churn risk of at least
    ``saveable_churn_risk``, a contact in the last ``saveable_contact_days``, and no churn recorded (None without a
    churn model)."""
    if not models:
        return {}, None
    profile = profile_at(store.messages.signals(customer_id), now, settings.scoring)
    risks = {kind: Risk(round(model.probability(profile), 4), model.contributions(profile))
             for kind, model in models.items()}
    if "churned" not in risks:
        return risks, None
    saveable = (risks["churned"].probability >= settings.saveable_churn_risk
                and profile["days_since_contact"] <= settings.saveable_contact_days
                and "churned" not in store.outcomes.kinds(customer_id))
    return risks, saveable
