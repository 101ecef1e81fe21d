"""Text normalization shared by training and serving.

The MiniLM WordPiece vocabulary maps almost every emoji to ``[UNK]``, so emoji and emoticons are turned
into the words that name them (``😠`` -> ``angry face``). Customer-service noise that carries no emotion
(URLs, e-mail addresses, @handles, order numbers) is masked to one placeholder word, elongations are
shortened and runs of punctuation are capped. The MiniLM tokenizer is uncased, so shouting (two or more
all-caps words, "THIS IS UNACCEPTABLE") would be lost: the span is prefixed with the cue word ``shouting``.
One function, :func:`normalize_text`, is used everywhere.
"""

from __future__ import annotations

import re
import unicodedata

import emoji

# Emoticons, longest first so that ":'(" wins over ":(" and ">:(" over ":(".
EMOTICONS: dict[str, str] = {
    ">:-(": "angry face",
    ">:(": "angry face",
    ":'-(": "crying face",
    ":'(": "crying face",
    ":'-)": "face with tears of joy",
    ":')": "face with tears of joy",
    ":-))": "grinning face",
    ":-)": "smiling face",
    ":)": "smiling face",
    "(:": "smiling face",
    "=)": "smiling face",
    ":-D": "grinning face",
    ":D": "grinning face",
    "xD": "laughing face",
    "XD": "laughing face",
    ";-)": "winking face",
    ";)": "winking face",
    ":-(": "frowning face",
    ":(": "frowning face",
    "=(": "frowning face",
    "):": "frowning face",
    ":-/": "confused face",
    ":/": "confused face",
    ":-|": "neutral face",
    ":|": "neutral face",
    ":-P": "face with tongue",
    ":P": "face with tongue",
    ":p": "face with tongue",
    ":-O": "surprised face",
    ":O": "surprised face",
    ":o": "surprised face",
    "</3": "broken heart",
    "<3": "red heart",
}
# Emotion cue words for emoji whose name alone reads as neutral to the encoder ("face with symbols on
# mouth"): the cue follows the name, so "🤬" reads "face with symbols on mouth angry". Keyed by the
# emoji package's English name, so every skin-tone / variation-selector form gets the same cue.
EMOJI_CUES: dict[str, str] = {
    **dict.fromkeys(["angry face", "enraged face", "pouting face", "face with symbols on mouth", "angry face with horns",
                     "anger symbol", "face with steam from nose"], "angry"),
    **dict.fromkeys(["crying face", "loudly crying face", "disappointed face", "pensive face", "frowning face",
                     "slightly frowning face", "broken heart", "sad but relieved face", "crying cat"], "sad"),
    **dict.fromkeys(["fearful face", "face screaming in fear", "anxious face with sweat", "cold sweat"], "scared"),
    **dict.fromkeys(["nauseated face", "face vomiting"], "disgusted"),
    **dict.fromkeys(["astonished face", "face with open mouth", "hushed face", "exploding head"], "surprised"),
    **dict.fromkeys(["unamused face", "face with rolling eyes", "weary face", "tired face"], "annoyed"),
    **dict.fromkeys(["smiling face with smiling eyes", "grinning face", "beaming face with smiling eyes",
                     "grinning face with big eyes", "grinning face with smiling eyes", "grinning squinting face",
                     "smiling face", "slightly smiling face", "party popper"], "happy"),
    **dict.fromkeys(["face with tears of joy", "rolling on the floor laughing"], "funny"),
    **dict.fromkeys(["smiling face with hearts", "smiling face with heart-eyes", "red heart", "two hearts",
                     "face blowing a kiss", "growing heart", "sparkling heart"], "love"),
    "folded hands": "thanks",
    "thumbs up": "good",
    "thumbs down": "bad",
}
# An emoticon may follow a word ("Thanks:)") but not a digit, colon or slash (times, ratios and paths: "10:30/11",
# "3:1"); "<3" before a number or a unit of time is "less than" ("in <3 days"), not a heart.
_QUANTITY_AFTER = r"(?!\s*(?:[\d.,]|(?:sec|second|min|minute|hr|hour|day|week|month|year)s?\b))"
# A face that starts like the end of a word or a bracket ("them): ...", "MAXD") is one only after no letter.
_NOT_AFTER_A_LETTER = frozenset({"):", "xD", "XD"})
_EMOTICON_RE = re.compile(
    r"(?<![\d_:/])(" + "|".join((r"(?<![^\W\d_])" if e in _NOT_AFTER_A_LETTER else "") + re.escape(e)
                                  + (_QUANTITY_AFTER if e == "<3" else "") for e in EMOTICONS)
    + r")(?![\w/])"
)
# Fullwidth forms of ASCII (U+FF01-FF5E) and the ideographic space read as the characters they show (the tokenizer
# knows no fullwidth letter); a zero-width space is the word break it shows.
_AS_SHOWN: dict[int, int | str] = {**{code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}, 0x3000: " ", 0x200B: " "}
_SKIN_TONE_RE = re.compile("[\U0001f3fb-\U0001f3ff]")
_VARIATION_SELECTOR_RE = re.compile("[\ufe0e\ufe0f\u200d]")
_URL_RE = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+\.[\w.-]+\b")  # from a run's start: linear in "a.a.a..."
_HANDLE_RE = re.compile(r"(?<![\w@])@\w{1,30}")
_ORDER_NUMBER_RE = re.compile(r"#\d+|\b(?=[A-Z-]{0,40}\d)[A-Z0-9-]*\d[A-Z0-9-]{4,}\b")  # a digit in 40: linear
_HASHTAG_RE = re.compile(r"(?<![\w#])#([A-Za-z]\w*)")
_ELONGATION_RE = re.compile(r"(?!X)([^\W\d_])\1{2,}")  # letters only ("1000" is a number); not CFPB masks ("XXXX")
_PUNCT_RUN_RE = re.compile(r"([!?.])\1{2,}")
_SPACES_RE = re.compile(r"\s+")
# Two or more all-caps words with 8+ letters in all, one of them 4+ long (so "USA ATM FAQ" is not
# shouting). CFPB-style redaction masks ("XXXX") are not shouting either.
_CAPS_WORD = r"(?!X+\b)[A-Z][A-Z']*"
_SHOUTING_RE = re.compile(rf"\b{_CAPS_WORD}(?:[\s,.!?-]+{_CAPS_WORD}\b)+")


