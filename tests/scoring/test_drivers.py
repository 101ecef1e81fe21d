"""Drivers' rules: topics ranked by the dissatisfaction they carry, against the period before; what a customer is
upset about."""

from __future__ import annotations

from datetime import UTC, datetime

from emotrace.scoring.drivers import TopicMessage, rank_drivers, topic_feelings, upset_about, upset_reason
from emotrace.scoring.next_step import DEFAULT_NEXT_STEPS, next_step

T = datetime(2026, 11, 1, tzinfo=UTC)


def msg(customer: str, labels: list[str] | None, satisfaction: float, aspects: list[dict] | None = None,
        text: str | None = "text") -> TopicMessage:
    cls = "dissatisfied" if satisfaction < -0.2 else "satisfied" if satisfaction > 0.2 else "neutral"
    return TopicMessage(customer, T, text, topic_feelings(labels, aspects, satisfaction, cls))


def aspect(topic: str, satisfaction: float) -> dict:
    return {"topic": topic, "satisfaction": satisfaction,
            "satisfaction_class": "dissatisfied" if satisfaction < -0.2 else "satisfied"}


def test_a_topic_carries_its_own_aspect_satisfaction_else_the_message_s() -> None:
    feelings = topic_feelings(["delivery", "product_quality"], [aspect("delivery", -0.9)], 0.4, "satisfied")
    assert feelings["delivery"].negativity == 0.9 and feelings["delivery"].dissatisfied
    assert feelings["product_quality"].negativity == 0 and not feelings["product_quality"].dissatisfied
    assert topic_feelings(None, None, -1.0, "dissatisfied") is None  # read before topics existed


def test_topics_are_ranked_by_dissatisfaction_carried_not_volume() -> None:
    current = [msg("a", ["delivery"], 0.8), msg("b", ["delivery"], 0.7), msg("c", ["delivery"], -0.1),
               msg("a", ["billing_charges"], -0.9, text="charged twice"),
               msg("d", ["billing_charges", "delivery"], 0.5, [aspect("billing_charges", -0.6)], text="late bill"),
               msg("e", None, -1.0), msg("e", [], -1.0)]
    report = rank_drivers(current, [])
    assert [d.topic for d in report.drivers] == ["billing_charges", "delivery"]
    billing, delivery = report.drivers
    assert (billing.messages, billing.carried, billing.mean_negativity, billing.dissatisfied_share) == (2, 1.5, 0.75, 1.0)
    assert (delivery.messages, delivery.carried, delivery.dissatisfied_share) == (4, 0.1, 0.0)
    assert report.messages == 6 and report.without_topics == 1
    assert billing.examples == ["charged twice", "late bill"]  # the most dissatisfied first
    assert [(c.customer_id, c.messages, c.carried) for c in billing.customers] == [("a", 1, 0.9), ("d", 1, 0.6)]
    assert billing.new and billing.messages_change_relative is None
    assert [d.topic for d in rank_drivers(current, [], limit=1).drivers] == ["billing_charges"]


def test_change_against_the_period_before() -> None:
    before = [msg("a", ["delay_waiting"], -0.5), msg("b", ["delay_waiting"], -0.5), msg("c", ["price"], -0.2)]
    now = [msg("a", ["delay_waiting"], -0.5), msg("b", ["delay_waiting"], -0.5), msg("c", ["delay_waiting"], -0.5)]
    delay = rank_drivers(now, before).drivers[0]
    assert (delay.previous_messages, delay.previous_carried) == (2, 1.0)
    assert (delay.messages_change, delay.carried_change) == (1, 0.5)
    assert (delay.messages_change_relative, delay.carried_change_relative) == (0.5, 0.5)
    assert not delay.new
    assert [d.topic for d in rank_drivers(now, before).drivers] == ["delay_waiting"]  # price is gone, not listed


def test_examples_pass_through_the_caller_s_redaction_and_the_top_five_customers() -> None:
    current = [msg(f"c{i}", ["policy"], -0.1 * (i + 1), text=f"secret {i}") for i in range(7)]
    driver = rank_drivers(current, [], shown=lambda text: text.replace("secret", "[X]")).drivers[0]
    assert driver.examples == ["[X] 6", "[X] 5", "[X] 4"]
    assert [c.customer_id for c in driver.customers] == ["c6", "c5", "c4", "c3", "c2"]
    assert rank_drivers([msg("a", ["policy"], -0.5, text=None)], []).drivers[0].examples == []


def test_a_message_without_a_customer_counts_for_its_topic_but_for_no_customer() -> None:
    """Found by a review: messages without a customer were counted under a made-up customer ""."""
    driver = rank_drivers([msg("a", ["price"], -0.2), msg(None, ["price"], -0.9)], []).drivers[0]  # type: ignore[arg-type]
    assert (driver.messages, driver.carried) == (2, 1.1)
    assert [(c.customer_id, c.messages, c.carried) for c in driver.customers] == [("a", 1, 0.2)]


def test_a_text_sent_by_several_customers_is_one_example() -> None:
    """Found by a new-user trial: "You charged my card twice ..." sent by two customers filled two of the three
    example places."""
    current = [msg("a", ["billing_charges"], -0.9, text="charged twice"), msg("b", ["billing_charges"], -0.9,
                                                                          text="charged twice"),
               msg("c", ["billing_charges"], -0.5, text="price went up"), msg("d", ["billing_charges"], -0.3,
                                                                          text="fee?")]
    assert rank_drivers(current, []).drivers[0].examples == ["charged twice", "price went up", "fee?"]


def test_upset_about_counts_only_dissatisfied_topics_and_names_them_in_the_reason() -> None:
    messages = [msg("a", ["billing_charges"], -0.8).topics, msg("a", ["billing_charges", "delivery"], 0.6,
                [aspect("billing_charges", -0.4)]).topics, msg("a", ["price"], -0.3).topics, None]
    upset = upset_about(messages)
    assert [(u.topic, u.messages, u.carried) for u in upset] == [("billing_charges", 2, 1.2), ("price", 1, 0.3)]
    assert upset_reason("Score 30 is below 35.", upset[:1]) == ("Score 30 is below 35; upset about: billing and "
                                                               "charges (2 messages).")
    assert upset_reason("Score 80, no recent alerts.", []) == "Score 80, no recent alerts."
    assert len(upset_about([msg("a", [t], -0.5).topics for t in ("price", "policy", "delivery", "cancellation")])) == 3


def test_a_customer_upset_about_charges_gets_a_review_of_them() -> None:
    step = next_step("neutral", [], ["anger"], "stable", DEFAULT_NEXT_STEPS, ["refund_compensation"])
    assert step is not None and step.action == "review_charges"
    assert next_step("neutral", [], ["anger"], "stable", DEFAULT_NEXT_STEPS, ["delivery"]).action == (
        "acknowledge_and_apologise")
    assert next_step("at_risk", [], [], "stable", DEFAULT_NEXT_STEPS, ["billing_charges"]).action == "offer_retention"


def test_a_driver_s_examples_do_not_depend_on_the_order_messages_came_in() -> None:
    messages = [msg(f"u{i}", ["delivery"], 0.2, text=f"text {i}") for i in range(5)]
    first = rank_drivers(messages, []).drivers[0].examples
    assert first == rank_drivers(messages[::-1], []).drivers[0].examples
