from __future__ import annotations

import pytest
from transformers import AutoTokenizer

from emotrace.text.normalize import contains_emoji, normalize_text
from emotrace.training.modeling import base_encoder_path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("😊", "smiling face with smiling eyes happy"),
        ("☹️", "frowning face sad"),
        ("☹", "frowning face sad"),
        ("😠", "angry face angry"),
        ("🤬", "face with symbols on mouth angry"),
        ("great😊", "great smiling face with smiling eyes happy"),
        ("👍🏽 thanks", "thumbs up good thanks"),
        ("🏳️‍🌈", "rainbow flag"),
        (":)", "smiling face happy"),
        (":(", "frowning face sad"),
        (":'(", "crying face sad"),
        ("<3", "red heart love"),
        ("love it <3 :D", "love it red heart love grinning face happy"),
    ],
)
def test_emoji_and_emoticons_become_words(text: str, expected: str) -> None:
    assert normalize_text(text) == expected


def test_zwj_family_is_one_name() -> None:
    assert normalize_text("👨‍👩‍👧") == "family man woman girl"


def test_customer_service_noise_is_masked() -> None:
    text = "@AcmeHelp order #12345 still missing!!!! see https://x.io/a or mail me@ex.com sooooo bad"
    assert normalize_text(text) == "@user order number still missing!! see link or mail email address soo bad"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("THIS IS UNACCEPTABLE!!!", "shouting THIS IS UNACCEPTABLE!!"),
        ("I CAN'T BELIEVE IT", "shouting I CAN'T BELIEVE IT"),
        ("please help, NOBODY ANSWERS", "please help, shouting NOBODY ANSWERS"),
        ("I used the ATM in the USA", "I used the ATM in the USA"),  # acronyms are not shouting
        ("USA ATM FAQ", "USA ATM FAQ"),
        ("XXXX XXXX bank charged me", "XXXX XXXX bank charged me"),  # CFPB redaction masks: not shouting
        ("I am SO angry", "I am SO angry"),  # one word is emphasis, not shouting
    ],
)
def test_all_caps_spans_get_a_shouting_cue(text: str, expected: str) -> None:
    assert normalize_text(text) == expected


@pytest.mark.parametrize("text", ["On XX/XX/XXXX my card ending XXXX was charged {$XXXX.XX}.", "Dear XXXX XXXX,"])
def test_cfpb_redaction_masks_are_kept_whole(text: str) -> None:
    """Masks stand for removed names, dates and amounts; the elongation rule ("soooo" -> "soo") leaves them be."""
    assert normalize_text(text) == text


def test_elongations_are_still_shortened() -> None:
    assert normalize_text("sooooo goooood, NOOOOO") == "soo good, NOO"


def test_plain_text_and_times_are_untouched() -> None:
    assert normalize_text("Meet at 10:30 (today).") == "Meet at 10:30 (today)."


def test_no_unknown_tokens_for_emoji_only_texts() -> None:
    tokenizer = AutoTokenizer.from_pretrained(base_encoder_path())
    for text in ["😡", "😭😭", "🙏🏻", "🤬🤬🤬", "❤️‍🔥"]:
        ids = tokenizer(normalize_text(text))["input_ids"]
        assert tokenizer.unk_token_id not in ids, text
        assert len(ids) > 2, text


def test_contains_emoji() -> None:
    assert contains_emoji("ok 👍")
    assert contains_emoji("fine :)")
    assert not contains_emoji("fine, thanks")


# Found by a read-only review of the text pipeline (2026-12-06): each failed on the code before its fix.

@pytest.mark.parametrize(("text", "kept"), [
    ("I was charged 1000 instead of 100", "1000 instead of 100"), ("$2000", "$2000"),
    ("1,000,000", "1,000,000"), ("call 0800 000 0000", "0800 000 0000")])
def test_numbers_are_not_shortened_as_elongated_words(text, kept) -> None:
    assert kept in normalize_text(text)
    assert normalize_text("sooooo slowwww") == "soo sloww"  # letters still are


@pytest.mark.parametrize("text", ["promised delivery in <3 days", "under <3 hours", "<3 weeks", "in <3.5 hours"])
def test_less_than_a_quantity_is_not_a_heart(text) -> None:
    assert "heart" not in normalize_text(text)
    assert "heart" in normalize_text("love you guys <3") and "heart" in normalize_text("<3 <3")


@pytest.mark.parametrize(("text", "cue"), [("Thanks:)", "smiling"), ("not happy:(", "frowning"), ("ok:/", "confused"),
                                           ("love it<3", "heart")])
def test_an_emoticon_attached_to_a_word_is_a_cue(text, cue) -> None:
    assert cue in normalize_text(text) and contains_emoji(text)
    assert "confused" not in normalize_text("at 10:30/11:00") and "face" not in normalize_text("ratio 3:1")


# Found by a read-only review of text handling (2026-12-07): each failed on the code before its fix.

@pytest.mark.parametrize("text", ["Items received (all of them): perfect", "Delivery update (as promised): here",
                                  "Order MAXD2 arrived", "the MAXD model"])
def test_a_bracket_before_a_colon_or_letters_before_xd_are_no_face(text) -> None:
    assert "face" not in normalize_text(text)
    assert "frowning" in normalize_text("so sad ): really") and "laughing" in normalize_text("lol XD")


def test_fullwidth_letters_and_zero_width_spaces_read_as_the_words_they_show() -> None:
    assert normalize_text("ＴＨＩＳ ＩＳ ＴＥＲＲＩＢＬＥ") == normalize_text("THIS IS TERRIBLE")
    assert normalize_text("I\u200bam\u200bso\u200bangry") == "I am so angry"
    assert normalize_text("１２：３０") == "12:30"  # fullwidth digits and colon too