def emoji_name(data: dict[str, str]) -> str:
    """The English name of an emoji from its ``emoji.EMOJI_DATA`` entry (``:angry_face:`` -> ``angry face``)."""
    return data["en"].strip(":").replace("_", " ")


def _with_cue(name: str) -> str:
    cue = EMOJI_CUES.get(name)
    return f"{name} {cue}" if cue else name


def _emoji_to_words(_chars: str, data: dict[str, str]) -> str:
    return f" {_with_cue(emoji_name(data))} "


def _mark_shouting(match: re.Match[str]) -> str:
    span = match.group(0)
    loud = sum(c.isalpha() for c in span) >= 8 and any(len(word) >= 4 for word in re.findall(r"[A-Z']+", span))
    return f"shouting {span}" if loud else span


def normalize_text(text: str) -> str:
    """Return ``text`` with emoji, emoticons and customer-service noise turned into plain words.

    Used identically by training and serving; it never raises on any ``str`` input.
    """
    if not text.isascii():
        text = text.translate(_AS_SHOWN)
    text = _URL_RE.sub(" link ", text)
    text = _EMAIL_RE.sub(" email address ", text)
    text = _HANDLE_RE.sub(" @user ", text)
    text = _ORDER_NUMBER_RE.sub(" number ", text)
    text = _HASHTAG_RE.sub(r" \1 ", text)
    text = _SHOUTING_RE.sub(_mark_shouting, text)
    text = _EMOTICON_RE.sub(lambda m: f" {_with_cue(EMOTICONS[m.group(1)])} ", text)
    if not text.isascii():  # emoji are never ASCII; the emoji scanner is the costliest step otherwise
        text = _SKIN_TONE_RE.sub("", text)
        text = emoji.replace_emoji(text, replace=_emoji_to_words)
        text = _VARIATION_SELECTOR_RE.sub("", text)
    text = _ELONGATION_RE.sub(r"\1\1", text)
    text = _PUNCT_RUN_RE.sub(r"\1\1", text)
    return _SPACES_RE.sub(" ", text).strip()


def contains_emoji(text: str) -> bool:
    """True when ``text`` holds at least one emoji or emoticon cue."""
    return emoji.emoji_count(text) > 0 or _EMOTICON_RE.search(text) is not None


def model_text_key(text: str) -> str:
    """What the model reads of ``text``, to match repeats by: :func:`normalize_text` (spacing collapsed; emoji, noise
    and shouting turned into words), lower-cased and without accents as the uncased tokenizer reads it. "I am so
    angry" and "i am  so angry" are one text; "I AM SO ANGRY" (read "shouting I AM SO ANGRY") is another."""
    decomposed = unicodedata.normalize("NFD", normalize_text(text).lower())
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
