"""Intent probe: hand-written customer messages for the intent view, blind to the suite and the corpus.

    python -m emotrace.evaluation.intent_probe [--model DIR ...]

Who: written by a writer helper session (an AI assistant, Claude) for the emotrace project.
When: 2026-12-07.
How: every message was written by hand, one at a time, with no templates and no slot filling,
varying channel (tweets with an @handle, chat lines, e-mail sentences, reviews, call-transcript
turns), industry, length, register and punctuation. No two messages share a run of six words.
The writer saw only the README (what the product does) and the label policy in the "Intents"
section of data/customer_service/WRITING_GUIDE.md. It was written blind to the behaviour suite
(evaluation/checklist.py), to the training corpus (data/customer_service/) and to the other
probes (evaluation/calm_probe.py), and none of their sentences were reused.

This is an EVALUATION set. It must never be used as training data, for threshold tuning, or
copied into any corpus the model learns from.

- LOOKALIKES: 40 messages that mention intent words or situations but state no intent
  (their exact intent set is empty). 14 of them involve a lawyer, solicitor, attorney, notary,
  conveyancer or legal team doing routine, friendly work for the customer.
- INTENTS: 40 (text, intents) tuples, 10 per intent by primary intent; 8 of them carry a
  second intent (each intent is the second one twice), so each intent label fires on 12 messages.

No text is a corpus or suite text (a test checks); 19 share a common six-word phrase with a corpus row ("put me through
to a manager", "is there a fee for that") and two with a suite case ("my solicitor will be in touch", "you are in
breach of contract"). Written after the thirty-seventh round was decided (docs/benchmarks.md): a measure for the
rules of the rounds after it, not for that one.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from emotrace.model.classifier import EmotionClassifier
from emotrace.model.labels import INTENT_LABELS, INTENT_VIEW
from emotrace.paths import DEFAULT_MODEL_DIR

LOOKALIKES = [
    # a lawyer, solicitor, attorney or legal team doing routine work for the customer
    "@SwiftLetBank my solicitor is reviewing the mortgage offer this week, could you email her the redemption figures? cheers",
    "Our attorney just finished drafting the lease addendum. Where do I upload it for the new flat?",
    "hi, quick one: the notary needs the original share certificate, can you post it to my home address?",
    "Customer: Yeah so my lawyer read through the warranty terms and she says it's all fine, I "
    "just need the serial number registered.",
    "Thanks to your team and our legal team for getting the supplier agreement signed so fast!",
    "Could you add my solicitor as an authorised contact? She's handling Mum's estate paperwork.",
    "Booked the barn for our wedding. My brother (he's a lawyer lol) read the small print and "
    "said it was the clearest contract he'd ever seen. 5 stars",
    "My attorney asked for certified copies of last year's statements for the visa application — is there a fee for that?",
    "hello! conveyancer here on behalf of Mr Okafor, requesting the completion statement for 14 Birch Lane",
    "Our in-house legal team has approved the data processing addendum, so please go ahead and activate the enterprise seats.",
    "The solicitor dealing with Gran's will needs a valuation letter for her premium bonds, how do we request one?",
    "@ParcelPronto a lawyer friend is sending me signed documents through you tomorrow, is Saturday delivery available?",
    "Dear team, my legal adviser has prepared a letter of authority so I can manage my "
    "father's phone line; attached for your records.",
    "lawyer says the tenancy deposit paperwork looks good 👍 thanks for being so quick",
    # cancelling one order, booking or class, not the service
    "Need to cancel Thursday's spin class, knee's playing up again. Any Saturday slots?",
    "@QuickBiteUK cancelled the second pizza by accident haha, can the order still go through with just the one?",
    "Hi, I'd like to cancel the 3pm haircut on the 12th and move it to the morning if possible.",
    "is there a way to remove one item from my basket without cancelling everything",
    "Customer: We need to cancel the table for six tonight, we'll come in another evening instead.",
    # the customer's own manager, boss or supervisor at work
    "My manager wants the receipts split by cost centre, can you reissue the March invoice that way?",
    "ok so my boss approved the upgrade for the whole team, what's next?",
    "I'm the shift supervisor at the depot, just confirming we can take the pallet delivery before 7am.",
    # a refund that arrived, or a question about how refunds work
    "Refund landed in my account this morning, quicker than I expected. Nice one.",
    "How long do refunds usually take to show up on a credit card with you guys?",
    "returned the boots, got the money back in two days, no hassle whatsoever. would order again",
    "Just curious — if the airline cancels a flight, does the refund go back to the original card or come as a voucher?",
    "@ShopNorth the goodwill voucher for the late parcel showed up, all sorted, thank you!",
    # switching plan within the same company
    "Can I move from the family bundle to unlimited data without changing my number?",
    "Switched my broadband to the faster tier last week, the speed difference is unreal.",
    "I'd like to downgrade to the basic subscription from next month, same account please.",
    # staying happily, joining, porting in
    "Been with you lot twelve years and I'm not going anywhere, renewal done in five minutes 😊",
    "Just renewed the car insurance for another year. Price was fair and the call was painless.",
    "Thought about shopping around but honestly your service is too good to leave.",
    "My old provider sent a cancellation confirmation today, so you're officially my broadband company now!",
    "Port-in went smoothly, my old number already works on your network 👍",
    # intent words used in other senses
    "No complaints at all about the install, the engineer was polite and tidied up after himself.",
    "Is the food court in the east wing open late on Sundays?",
    "@GymCoHQ do members get priority booking on the squash court or is it first come, first served?",
    "My headache escalated during the flight but the cabin crew were brilliant and brought water straight away.",
    "Your payroll software prints the compensation field twice on this month's payslips, can someone show me the setting?",
]

INTENTS = [
    # churn_threat
    ("Cancelling. Done.", ("churn_threat",)),
    ("@StreamBoxHelp third outage this week. I'm moving to another provider on Friday, don't "
     "bother with the retention call.", ("churn_threat",)),
    ("Please close my account and delete my card details, I won't be using you again.", ("churn_threat",)),
    ("The renewal price jumped 40%. Not renewing, simple as that.", ("churn_threat",)),
    ("how do I get my PAC code? porting my number out to another network today", ("churn_threat",)),
    ("Five years a loyal customer and this is how you treat me. Taking my business to your "
     "competitor across the street.", ("churn_threat",)),
    ("Sort this before Monday or I'm leaving, and I want a refund for the days without "
     "signal.", ("churn_threat", "refund_request")),
    ("If nobody calls me back today I'm switching banks. Put me through to a manager "
     "now.", ("churn_threat", "escalation_request")),
    ("Customer: honestly, I've had it, cancel the whole membership, all of it, today.", ("churn_threat",)),
    ("we will not be renewing our contract with your firm in January; expect formal notice from procurement", ("churn_threat",)),
    # escalation_request
    ("Supervisor. Now, please.", ("escalation_request",)),
    ("I want to speak to your manager.", ("escalation_request",)),
    ("@FlyAerion been on hold 90 mins, please escalate this to someone who can actually make a "
     "decision", ("escalation_request",)),
    ("I would like to lodge a formal complaint regarding the conduct of your driver on 3 May.", ("escalation_request",)),
    ("can you pass me to a team leader? you've read me the same script three times", ("escalation_request",)),
    ("Escalate this ticket.", ("escalation_request",)),
    ("Is there someone more senior I can talk to? This is the fourth failed delivery.", ("escalation_request",)),
    ("I'd like a supervisor to review the damage claim, and I expect the full cost of the sofa "
     "reimbursed.", ("escalation_request", "refund_request")),
    ("Staff just shrugged at me. Whoever runs this branch, I want a call from you personally.", ("escalation_request",)),
    ("Log this as a formal complaint, please. If it isn't resolved in eight weeks I'll take it "
     "to the Financial Ombudsman.", ("escalation_request", "legal_threat")),
    # refund_request
    ("Refund me.", ("refund_request",)),
    ("I want my money back.", ("refund_request",)),
    ("@CineMaxHelp the film stopped halfway and you charged me twice, can I get the £14 back please?", ("refund_request",)),
    ("Order arrived smashed. Full refund please, and you've lost a customer.", ("refund_request", "churn_threat")),
    ("train was two hours late, how do I claim the delay compensation I'm owed?", ("refund_request",)),
    ("Please credit my account for the three days the internet was down.", ("refund_request",)),
    ("No hot water for our entire stay. Expecting partial reimbursement; the duty manager on "
     "site already agreed.", ("refund_request",)),
    ("I'll raise a chargeback with my bank if the deposit isn't returned by Friday.", ("refund_request",)),
    ("Customer: I was billed for a premium tier I never signed up for, I want those charges "
     "reversed and refunded.", ("refund_request",)),
    ("Refund the subscription fee or I'm filing in small claims.", ("refund_request", "legal_threat")),
    # legal_threat
    ("See you in court.", ("legal_threat",)),
    ("My solicitor will be in touch.", ("legal_threat",)),
    ("@VoltEnergyUK reported you to Ofgem today. Overbilling for six months is not a mistake, "
     "it's a pattern.", ("legal_threat",)),
    ("You are in breach of contract: the kitchen was due to be fitted by 1 March and it is still in boxes.", ("legal_threat",)),
    ("I've already spoken to an attorney about the damage your movers did, and she thinks we "
     "have a strong case.", ("legal_threat",)),
    ("Please pass this to your head of customer relations: unless the matter is resolved within "
     "14 days I will issue a claim in the county court.", ("legal_threat", "escalation_request")),
    ("Reporting you to the CFPB over how my dispute was handled.", ("legal_threat",)),
    ("I'm suing.", ("legal_threat",)),
    ("Letting agency ignored the mould for a year. Our tenants' association lawyer is now "
     "preparing action against them.", ("legal_threat",)),
    ("Customer: I'm closing the account and taking the whole matter to the ombudsman.", ("legal_threat", "churn_threat")),
]


@dataclass(frozen=True)
class ProbeFigures:
    """Look-alikes given an intent; intent messages read with their exact intent set; each intent's recall
    ("found/asked")."""

    lookalikes_given_an_intent: int
    exact_intent_set: int
    recall: dict[str, str]


def probe_figures(classifier: EmotionClassifier) -> ProbeFigures:
    """The probe read by ``classifier`` at its own decisions."""
    readings = classifier.predict([*LOOKALIKES, *(text for text, _ in INTENTS)])
    fired = [set(r.views[INTENT_VIEW].labels) for r in readings]
    given = fired[len(LOOKALIKES):]
    found = {intent: sum(intent in f for f, (_, gold) in zip(given, INTENTS, strict=True) if intent in gold)
             for intent in INTENT_LABELS}
    return ProbeFigures(sum(bool(f) for f in fired[: len(LOOKALIKES)]),
                        sum(f == set(gold) for f, (_, gold) in zip(given, INTENTS, strict=True)),
                        {intent: f"{n}/{sum(intent in gold for _, gold in INTENTS)}" for intent, n in found.items()})


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--model", type=Path, action="append", help="model directory (repeat; default: the shipped)")
    for model in parser.parse_args().model or [DEFAULT_MODEL_DIR]:
        figures = probe_figures(EmotionClassifier.from_pretrained(model))
        recall = ", ".join(f"{intent} {found}" for intent, found in figures.recall.items())
        print(f"{model}: look-alikes ({len(LOOKALIKES)}) given an intent {figures.lookalikes_given_an_intent}; "
              f"intent messages ({len(INTENTS)}) with their exact set {figures.exact_intent_set}; recall {recall}")


if __name__ == "__main__":
    main()
