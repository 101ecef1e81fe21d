"""Which language a text is in, so that a reading of a non-English text says so instead of reading as neutral.

The model reads English. Detection uses ``lingua`` (offline, models inside the wheel) over a fixed set of
common languages, in its low-accuracy mode (0.04 ms a text on this machine, texts read in parallel). Short texts ("meh", "Got it,
thanks.") are too short to tell and count as English; a text is called another language only when it has
at least ``MIN_WORDS`` words and ``MIN_LETTERS`` letters and that language is near-certain. Chinese and Japanese
put no spaces between words: each of their characters counts as a word and as a letter.

The low-accuracy mode is near-certain of the wrong language on some short English messages ("My solicitor will be
in touch." French 0.91; 27 of the 13,690 written-corpus messages): a text it calls another language stays English
when it holds more of spaCy's English stop words than of that language's (the high-accuracy mode gets these right
too, but holds 340 MB more).
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from functools import lru_cache

from lingua import ConfidenceValue, Language, LanguageDetector, LanguageDetectorBuilder

ENGLISH = "en"
MIN_WORDS = 3
MIN_LETTERS = 12
MIN_CONFIDENCE = 0.9
CANDIDATES = (Language.ENGLISH, Language.SPANISH, Language.FRENCH, Language.GERMAN, Language.ITALIAN,
              Language.PORTUGUESE, Language.DUTCH, Language.POLISH, Language.TURKISH, Language.RUSSIAN,
              Language.ARABIC, Language.CHINESE, Language.JAPANESE, Language.KOREAN, Language.HINDI,
              Language.INDONESIAN, Language.SWEDISH, Language.DANISH, Language.UKRAINIAN, Language.VIETNAMESE)


@dataclass(frozen=True)
class LanguageGuess:
    """An ISO 639-1 code, the detector's confidence in it, and the language's English name."""

    code: str
    confidence: float
    name: str


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*CANDIDATES).with_low_accuracy_mode() \
        .with_preloaded_language_models().build()


UNSPACED = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")  # kana, Han


def _too_short(text: str) -> bool:
    unspaced = len(UNSPACED.findall(text))
    return (len(text.split()) + unspaced < MIN_WORDS
            or sum(map(str.isalpha, text)) + unspaced < MIN_LETTERS)


WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


@lru_cache(maxsize=len(CANDIDATES))
def _stop_words(code: str) -> frozenset[str]:
    """spaCy's stop words of a language (shipped with spaCy itself, no model needed)."""
    return frozenset(importlib.import_module(f"spacy.lang.{code}.stop_words").STOP_WORDS)


def _more_english_words(text: str, code: str) -> bool:
    """Whether ``text`` holds more English stop words than stop words of the language ``code``."""
    words = [w.replace("’", "'") for w in WORD.findall(text.lower())]
    return sum(w in _stop_words(ENGLISH) for w in words) > sum(w in _stop_words(code) for w in words)


def _guess(text: str, values: list[ConfidenceValue]) -> LanguageGuess:
    best = values[0]
    code = best.language.iso_code_639_1.name.lower()
    if code == ENGLISH or best.value < MIN_CONFIDENCE or _more_english_words(text, code):
        return LanguageGuess(ENGLISH, best.value if code == ENGLISH else 1.0 - best.value, "English")
    return LanguageGuess(code, best.value, best.language.name.title())


# Links, e-mail addresses and @handles are no words of any language ("amazon.com" read as Portuguese).
NOT_WORDS = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+|@\w+", re.IGNORECASE)


def detect_languages(texts: list[str]) -> list[LanguageGuess]:
    """The language of each text, its links, e-mail addresses and handles left out: English unless another language
    is near-certain (see module doc). The texts long enough to tell are read by the detector together, on every
    core."""
    texts = [NOT_WORDS.sub(" ", text) for text in texts]
    asked = [i for i, text in enumerate(texts) if not _too_short(text)]
    guesses = [LanguageGuess(ENGLISH, 0.0, "English")] * len(texts)
    if asked:
        values = _detector().compute_language_confidence_values_in_parallel([texts[i].lower() for i in asked])
        for i, found in zip(asked, values, strict=True):
            guesses[i] = _guess(texts[i], found)
    return guesses


def language_warning(guess: LanguageGuess) -> str | None:
    """The warning a reading carries for a non-English text (None for English)."""
    if guess.code == ENGLISH:
        return None
    return (f"W001 non_english: the text reads as {guess.name} ({guess.code}, confidence {guess.confidence:.2f}); "
            f"the model reads English, so this reading is unreliable.")
