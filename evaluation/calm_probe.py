"""A probe of calm questions about one's own account, order or booking, beside impatient ones of the same shape:
the false alarms a support floor sees when a calm question reads dissatisfied and angry (enough to raise an
``intensity_spike`` alert). Written on 2026-12-06 before any figure of the thirty-fifth round's candidate
(docs/benchmarks.md), by a writer who had not seen the written corpus; an evaluation set: no text of it is a corpus
or suite text (a test checks: "How do I change the email address on my account?", a corpus train row word for word,
was taken out on 2026-12-07; every model measured read it neutral without anger, so no count changed; 30 calm
questions became 29); five share a common six-word phrase with a corpus row ("could you tell me when my").

    python -m emotrace.evaluation.calm_probe [--model DIR ...]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from emotrace.model.classifier import EmotionClassifier
from emotrace.model.reading import Reading
from emotrace.paths import DEFAULT_MODEL_DIR

CALM = [
    "When is my next bill due?",
    "Could you tell me when my contract renews?",
    "What time does my delivery usually arrive on Saturdays?",
    "Is my booking for the 14th a double or a twin room?",
    "Can I add a second driver to my rental reservation?",
    "Which card is my subscription currently charged to?",
    "Hi, what's the baggage allowance on my flight to Lisbon?",
    "Where can I find my invoice from last month?",
    "Does my plan include international roaming?",
    "How many loyalty points do I have at the moment?",
    "Could you confirm my appointment is at 10am on Thursday?",
    "What's the tracking number for order 55123?",
    "When will my new card be posted out?",
    "Is it possible to pay my bill by direct debit instead?",
    "hey, what's the wifi password policy for my home router setup?",
    "Can you tell me which seat I have on tomorrow's train?",
    "How long does a standard transfer to my savings account take?",
    "Is breakfast included in my hotel booking?",
    "Could I move my delivery to next week, please?",
    "What size did I order for the blue jacket?",
    "Do I need to print my boarding pass or is the app fine?",
    "When does my free trial end?",
    "What's the minimum payment on my credit card this month?",
    "Can I pick up my order from the store instead?",
    "How do I download my statements as PDFs?",
    "Which address is my parcel going to?",
    "Is there a fee for changing the date of my stay?",
    "Could you let me know what my data allowance is?",
    "What documents do I need to bring to my car service appointment?",
]
IMPATIENT = [
    "When is my refund actually going to arrive? It's been three weeks.",
    "How many more times do I have to ask where my order is??",
    "Why is my bill due again when I already paid it twice?",
    "When exactly is someone going to fix my broken internet? Day five now.",
    "Where is my parcel? You said Monday, it's Friday.",
    "Is anyone ever going to answer my email about the double charge?",
    "How long am I supposed to wait for my new card, a month?",
    "When will my booking finally be confirmed, I've called four times",
    "Why does my account still say suspended after you promised it was sorted?",
    "What is taking so long with my replacement? Seriously.",
]


def probe_figures(classifier: EmotionClassifier) -> dict[str, int]:
    """How many calm questions read dissatisfied, with Ekman anger at 0.5 or more and at 0.7 or more; how many
    impatient ones read dissatisfied."""
    calm, impatient = classifier.predict(CALM), classifier.predict(IMPATIENT)

    def anger(reading: Reading) -> float:
        return reading.views["ekman"].probabilities["anger"]

    return {"calm_dissatisfied": sum(r.satisfaction_class == "dissatisfied" for r in calm),
            "calm_anger_0.5": sum(anger(r) >= 0.5 for r in calm),
            "calm_anger_0.7": sum(anger(r) >= 0.7 for r in calm),
            "impatient_dissatisfied": sum(r.satisfaction_class == "dissatisfied" for r in impatient)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, action="append", help="model directory (repeat; default: the shipped)")
    for model in parser.parse_args().model or [DEFAULT_MODEL_DIR]:
        figures = probe_figures(EmotionClassifier.from_pretrained(model))
        print(f"{model}: calm ({len(CALM)}) read dissatisfied {figures['calm_dissatisfied']}, Ekman anger >= 0.5 "
              f"{figures['calm_anger_0.5']}, >= 0.7 {figures['calm_anger_0.7']}; impatient ({len(IMPATIENT)}) read "
              f"dissatisfied {figures['impatient_dissatisfied']}")


if __name__ == "__main__":
    main()
