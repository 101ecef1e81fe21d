"""Written training rows for customer-service phenomena that no public source covers well.

Sarcasm ("Oh great, billed three times. Stellar work."), polite anger, impatient questions, churn
statements and "thanks, but ..." are read as dissatisfied; counter-examples that share their surface
(sincere thanks, "Oh great, the refund came through", polite requests, plain questions) keep the model
from learning the surface instead. Rows are built from the templates below, which were written apart from
the behavioural suite (``evaluation.checklist``): no row shares four consecutive words with any of the
suite's cases (``tests/training/test_phenomena.py`` checks it).
"""

from __future__ import annotations

from itertools import product

from training.satisfaction_data import DISSATISFIED, NEUTRAL, SATISFIED

SARCASTIC_OPENERS = ["Oh great", "Wonderful", "Just perfect", "Lovely", "Brilliant", "Awesome job", "Fantastic work"]
MISHAPS = ["my card got billed three times", "the courier left my box in the rain", "your app logged me out yet again",
           "I sat on hold for forty minutes", "the replacement is broken as well", "my booking simply vanished",
           "the invoice doubled overnight"]
SARCASTIC_CLOSERS = ["Really impressive.", "Keep it up.", "Exactly what I needed today.", "Stellar work.",
                     "What a treat.", "Thanks so much for that."]
GOOD_NEWS = ["the refund came through", "the parcel arrived a day early", "the app works again",
             "my account is unlocked now", "the new card just arrived"]
POLITE_OPENERS = ["I do appreciate the effort", "Thanks for getting back to me", "I understand things are hectic",
                  "With all due respect", "I have tried to be understanding", "I know it's not your fault"]
DEMANDS = ["this is simply not acceptable", "I want this passed to a supervisor", "I expect compensation for this",
           "I am extremely unhappy with the outcome", "I need someone senior to call me back",
           "I will be filing a formal complaint"]
POLITE_REQUESTS = ["could you also email me the receipt?", "can you confirm the new address?",
                   "please let me know when it ships.", "could you add a note to my account?"]
IMPATIENT = ["Hello?? Is somebody going to reply", "How long does it take to answer one simple email",
             "Why must I chase you every single day", "Seriously, what is taking so long",
             "Has anyone even opened my ticket", "Am I talking to a wall here", "WHY IS NOBODY GETTING BACK TO ME",
             "HOW HARD CAN IT BE TO SEND A PARCEL", "Any update at all or should I just give up",
             "Do you people ever pick up the phone", "Still waiting on a reply from anyone",
             "Is this helpline staffed at all", "How many days until somebody answers",
             "Do I need to drive to your office to get an answer"]
PLAIN_QUESTIONS = ["How long does shipping to Spain usually take", "Which plan includes international calls",
                   "Can I pick the order up in store", "What time does the helpline open on Sundays",
                   "Is there a student discount", "Where can I find my order history", "Does the jacket come in green",
                   "Can I pay by bank transfer", "Is the warranty two years or three", "How do I reset my PIN"]
QUESTION_ENDINGS = ["?", "??", "? Thanks"]
CHURN = ["I am closing my account today", "Consider this my notice, I'm moving to another bank",
         "Unsubscribe me and delete my account", "I'm done, cancelling my membership now",
         "You have lost a loyal customer", "I'm taking my money somewhere else", "Not renewing, switching providers",
         "Time to find a company that actually cares, goodbye"]
CHURN_ACTIONS = ["I'm cancelling my plan", "Close my account", "I'm switching to a competitor", "I won't be renewing",
                 "I'm moving my business elsewhere", "Terminate my contract"]
CHURN_ENDINGS = [".", " after this mess.", " effective immediately.", ", I've had enough."]
THANKS = ["Thanks for the quick reply", "Appreciate the help", "Thank you for checking",
          "Cheers for looking into it", "Thanks for the update"]
STILL_BROKEN = ["the issue is still there", "nothing has changed on my side", "I am still being charged",
                "the parcel has still not turned up", "the error came back this morning", "that did not fix it"]
RESOLVED = ["that sorted it", "everything works now", "the money is back in my account", "all good now"]
MONEY_BACK = ["the refund of $35 is in my account", "I got the £12 back", "the €60 credit showed up",
              "you refunded the 20 dollars already"]


def phenomena_rows() -> tuple[list[str], list[int]]:
    """The written rows and their satisfaction classes (dissatisfied / neutral / satisfied)."""
    rows: list[tuple[str, int]] = []
    rows += [(f"{o}, {m}. {c}", DISSATISFIED) for o, m, c in product(SARCASTIC_OPENERS, MISHAPS, SARCASTIC_CLOSERS)
             if (len(o) + len(m) + len(c)) % 3 == 0]  # a third of the combinations
    rows += [(f"{o}, {g}!", SATISFIED) for o, g in product(SARCASTIC_OPENERS, GOOD_NEWS)]
    rows += [(f"{p}, but {d}.", DISSATISFIED) for p, d in product(POLITE_OPENERS, DEMANDS)]
    rows += [(f"{p}, {r}", NEUTRAL) for p, r in product(["Thanks for getting back to me", "Many thanks for your help",
                                                          "Hi there", "Good morning"], POLITE_REQUESTS)]
    rows += [(f"{q}{e}", DISSATISFIED) for q, e in product(IMPATIENT, QUESTION_ENDINGS)]
    rows += [(f"{q}{e}", NEUTRAL) for q, e in product(PLAIN_QUESTIONS, QUESTION_ENDINGS)]
    rows += [(f"{c}.", DISSATISFIED) for c in CHURN]
    rows += [(f"{a}{e}", DISSATISFIED) for a, e in product(CHURN_ACTIONS, CHURN_ENDINGS)]
    rows += [(f"{t}, but {s}.", DISSATISFIED) for t, s in product(THANKS, STILL_BROKEN)]
    rows += [(f"{t}, {r}!", SATISFIED) for t, r in product(THANKS, RESOLVED)]
    rows += [(f"{t}, {m}.", SATISFIED) for t, m in product(THANKS, MONEY_BACK)]
    return [text for text, _ in rows], [cls for _, cls in rows]
