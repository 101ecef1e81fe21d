"""Which language a text is in, so that a reading of a non-English text says so instead of reading as neutral.

The model reads English. Detection uses ``lingua`` (offline, models inside the wheel) over a fixed set of
common languages, in its low-accuracy mode (0.04 ms a text on this machine, texts read in parallel). Short texts ("meh", "Got it,
thanks.") are too short to tell and count as English; a text is called another language only when it has
at least ``MIN_WORDS`` words and ``MIN_LETTERS`` letters and that language is near-certain. Chinese, Japanese, Thai,
Lao, Khmer and Burmese put no spaces between words: each of their characters counts as a word and as a letter. Styled
letters (fullwidth, mathematical bold "𝐓𝐡𝐢𝐬") are read as the letters they style (NFKC).

A text most of whose letters are of a script none of the candidates uses (the detector names none of them) is named
by its script where one language of ``lingua`` owns it (Greek, Hebrew, Thai, Armenian, Georgian, Bengali, Gujarati,
Punjabi, Tamil, Telugu: named from their letters alone), else undetermined (``und``, the ISO 639-2 code): either way not
English.

The low-accuracy mode is near-certain of the wrong language on some short English messages ("My solicitor will be
in touch." French 0.91; 27 of the 13,690 written-corpus messages): a text it calls another language stays English
when it holds more of spaCy's English stop words than of that language's (the high-accuracy mode gets these right
too, but holds 340 MB more).
"""

from __future__ import annotations

import importlib
import re
import unicodedata
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
# The scripts the candidates are written in, as the Unicode names of their letters start ("CJK UNIFIED IDEOGRAPH-4E00").
CANDIDATE_SCRIPTS = frozenset(["LATIN", "CYRILLIC", "ARABIC", "DEVANAGARI", "CJK", "HIRAGANA", "KATAKANA", "HANGUL"])
# Languages written in a script of their own that no candidate uses: a text in such a script is named by it alone.
OWN_SCRIPT = (Language.GREEK, Language.HEBREW, Language.THAI, Language.ARMENIAN, Language.GEORGIAN, Language.BENGALI,
              Language.GUJARATI, Language.PUNJABI, Language.TAMIL, Language.TELUGU)


@dataclass(frozen=True)
class LanguageGuess:
    """An ISO 639-1 code (``und`` where the script names no language, see module doc), the detector's confidence in
    it, and the language's English name."""

    code: str
    confidence: float
    name: str


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*CANDIDATES).with_low_accuracy_mode() \
        .with_preloaded_language_models().build()


@lru_cache(maxsize=1)
def _script_detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*OWN_SCRIPT).with_low_accuracy_mode().build()


# Scripts written without spaces between words: Thai, Lao, Myanmar, Khmer, kana, Han
UNSPACED = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


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


def _named(found: ConfidenceValue) -> LanguageGuess:
    return LanguageGuess(found.language.iso_code_639_1.name.lower(), found.value, found.language.name.title())


UNDETERMINED = LanguageGuess("und", 1.0, "an undetermined language")
SCRIPT = re.compile("[A-Z]+")  # the first word of a letter's Unicode name


def _other_script(text: str) -> bool:
    """Whether most letters of ``text`` are of scripts none of the candidates is written in."""
    scripts = [SCRIPT.match(unicodedata.name(ch, "")) for ch in text if ch.isalpha()]
    return 2 * sum(s is None or s.group() not in CANDIDATE_SCRIPTS for s in scripts) > len(scripts)


def _guess(text: str, values: list[ConfidenceValue]) -> LanguageGuess:
    best = values[0]
    if best.value == 0.0 and _other_script(text):  # the detector names none of the candidates: none writes it
        by_script = _script_detector().compute_language_confidence_values(text)[0]
        return _named(by_script) if by_script.value > 0.0 else UNDETERMINED
    code = best.language.iso_code_639_1.name.lower()
    if code == ENGLISH or best.value < MIN_CONFIDENCE or _more_english_words(text, code):
        return LanguageGuess(ENGLISH, best.value if code == ENGLISH else 1.0 - best.value, "English")
    return _named(best)


# Links, e-mail addresses and @handles are no words of any language ("amazon.com" read as Portuguese).
NOT_WORDS = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+|@\w+", re.IGNORECASE)


def detect_languages(texts: list[str]) -> list[LanguageGuess]:
    """The language of each text, its links, e-mail addresses and handles left out: English unless another language
    is near-certain or most letters are of a script no candidate uses (see module doc). The texts long enough to tell are read
    by the detector together, on every core."""
    texts = [NOT_WORDS.sub(" ", unicodedata.normalize("NFKC", text)) for text in texts]
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
