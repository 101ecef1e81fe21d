"""Behavioural tests of the model in the CheckList style (Ribeiro et al., ACL 2020), with a pass rate per capability.

Three kinds of test over customer-service phenomena:
- minimum functionality (MFT): a hand-written message and the satisfaction class it must read as; a message and
  the exact set of intents it must read as (``MFT:intent:<intent>``; intents said in the plainest, bluntest few
  words, one or two at once: ``MFT:intent:plain``; look-alikes that state no intent: ``MFT:intent:lookalike``);
- invariance (INV): changing a name, order number, amount or brand must not change the satisfaction class
  (nor move the satisfaction score by more than ``INVARIANCE_TOLERANCE``), nor the intents a message states;
- directional (DIR): adding "again", "third time", "still" to a complaint must not raise satisfaction; appending
  "or I'm leaving" must add ``churn_threat``, "and I want a manager" ``escalation_request``.
The cases were written for this suite only; no training data was written or augmented from them, and none shares
a run of six words with the written customer-service corpus (``tests/training/test_written_corpus.py``).

``python -m emotrace.evaluation.checklist [--model DIR] [--json] [--failures]`` prints the pass rates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Annotated

import typer

from emotrace.model.classifier import EmotionClassifier
from emotrace.model.labels import INTENT_VIEW
from emotrace.model.reading import Reading

INVARIANCE_TOLERANCE = 0.25
DIRECTIONAL_TOLERANCE = 0.05
NOT_SATISFIED = ("dissatisfied", "neutral")

# (phenomenon, text, accepted satisfaction classes)
MFT_CASES: list[tuple[str, str, tuple[str, ...]]] = [
    *(("sarcasm", t, ("dissatisfied",)) for t in [
        "Wow, thanks for charging me twice. Really appreciate it.",
        "Great, another update that deletes all my settings. Just perfect.",
        "Oh fantastic, the package is lost again. Love that for me.",
        "Thanks a lot for the 3 hour hold music, truly a highlight of my day.",
        "Brilliant service, my refund only took four months.",
        "Amazing how you manage to get my order wrong every single time.",
    ]),
    *(("polite_anger", t, ("dissatisfied",)) for t in [
        "I appreciate your help, but I'd like to escalate this to a manager.",
        "With respect, this is the fourth time I have explained the problem.",
        "I understand you are busy, but I expect a proper answer today.",
        "Kindly note that I am very disappointed with how this was handled.",
        "Thank you for your reply, however it does not solve anything.",
        "I have been patient, but I would now like a full refund please.",
    ]),
    *(("impatient_question", t, ("dissatisfied",)) for t in [
        "Is anyone actually working there?",
        "WHERE IS MY ORDER",
        "How many more times do I have to call you?",
        "Why is nobody answering my emails??",
        "When exactly were you planning to fix this?",
        "Does anyone read these messages at all?",
    ]),
    *(("churn_statement", t, ("dissatisfied",)) for t in [
        "I'm cancelling my subscription.",
        "I'll take my business elsewhere.",
        "Please close my account, I'm done with this company.",
        "I am switching to another provider next month.",
        "Cancel everything. I won't be ordering from you again.",
        "That's it, I'm leaving for a competitor.",
    ]),
    *(("factual_complaint", t, ("dissatisfied",)) for t in [
        "order 4411 still not here after 3 weeks",
        "I was charged twice for the same order.",
        "The replacement part arrived broken too.",
        "My card was declined although there is money in the account.",
        "The app crashes every time I open the payment page.",
        "I returned the item a month ago and have not received my refund.",
    ]),
    *(("thanks_but", t, ("dissatisfied",)) for t in [
        "Thanks, but this still doesn't work.",
        "Thank you, but the problem is not fixed.",
        "Thanks for the reply, but I still haven't got my money back.",
        "Appreciate it, but the same error keeps coming back.",
        "Thanks, but that's not what I asked for.",
        "Thank you, however the parcel is still missing.",
    ]),
    *(("negated_praise", t, NOT_SATISFIED) for t in [
        "The new version is not good at all.",
        "I can't say I'm happy with the result.",
        "Not impressed with the delivery times.",
        "This was not a pleasant experience.",
        "I wouldn't call this helpful.",
        "The support was not great, to be honest.",
    ]),
    *(("negated_complaint", t, ("satisfied", "neutral")) for t in [
        "No complaints at all, it works perfectly.",
        "I have no problem with the new plan, thanks.",
        "Not bad at all, really quick delivery.",
        "Nothing to complain about, great job.",
        "The setup wasn't difficult, it was easy.",
        "I can't fault the service, very smooth.",
    ]),
    *(("all_caps_anger", t, ("dissatisfied",)) for t in [
        "THIS IS UNACCEPTABLE. I WANT MY MONEY BACK NOW.",
        "WORST SERVICE EVER",
        "I AM SO ANGRY RIGHT NOW, FIX THIS",
        "STOP CHARGING MY CARD",
        "NOBODY HAS HELPED ME IN TWO WEEKS",
        "THIS IS A JOKE. CANCEL MY ORDER.",
    ]),
    *(("lukewarm", t, ("neutral", "satisfied")) for t in [
        "not bad, could be better",
        "It's okay I guess.",
        "Decent product, nothing special.",
        "It does the job.",
        "Fine, it works for now.",
        "Average experience overall.",
    ]),
    *(("plain_question", t, ("neutral",)) for t in [
        "Can you tell me the opening hours?",
        "How do I change my delivery address?",
        "What payment methods do you accept?",
        "Is the blue model available in size 10?",
        "Could you send me a copy of the invoice?",
        "Do you ship to Canada?",
    ]),
    # calm questions about the customer's own account, order or booking (a new user's "When is my next bill due?"
    # read dissatisfied and angry)
    *(("account_question", t, ("neutral",)) for t in [
        "Which date will my annual membership fee be taken this year?",
        "How much credit is left on my prepaid account, please?",
        "When is my next meter reading booked for?",
        "What time window is my grocery slot on Saturday?",
        "Can you check whether my last payment cleared on the 3rd?",
        "How many days of my travel insurance cover are left?",
    ]),
    *(("rhetorical_question", t, ("dissatisfied",)) for t in [
        "Is it too much to ask for a bill that is actually correct?",
        "Do you people even test these updates before pushing them out?",
        "Why even give me a tracking number that never updates?",
        "Who decided that a 50 minute queue was acceptable?",
        "So I'm meant to just keep waiting forever?",
        "Honestly, how hard can it be to deliver one box?",
    ]),
    *(("implicit_complaint", t, ("dissatisfied",)) for t in [
        "Day six without hot water. Engineer was booked for Tuesday.",
        "Flight 212: boarding time moved three times, now 11pm.",
        "Fourth email about the same invoice, still no reference number.",
        "Bought it in March, the screen has dead pixels since April.",
        "Been at the counter since 9, there are two staff for forty people.",
        "Ordered for my son's birthday on the 2nd. Today is the 19th.",
    ]),
    *(("emoji_in_context", t, accepted) for t, accepted in [
        ("😤 again?!", ("dissatisfied",)),
        ("Another 'we're sorry for the inconvenience' email 🙄", ("dissatisfied",)),
        ("love paying extra for a seat that doesn't recline 🙃", ("dissatisfied",)),
        ("Delivered two days late and squashed, great job 👍", ("dissatisfied",)),
        ("Sorted in five minutes, thank you 🙏", ("satisfied",)),
        ("The new menu is lovely 😍 will be back", ("satisfied",)),
    ]),
    *(("praise", t, ("satisfied",)) for t in [
        "Thank you so much, that fixed it!",
        "Great service, the agent was really helpful.",
        "Love the new app, well done 😊",
        "Parcel arrived early, very happy.",
        "You guys are the best, thanks for sorting it out.",
        "Excellent support, quick and friendly.",
    ]),
]

# (intent or "lookalike", text, the exact set of intents it states)
INTENT_CASES: list[tuple[str, str, tuple[str, ...]]] = [
    *(("churn_threat", t, ("churn_threat",)) for t in [
        "Unless this is fixed by Friday I'm moving to another operator.",
        "Please don't renew my plan next year, I've had enough.",
        "The day my contract ends, my number goes to another carrier.",
        "Consider this my notice, I'm closing the account.",
        "Found a cheaper provider, so you're losing me this month.",
        "My membership ends in May and I won't be signing up again.",
    ]),
    *(("escalation_request", t, ("escalation_request",)) for t in [
        "Put me through to your supervisor please.",
        "I need someone senior to look at this case today.",
        "I want to lodge a formal complaint about this engineer.",
        "Escalate this ticket, the chatbot is going in circles.",
        "Can a manager call me back this afternoon?",
        "Who is above you? I'd like to speak with them.",
    ]),
    *(("refund_request", t, ("refund_request",)) for t in [
        "I expect the full amount back on my card.",
        "Please reimburse the taxi I had to take because of the cancellation.",
        "I'd like a credit for the two days the service was down.",
        "Give me my money back for the broken kettle.",
        "What compensation are you offering for the ruined holiday?",
        "Refund the duplicate payment, please.",
    ]),
    *(("legal_threat", t, ("legal_threat",)) for t in [
        "My solicitor will be in touch about this.",
        "I'm filing a claim in small claims court next week.",
        "This is going to the energy ombudsman.",
        "You are in breach of contract and I will take legal action.",
        "I have already reported you to the regulator.",
        "My attorney says this fee is unlawful.",
    ]),
    *(("plain", t, expected) for t, expected in [
        ("I want a refund.", ("refund_request",)),
        ("I want my money back or I am calling my lawyer", ("refund_request", "legal_threat")),
        ("Give me my money back.", ("refund_request",)),
        ("Stop my subscription today.", ("churn_threat",)),
        ("refund pls", ("refund_request",)),
        ("Shut my account down. Today.", ("churn_threat",)),  # "Cancel my account. Now." was a train row's
        ("put me through to someone in charge", ("escalation_request",)),
        ("I'll see you in court.", ("legal_threat",)),
        ("Money back. Today.", ("refund_request",)),
        ("I'm done, closing my account", ("churn_threat",)),
        ("I demand compensation", ("refund_request",)),
        ("Reporting you to the ombudsman.", ("legal_threat",)),
        ("bump this up to your supervisor", ("escalation_request",)),  # "escalate this please" was a dev row
        ("Refund or I walk.", ("refund_request", "churn_threat")),
        ("I want out of this contract", ("churn_threat",)),
        ("Where's my refund? Processed a week ago apparently.", ("refund_request",)),
    ]),
    *(("lookalike", t, ()) for t in [
        "I cancelled my class by mistake, can I rebook it?",
        "My manager asked me for an invoice for the team licences.",
        "The refund came through fine, thanks for the quick help.",
        "Would moving my booking to next week cost extra?",
        "My lawyer needs a copy of last year's statements.",
        "I upgraded to yearly billing last month and I'm really enjoying it.",
        "Could the second item be removed while the rest still ships?",
        "The store manager was lovely and sorted the exchange.",
        "How do refunds work for gift cards?",
        "Refund came through, cheers",
        "My manager wants a copy of the invoice",
        "I cancelled the wrong booking, can I undo it?",
        "Never leaving you guys, best bank ever",
        "Our lawyer is reviewing the lease, no rush",
    ]),
]

# (template, fillers, the exact set of intents every filling states)
INTENT_INV_CASES: list[tuple[str, list[str], tuple[str, ...]]] = [
    ("Hi, {} here, I'm cancelling my contract today.", ["Maria", "John", "Aisha", "Wei", "Olga"], ("churn_threat",)),
    ("I want a refund of {} for the faulty heater.", ["$20", "€49.99", "£5", "$1,250", "30 dollars"], ("refund_request",)),
    ("Order {} is wrong again, I want a manager now.", ["#1234", "#88731", "A-5521", "98-776-1", "#4411"],
     ("escalation_request",)),
    ("{} still has not answered, I'm leaving for a competitor.", ["Vodafone", "Verizon", "Comcast", "AT&T", "O2"],
     ("churn_threat",)),
    ("Any idea what day order {} will arrive?", ["#1234", "#88731", "A-5521", "98-776-1", "#4411"], ()),
]

# (message, what is appended, the intent the appended words must add)
INTENT_DIR_CASES: list[tuple[str, str, str]] = [
    ("My bill is wrong for the third month.", " Fix it or I'm leaving.", "churn_threat"),
    ("The router still drops every evening.", " Sort it out or I'm leaving.", "churn_threat"),
    ("Nobody has replied to my emails.", " Sort it or I'm leaving.", "churn_threat"),
    ("My bill is wrong for the third month.", " And I want a manager.", "escalation_request"),
    ("The router still drops every evening.", " And I want a manager.", "escalation_request"),
    ("Nobody has replied to my emails.", " And I want a manager.", "escalation_request"),
]

# (phenomenon, template, fillers): every filling of one template must read alike
INV_CASES: list[tuple[str, str, list[str]]] = [
    ("name", "Hi, this is {} again, my refund still hasn't arrived.", ["Maria", "John", "Aisha", "Wei", "Olga"]),
    ("name", "{} on your team was very helpful, thank you!", ["Sarah", "Ahmed", "Carlos", "Yuki", "Tom"]),
    ("order_number", "Order {} arrived damaged.", ["#1234", "#88731", "A-5521", "98-776-1", "#4411"]),
    ("order_number", "Can you check the status of order {}?", ["#1234", "#88731", "A-5521", "98-776-1", "#4411"]),
    ("amount", "You charged me {} twice this month.", ["$20", "€49.99", "£5", "$1,250", "30 dollars"]),
    ("amount", "I got a refund of {} today, thanks.", ["$20", "€49.99", "£5", "$1,250", "30 dollars"]),
    ("brand", "My {} router keeps disconnecting.", ["Netgear", "TP-Link", "Linksys", "Asus", "Huawei"]),
    ("brand", "Switched from {} and I'm really happy with you.", ["Vodafone", "Verizon", "Comcast", "AT&T", "O2"]),
]

# (base complaint, intensified): the intensified one must not read as more satisfied
DIR_CASES: list[tuple[str, str]] = [
    ("My package is late.", "My package is late again."),
    ("The app crashed.", "The app crashed for the third time."),
    ("I haven't received my refund.", "I still haven't received my refund."),
    ("The invoice is wrong.", "The invoice is wrong again, third time this year."),
    ("Nobody called me back.", "Still nobody called me back."),
    ("The delivery was missed.", "The delivery was missed again."),
    ("My internet is down.", "My internet is down again, third time this week."),
    ("The order was incomplete.", "The order was incomplete, again."),
    ("I was put on hold.", "I was put on hold again for an hour."),
    ("The item doesn't fit.", "The item still doesn't fit, even after the exchange."),
]


@dataclass
class CapabilityResult:
    """Pass count and failures of one capability (test kind + phenomenon)."""

    passed: int = 0
    total: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """The fraction of cases that passed."""
        return self.passed / self.total if self.total else 0.0

    def record(self, ok: bool, description: str) -> None:
        """Count one case."""
        self.total += 1
        self.passed += ok
        if not ok:
            self.failures.append(description)


def suite_texts() -> list[str]:
    """Every text the suite reads (for the checks that no training text shares words with it)."""
    texts = [text for _, text, _ in MFT_CASES] + [t.format(f) for _, t, fillers in INV_CASES for f in fillers]
    texts += [text for pair in DIR_CASES for text in pair] + [text for _, text, _ in INTENT_CASES]
    texts += [t.format(f) for t, fillers, _ in INTENT_INV_CASES for f in fillers]
    return texts + [text + appended for text, appended, _ in INTENT_DIR_CASES]


def _describe(reading: Reading) -> str:
    return f"{reading.text!r} -> {reading.satisfaction_class} ({_score(reading):+.2f}), {reading.labels}"


def _score(reading: Reading) -> float:
    """The satisfaction score (the suite needs a model with a satisfaction head)."""
    if reading.satisfaction_score is None:
        raise ValueError("The CheckList suite reads satisfaction; this model has no satisfaction head.")
    return reading.satisfaction_score


def _intents(reading: Reading) -> tuple[str, ...]:
    """The intents the reading states (the suite's intent cases need a model with the intent view)."""
    if INTENT_VIEW not in reading.views:
        raise ValueError("The CheckList intent cases read intents; this model has no intent view.")
    return tuple(reading.views[INTENT_VIEW].labels)


def run_intent_checks(classifier: EmotionClassifier, results: dict[str, CapabilityResult]) -> None:
    """The intent capabilities (``MFT:intent:*``, ``INV:intent``, ``DIR:intent``) added to ``results``."""
    readings = classifier.predict([text for _, text, _ in INTENT_CASES])
    for (intent, text, expected), reading in zip(INTENT_CASES, readings, strict=True):
        found = _intents(reading)
        results.setdefault(f"MFT:intent:{intent}", CapabilityResult()).record(
            set(found) == set(expected), f"{text!r} -> intents {list(found)}; expected {list(expected)}")
    for template, fillers, expected in INTENT_INV_CASES:
        for filler, reading in zip(fillers, classifier.predict([template.format(f) for f in fillers]), strict=True):
            found = _intents(reading)
            results.setdefault("INV:intent", CapabilityResult()).record(
                set(found) == set(expected), f"{template.format(filler)!r} -> intents {list(found)}; "
                                             f"expected {list(expected)}")
    for text, appended, intent in INTENT_DIR_CASES:
        before, after = (_intents(r) for r in classifier.predict([text, text + appended]))
        results.setdefault("DIR:intent", CapabilityResult()).record(
            intent not in before and intent in after,
            f"{text!r} -> {list(before)}, with {appended.strip()!r} -> {list(after)}; {intent} must be added")


def run_checklist(classifier: EmotionClassifier) -> dict[str, CapabilityResult]:
    """Every capability's result, keyed ``MFT:<phenomenon>``, ``INV:<what changes>``, ``DIR:intensifier`` and, for
    a model with the intent view, the intent capabilities of :func:`run_intent_checks`."""
    results: dict[str, CapabilityResult] = {}
    readings = classifier.predict([text for _, text, _ in MFT_CASES])
    for (phenomenon, _, accepted), reading in zip(MFT_CASES, readings, strict=True):
        results.setdefault(f"MFT:{phenomenon}", CapabilityResult()).record(
            reading.satisfaction_class in accepted, f"{_describe(reading)}; expected {'/'.join(accepted)}")
    for what, template, fillers in INV_CASES:
        variants = classifier.predict([template.format(f) for f in fillers])
        first = variants[0]
        for other in variants[1:]:
            same = (other.satisfaction_class == first.satisfaction_class
                    and abs(_score(other) - _score(first)) <= INVARIANCE_TOLERANCE)
            results.setdefault(f"INV:{what}", CapabilityResult()).record(
                same, f"{_describe(first)} vs {_describe(other)}")
    for base, intensified in DIR_CASES:
        before, after = classifier.predict([base, intensified])
        results.setdefault("DIR:intensifier", CapabilityResult()).record(
            _score(after) <= _score(before) + DIRECTIONAL_TOLERANCE,
            f"{_describe(before)} then {_describe(after)}")
    if classifier.schema.intents:
        run_intent_checks(classifier, results)
    return results


def overall_rate(results: dict[str, CapabilityResult]) -> float:
    """Passed cases over all cases."""
    return sum(r.passed for r in results.values()) / sum(r.total for r in results.values())


def main(model: Annotated[str | None, typer.Option(help="model directory (default: the shipped model)")] = None,
         as_json: Annotated[bool, typer.Option("--json")] = False,
         failures: Annotated[bool, typer.Option("--failures", help="list every failed case")] = False) -> None:
    """Print the pass rate of every capability and overall."""
    results = run_checklist(EmotionClassifier.from_pretrained(model))
    if as_json:
        typer.echo(json.dumps({"overall": overall_rate(results),
                               **{k: {"pass_rate": r.rate, "passed": r.passed, "total": r.total}
                                  for k, r in results.items()}}, indent=2))
        return
    for name, result in results.items():
        typer.echo(f"{name:<28} {result.passed:>3}/{result.total:<3} {result.rate:6.1%}")
        for failure in result.failures if failures else []:
            typer.echo(f"    ✗ {failure}")
    typer.echo(f"{'overall':<28} {overall_rate(results):6.1%}")


if __name__ == "__main__":
    typer.run(main)
