"""Written training rows for customer-service phenomena that no licensed source holds.

Sarcasm, polite anger, impatient questions, churn statements, "thanks, but ...", negated praise and
understated displeasure are read as dissatisfied; counter-examples that share their surface -- sincere praise
after the same openers, sincere thanks, polite requests, plain questions, order changes that cancel or switch
something without leaving -- keep the network from learning the surface instead. Names, order numbers, amounts,
brands and products are drawn at random into every family, so that none of them goes with one class.

The rows were written apart from the behavioural suite that measures them (``emotrace.evaluation.checklist``):
no row shares four consecutive words with any of the suite's cases (``tests/training/test_phenomena.py``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import product

from emotrace.training.satisfaction_data import DISSATISFIED, NEUTRAL, SATISFIED

SLOTS: dict[str, list[str]] = {
    "amount": ["$15", "$249.50", "€80", "£7.99", "40 euros", "$3,400", "12 pounds", "$60"],
    "order": ["#55120", "#7302", "B-9917", "31-442", "#600481", "ZX-20"],
    "name": ["Priya", "Daniel", "Fatima", "Luca", "Mei", "Kofi", "Anna", "Jorge"],
    "brand": ["Kestrel", "Nordwind", "Brightline", "Zephyr Mobile", "Halcyon Bank", "Orbit Fibre", "Samsung", "Sky"],
    "product": ["parcel", "replacement phone", "laptop", "subscription box", "headphones", "mattress", "router",
                "blender"],
}


@dataclass(frozen=True)
class Family:
    """One phenomenon: its templates, the satisfaction class they carry and the emotions they show (GoEmotions
    names; empty: the network's own emotion reading is kept)."""

    name: str
    templates: list[str]
    satisfaction: int
    emotions: tuple[str, ...] = ()


def _joined(left: list[str], right: list[str], glue: str) -> list[str]:
    return [f"{a}{glue}{b}" for a, b in product(left, right)]


PRAISE_OPENERS = ["Oh wonderful", "Great job", "Just brilliant", "Fantastic", "Lovely stuff", "Well done",
                  "Oh perfect", "Amazing work", "Superb"]
MISHAPS = ["you billed me {amount} for something I sent back", "my {product} turned up smashed",
           "order {order} has been out for delivery for nine days", "the app wiped my saved cards",
           "I got cut off after an hour in the queue", "{brand} closed my ticket without reading it",
           "you shipped me somebody else's {product}", "my refund bounced back for the second time",
           "the technician never showed up"]
SARCASTIC_CLOSERS = ["Truly outstanding.", "Best service ever.", "Couldn't be happier.", "Top notch as always.",
                     "What would I do without you.", "Ten out of ten.", "Keep up the great work.", "Bravo."]
GOOD_NEWS = ["my {product} arrived a day early!", "{name} fixed it in five minutes!", "the {amount} refund landed today!",
             "order {order} came in perfect condition!", "the new {brand} app is so much faster!",
             "the technician was early and really friendly!"]
POLITE_OPENERS = ["I value your time", "I realise you're doing your best", "Thanks for replying so fast",
                  "I appreciate you looking into it", "I've been very patient so far", "I say this respectfully",
                  "No offence to you personally", "{name}, I do appreciate the apology"]
POLITE_DEMANDS = ["I want to speak to your supervisor.", "I need this escalated today.",
                  "this is the third promise nobody has kept.", "I'm formally requesting compensation.",
                  "your answer doesn't address my problem.", "I expect the {amount} back by Friday.",
                  "I'd like a written explanation of why this happened.", "this is not good enough."]
POLITE_REQUESTS = ["would you email the invoice for order {order}?", "could you update my delivery address?",
                   "could you tell me when order {order} ships?", "could you check the {amount} payment went through?",
                   "could you move my appointment to Tuesday?", "could you add {name} as a second contact?"]
IMPATIENT = ["Hello, is anybody there?", "Why has nobody replied in five days?",
             "How much longer am I supposed to wait for order {order}?", "Do you actually read the emails people send?",
             "WHEN WILL MY REFUND ARRIVE", "WHY HAS ORDER {order} STILL NOT SHIPPED",
             "What exactly am I paying {amount} a month for?", "Can someone, anyone, give me a straight answer?",
             "Are you going to respond or not?", "How is this still not sorted?", "Is there a human I can talk to?",
             "What is the point of your support line?", "Why must I explain this again every single time?",
             "Should I just give up on getting my {product}?", "Where is the callback I was promised yesterday?",
             "Seriously, how hard is it to send a tracking number?", "Any chance of a reply this month?",
             "Is {brand} ever going to fix the outage?", "Hello?? Anyone??", "How long does a simple refund take you people?"]
PLAIN_QUESTIONS = ["What's the delivery time for order {order}?", "Is delivery to Canada possible?",
                   "How can I upgrade my {brand} plan?", "Can I pay the {amount} in two instalments?",
                   "Is the {product} covered by the warranty?", "What are your opening hours on Saturday?",
                   "Which size would you suggest for a tall person?", "Can I collect my {product} from a store?",
                   "Where do I enter a discount code?", "How do I add {name} to my account?",
                   "Is there a fee for paying by card?", "When does the {brand} sale start?",
                   "Does the {product} come with a charger?", "What's the difference between the two plans?"]
CHURN_ACTIONS = ["I'm cancelling my {brand} contract", "Please terminate my membership",
                 "I've moved my savings to another bank", "Don't bother renewing my plan",
                 "I'm porting my number to a different network", "Delete my account and stop emailing me",
                 "We're ending our subscription at the end of the month", "Consider this my last order with you",
                 "From now on I'm shopping somewhere else", "I'm leaving {brand} for good"]
CHURN_REASONS = [".", " after this.", " because of the way you treated me.", ", I've had it with the constant problems.",
                 ", this was the final straw."]
ORDER_CHANGES = ["Please cancel order {order}, I picked the wrong size.",
                 "I'd like to switch to the annual plan, it works out cheaper.",
                 "Can you cancel the duplicate order? I only meant to buy one {product}.",
                 "Please close my old savings account, I'm merging everything into the joint one.",
                 "I'm moving house next month, please transfer my {brand} broadband.",
                 "I want to cancel the extra {product} and keep the rest of order {order}.",
                 "Could you stop the newsletter? I still want order updates."]
THANKS = ["Thanks", "Thank you {name}", "Cheers", "Appreciate the quick response", "Thanks for trying",
          "Thank you for the update"]
STILL_WRONG = ["but my {product} still won't turn on.", "but I'm still being charged {amount}.",
               "but order {order} hasn't moved since Monday.", "but nothing has changed on my end.",
               "but that didn't solve it.", "but the error is back this morning.", "however I'm still locked out.",
               "but I still have no answer to my question."]
RESOLVED = ["that did the trick!", "the {amount} refund is in my account!", "order {order} arrived this morning!",
            "everything's working again!", "my {product} is as good as new!", "that answers my question perfectly!"]
NEGATED_PRAISE = ["Hard to call this good service.", "Not impressed with {brand} at all.",
                  "I'm far from satisfied with how order {order} was handled.",
                  "Honestly I couldn't recommend you to anyone.", "This is not what I'd call helpful.",
                  "I'm not pleased with the {product} in the slightest.", "Nothing about this has been easy.",
                  "That was hardly the quick fix I was promised.", "Can't pretend I'm thrilled with the {amount} fee.",
                  "Not exactly a great first month with {brand}."]
TURNED_GOOD = ["I was worried at first, but {name} sorted it quickly.",
               "It took a while, but the {product} problem is fully fixed now.",
               "I had my doubts, but the refund of {amount} arrived as promised.",
               "Not the smoothest start, but {brand} more than made up for it.",
               "I expected a long wait, yet order {order} came the next day."]
LOYAL = ["I'm renewing my {brand} plan for another year, great value.", "I'll definitely order from you again.",
         "Already recommended you to my sister, thanks {name}!", "Five stars, the {product} is exactly as described."]

FAMILIES: list[Family] = [
    Family("sarcasm", _joined(_joined(PRAISE_OPENERS, MISHAPS, ", "), SARCASTIC_CLOSERS, ". "), DISSATISFIED,
           ("annoyance", "disapproval")),
    Family("sincere praise", _joined(PRAISE_OPENERS, GOOD_NEWS, ", "), SATISFIED),
    Family("turned good", TURNED_GOOD + LOYAL, SATISFIED),
    Family("polite anger", _joined(POLITE_OPENERS, POLITE_DEMANDS, ", but "), DISSATISFIED, ("annoyance", "disapproval")),
    Family("polite request", _joined(POLITE_OPENERS[:5], POLITE_REQUESTS, ", "), NEUTRAL),
    Family("impatient question", IMPATIENT, DISSATISFIED, ("annoyance",)),
    Family("plain question", PLAIN_QUESTIONS, NEUTRAL),
    Family("churn statement", _joined(CHURN_ACTIONS, CHURN_REASONS, ""), DISSATISFIED, ("disappointment", "disapproval")),
    Family("order change", ORDER_CHANGES, NEUTRAL),
    Family("thanks, but", _joined(THANKS, STILL_WRONG, ", "), DISSATISFIED, ("disappointment", "annoyance")),
    Family("sincere thanks", _joined(THANKS, RESOLVED, ", "), SATISFIED, ("gratitude",)),
    Family("negated praise", NEGATED_PRAISE, DISSATISFIED, ("disappointment", "disapproval")),
]
FAMILY_ROWS = 120  # at most this many rows per family: short lists are used whole, long products sampled
SLOT_DRAWS = 2  # each template is filled this many times with random slot values (more rows, same share per family)


@dataclass(frozen=True)
class WrittenRow:
    """One written training row."""

    text: str
    family: str
    satisfaction: int
    emotions: tuple[str, ...]


def _fill(template: str, rng: random.Random) -> str:
    values = {slot: rng.choice(choices) for slot, choices in SLOTS.items()}
    return template.format(**values)


def phenomena_rows(seed: int = 13) -> list[WrittenRow]:
    """The written rows (deduplicated, in a stable order for a given ``seed``)."""
    rng = random.Random(seed)
    rows: dict[str, WrittenRow] = {}
    for family in FAMILIES:
        templates = rng.sample(family.templates, min(FAMILY_ROWS // SLOT_DRAWS, len(family.templates)))
        for template in templates:
            for _ in range(SLOT_DRAWS):
                text = _fill(template, rng)
                rows.setdefault(text, WrittenRow(text, family.name, family.satisfaction, family.emotions))
    return list(rows.values())


def balanced(rows: list[WrittenRow]) -> list[WrittenRow]:
    """``rows`` with each family's rows repeated so that every family weighs about ``FAMILY_ROWS`` rows."""
    by_family: dict[str, list[WrittenRow]] = {}
    for row in rows:
        by_family.setdefault(row.family, []).append(row)
    return [row for family in by_family.values() for row in family * max(1, round(FAMILY_ROWS / len(family)))]
