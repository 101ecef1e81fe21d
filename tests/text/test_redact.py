"""Redaction before storage: each kind of personal data the issues found stored raw, numbers and words that are not
personal data left alone, no input that takes quadratic time, and recall/precision per kind on the built set and
on the hand-written messages of data/pii (their test half: the rules were tuned on the dev half)."""

from __future__ import annotations

import time

import pytest

from emotrace.evaluation.pii import score
from emotrace.evaluation.pii_cases import pii_cases, written_cases
from emotrace.text.redact import redact


@pytest.mark.parametrize(("text", "expected"), [
    ("refund to gb82 west 1234 5698 7654 32 please", "refund to [IBAN] please"),
    ("IBAN DE89370400440532013000.", "IBAN [IBAN]."),
    ("write to jane(at)example.com", "write to [EMAIL]"),
    ("write to jane [at] example [dot] com now", "write to [EMAIL] now"),
    ("JANE.DOE@EXAMPLE.COM", "[EMAIL]"),
    ("call 555-1234 tonight", "call [PHONE] tonight"),
    ("call +44 20 7946 0958 or (415) 555-2671", "call [PHONE] or [PHONE]"),
    ("card 4111.1111.1111.1111 exp 09/27 cvv 123", "card [CARD] exp [CARD_EXPIRY] cvv [CARD_CVV]"),
    ("amex 3782-822463-10005, security code 4321", "amex [CARD], security code [CARD_CVV]"),
    # issue 29: obfuscated e-mails, SSNs and IP addresses came out raw or as [PHONE]; names, addresses, birth dates raw
    ("mail jane (at) example dot com or john at example dot com", "mail [EMAIL] or [EMAIL]"),
    ("it's tom dot baker at gmail dot com", "it's [EMAIL]"),
    ("SSN 123-45-6789, my wife's is 123 45 6790", "SSN [SSN], my wife's is [SSN]"),
    ("logged in from 203.0.113.7 and 2001:db8::1", "logged in from [IP] and [IP]"),
    ("DOB: 12/05/1984", "DOB: [DOB]"), ("I was born on May 3rd, 1990.", "I was born on [DOB]."),
    ("My name is Sam Patel and your agent Marco was rude", "My name is [NAME] and your agent [NAME] was rude"),
    ("Regards,\nAmara Diallo", "Regards,\n[NAME]"), ("this is priya from billing", "this is [NAME] from billing"),
    ("ship to 221B Baker Street, London NW1 6XE please", "ship to [ADDRESS] please"),
    ("neue Adresse: Hauptstraße 5, 10115 Berlin", "neue Adresse: [ADDRESS]"),
    ("1600 Pennsylvania Ave NW, Washington, DC 20500", "[ADDRESS]"),
])
def test_personal_data_is_replaced_by_its_tag(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize("text", [
    "order 4411 still not here after 3 weeks", "ticket #5551234 and order #555-1234", "paid $1,234.56 on 2024-03-05",
    "4111 1111 1111 1112 is not a valid card",
    "my order number is 1001-2002-3003", "call me at 5 pm", "back on 12/05/2024",
    "I looked at amazon.com", "updated to version 2.13.0.1", "at 10:45:30 it failed", "ordered on 12/05/2024",
    "Will you call me back?", "Grace period ended", "the store on Main Street", "Bill me later", "see you in May",
    "order 123-45-6789 is late",
])
def test_numbers_that_are_not_personal_data_are_kept(text: str) -> None:
    assert redact(text) == text


def test_only_checksum_valid_ibans_are_ibans() -> None:
    assert "[IBAN]" not in redact("GB00 WEST 1234 5698 7654 32 has a wrong checksum")


def test_recall_and_precision_per_kind_on_the_labelled_set() -> None:
    report = score(pii_cases(per_kind=36, seed=1))  # seed 1: values the rules were not written against
    for kind in ("email", "phone", "card", "card_expiry", "card_security_code", "iban", "ssn", "ip", "dob"):
        assert report[kind]["recall"] >= 0.95, (kind, report[kind])
        assert report[kind]["precision"] >= 0.95, (kind, report[kind])


def test_hand_written_messages_test_half() -> None:
    """Floors a little under the figures in docs/benchmarks.md ("Redaction"), so a regression fails."""
    report = score(written_cases("test"))
    assert report["covered"]["labelled"] >= 150
    assert report["covered"]["recall"] >= 0.85 and report["covered"]["precision"] >= 0.9, report["covered"]
    for kind in ("email", "ssn", "ip", "dob"):
        assert report[kind]["recall"] >= 0.9, (kind, report[kind])
    assert report["name"]["recall"] >= 0.75 and report["address"]["recall"] >= 0.8, report


@pytest.mark.parametrize("text", ["a." * 10_000 + "x", "a dot " * 3_000, "x (at) " * 3_000, "12 Ab " * 3_000,
                                  "a@" * 10_000, "born " * 4_000, "Maria " * 3_000])
def test_long_hostile_text_is_redacted_in_linear_time(text: str) -> None:
    """20,000-character texts built to make patterns backtrack: the e-mail pattern took 12 s on the first."""
    started = time.perf_counter()
    redact(text)
    assert time.perf_counter() - started < 3.0


@pytest.mark.parametrize("text", ["x" + "\n" * 8_000 + "x", "x" + " " * 30_000 + "x", "A-" * 15_000, "a." * 15_000])
def test_runs_of_blank_lines_spaces_and_short_words_are_read_in_linear_time(text: str) -> None:
    """Found by a review: five patterns rescanned a run from every position in it (a sign-off line's leading
    whitespace, a spelled "at", an order number's look-ahead, an e-mail's user part, a sentence break, a German street
    name): one 20,000-character message took about 40 s to redact, with the interpreter lock held."""
    from emotrace.text.clauses import split_clauses
    from emotrace.text.normalize import normalize_text

    for read in (redact, normalize_text, split_clauses):
        started = time.perf_counter()
        read(text)
        assert time.perf_counter() - started < 1.0, read.__name__


@pytest.mark.parametrize("text", ["I speak French and the agent only spoke German.", "Happy Easter to the team",
                                  "The Max plan is too expensive", "the Silver edition broke", "Bank of America "
                                  "charged me twice", "Shipping to Asia took ages", "sent via Royal Mail"])
def test_languages_holidays_places_and_plan_names_are_not_redacted_as_names(text: str) -> None:
    """Found by a review: each of these came back with [NAME] in place of an ordinary word."""
    assert redact(text) == text


@pytest.mark.parametrize("text", ["Ruf mich an: 0171/1234567", "In that case call me on +44 7700 900123",
                                  "cancel my account and call me at 07700 900123", "about the order call 07700 900123"])
def test_a_phone_number_after_a_reference_word_or_with_a_slash_is_redacted(text: str) -> None:
    """Found by a review: a slash broke the match, and a number up to 12 characters after "case", "order" or
    "account" was taken for a reference number: each came back unredacted."""
    assert "[PHONE]" in redact(text) and not any(ch.isdigit() for ch in redact(text).split("[PHONE]")[-1])


@pytest.mark.parametrize("text", ["order 12345678 is late", "order no. 1234567 missing", "account number 12345678",
                                  "case #1234567", "I paid on 12/05/2024"])
def test_reference_numbers_and_dates_are_not_phone_numbers(text: str) -> None:
    assert redact(text) == text


# Found by a read-only review of the text pipeline (2026-12-06): each failed on the code before its fix.

@pytest.mark.parametrize("text", ["Hi, Good morning", "Hello, Thank you for nothing", "Dear Valued Customer",
                                  "Hey, Please help", "Thanks,\nNot Happy", "Best,\nVery Angry"])
def test_ordinary_words_after_a_greeting_or_sign_off_are_kept(text) -> None:
    """Any Title-case word after "Hi," or on the line after "Thanks," was a name: the message's feeling went into
    the store as "[NAME]"."""
    assert redact(text) == text
    assert redact("Hi, Priya, my parcel is late") == "Hi, [NAME], my parcel is late"  # a name still is


@pytest.mark.parametrize(("text", "left"), [("card 4111  1111  1111  1111 please", "4111"),
                                           ("write to Connor.O'Brien@example.ie today", "O'")])
def test_a_card_with_double_spaces_and_an_address_with_an_apostrophe_are_redacted(text, left) -> None:
    assert left not in redact(text), redact(text)


# Names after a cue and phone numbers with a glued prefix (each case marked "fails before" came back unredacted).

@pytest.mark.parametrize(("text", "expected"), [
    ("hi my name is mark evans and my order is late", "hi my name is [NAME] and my order is late"),
    ("My name is Rose Hill", "My name is [NAME]"),
    ("my name is rose hill, order 5 is late", "my name is [NAME], order 5 is late"),
    ("name: june park", "name: [NAME]"),
    ("Name: grace o'neil-brown", "Name: [NAME]"),
    ("my name's will and i need help", "my name's [NAME] and i need help"),
    ("ok so my name is hope green. the account is mine", "ok so my name is [NAME]. the account is mine"),
    ("his name is frank from the depot", "his name is [NAME] from the depot"),
    ("this is mark evans from billing", "this is [NAME] from billing"),
    ("i am mark evans", "i am [NAME]"),
])
def test_a_name_after_a_cue_is_redacted_in_lower_case_and_when_an_ordinary_word(text: str, expected: str) -> None:
    """A lower-case name, or one that is also an ordinary word ("mark", "rose", "hope"), after "my name is" or
    "name:" was stored as written; so was a lower-case given name and surname after "this is" or "I am"."""
    assert redact(text) == expected


@pytest.mark.parametrize("text", [
    "I am very angry", "this is ridiculous", "I'm waiting", "I am not happy", "this is the third time",
    "my name is on the account", "my name is spelled wrong on the invoice", "my name is misspelled",
    "my name is not on the list", "name: n/a", "I'm still waiting", "I am frank with you", "it's may already",
    "the company name is acme",
])
def test_ordinary_words_after_a_name_cue_are_kept(text: str) -> None:
    """What follows "I am", "this is" or "my name is" without being a name stays as written."""
    assert redact(text) == text


@pytest.mark.parametrize(("text", "expected"), [
    ("tel.+44 20 7946 0958", "tel.[PHONE]"), ("Tel:+1-202-555-0147", "Tel:[PHONE]"), ("ph.07700900123", "ph.[PHONE]"),
    ("call me on+44 7700 900123", "call me on[PHONE]"), ("mob.07700 900123 after 6", "mob.[PHONE] after 6"),
])
def test_a_phone_number_glued_to_its_prefix_is_redacted(text: str, expected: str) -> None:
    """A number glued to "tel.", "ph." or "on" was stored whole, or with its country code left ("tel.+44 [PHONE]")."""
    assert redact(text) == expected


@pytest.mark.parametrize("text", ["order #123456 came to £1,200.50", "delivery on 2026-12-01 at 10:30",
                                  "delivered on2026-12-01 at10:30", "paid on£1,200.50 at 10:30",
                                  "invoice no.123456789", "order#123456789", "ref:123456789", "case at#123456789",
                                  "back on 12/05/2024 10:30", "back on12/05/2024 10:30", "sent 5.12.2026 9:15"])
def test_order_numbers_amounts_dates_and_times_are_not_phone_numbers(text: str) -> None:
    """A date with a time after it was a phone number and its hour ("back on [PHONE]:30")."""
    assert redact(text) == text


# Found by a review of the cue rules above (2026-12-06): ordinary words after a cue were taken for a name, and the
# stored text lost the complaint itself. Each case failed on the code before its fix.

@pytest.mark.parametrize("text", [
    "my name is cut off", "my name is gone from the account", "my name is broken", "my name is above",
    "my name is incomplete", "the name is fake", "name: see below", "name: withheld", "name: prefer not to say",
    "MY NAME IS DUPLICATED", "THE NAME IS INCORRECTLY PRINTED", "NAME: SEE ATTACHED",
])
def test_what_is_said_of_a_name_after_a_strong_cue_is_kept(text: str) -> None:
    """Any word after "my name is" or "name:" was a name ("my name is [NAME] off"), and a shouted "-ed" or "-ly"
    word was not exempt."""
    assert redact(text) == text


@pytest.mark.parametrize(("text", "expected"), [
    ("my name is dave want refund now", "my name is [NAME] want refund now"),
    ("my name is jo cant log in", "my name is [NAME] cant log in"),
    ("hi my name is anna delivery missing", "hi my name is [NAME] delivery missing"),
    ("my name is mark im angry", "my name is [NAME] im angry"),
    ("MY NAME IS JOHN SMITH WANT REFUND", "MY NAME IS [NAME] WANT REFUND"),
    # a word in neither list that does not close the phrase is no name: the complaint is kept, the word too
    ("my name is xochitl parcel late", "my name is xochitl parcel late"),
])
def test_a_name_after_a_strong_cue_stops_before_the_complaint_in_unpunctuated_chat(text: str, expected: str) -> None:
    """The two words after the name went with it ("my name is [NAME] now"): a later word is taken only when it is
    in the gazetteer, Title case after a Title-case name, or a lower-case word closing a lower-case name; a chat
    contraction ("im", "cant") ends the name."""
    assert redact(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("my name is xochitl.", "my name is [NAME]."),
    ("my name is xochitl and my parcel is late", "my name is [NAME] and my parcel is late"),
    ("my name is john doe lol yes really", "my name is [NAME] lol yes really"),
    ("MY NAME IS MARK EVANS", "MY NAME IS [NAME]"),
    ("name: mary-jane watson", "name: [NAME]"), ("my name is anne-marie o'neill-smith jones", "my name is [NAME]"),
])
def test_a_lower_case_name_in_neither_list_is_redacted_when_it_closes_the_phrase(text: str, expected: str) -> None:
    """What the narrower rules above still redact (these passed before them): a lower-case word in neither list
    that ends the phrase after "my name is", alone or after a given name; gazetteer names in capitals, and
    hyphenated ones whose parts are in the gazetteer."""
    assert redact(text) == expected


@pytest.mark.parametrize("text", [
    "I hope this is crystal clear", "I AM CRYSTAL CLEAR", "this is london bridge station", "it's french house music",
    "this is german street food", "this is hope street branch", "i am john lewis customer",
])
def test_a_place_nationality_or_ordinary_word_before_a_surname_after_this_is_is_kept(text: str) -> None:
    """A given name of the gazetteer and a surname after "this is" or "I am" were a name in any case and anywhere in
    the phrase; the pair is now a name only in lower-case text, ending the phrase, and when its first word is an
    ordinary word ("crystal", "mark") only before a surname that is no everyday English word."""
    assert redact(text) == text


@pytest.mark.parametrize(("text", "expected"), [
    ("Name: john smith Email: a@b.com", "Name: [NAME] Email: [EMAIL]"),
    ("name: dave phone 07700 900123", "name: [NAME] phone [PHONE]"),
    ("Name: JOHN SMITH EMAIL: A@B.COM", "Name: [NAME] EMAIL: [EMAIL]"),
    ("Name: John Smith Phone 07700 900123", "Name: [NAME] Phone [PHONE]"),
    ("My name is John Smith Email me back", "My name is [NAME] Email me back"),
])
def test_a_field_label_after_a_name_on_the_same_line_is_kept(text: str, expected: str) -> None:
    """The label after a name ("Email:", "phone") went into the name's span."""
    assert redact(text) == expected


@pytest.mark.parametrize("text", ["this is true.", "it's true", "its early, the shop is shut", "this is major.",
                                  "i am early, no one is here"])
def test_an_everyday_word_after_this_is_is_kept(text: str) -> None:
    """A lower-case given name of the gazetteer ending the phrase after "this is" or "it's" was a name, also when
    it is a common English word ("true", "early", "major")."""
    assert redact(text) == text


@pytest.mark.parametrize(("text", "expected"), [
    ("hi this is mark evans i need help", "hi this is [NAME] i need help"),
    ("this is priya i need help", "this is [NAME] i need help"),
    ("i am mark evans, my order is late", "i am [NAME], my order is late"),
    ("it's dave from accounts", "it's [NAME] from accounts"),
])
def test_a_lower_case_name_after_this_is_is_redacted_before_i_or_my(text: str, expected: str) -> None:
    """A self-introduction's name ends the phrase also before "i" or "my" in unpunctuated chat (the first failed on
    the rule that a lower-case pair must end the phrase, the second on the code before it)."""
    assert redact(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("customer: john doe", "customer: [NAME]"),
    ("Customer: John Doe", "Customer: [NAME]"),
    ("customer name: john doe", "customer name: [NAME]"),
    ("caller: jane doe, account 5", "caller: [NAME], account 5"),
    ("customer: john wants a refund", "customer: [NAME] wants a refund"),
    ("customer: very unhappy", "customer: very unhappy"),
    ("customer: waiting 3 days", "customer: waiting 3 days"),
    ("customer: not happy with the refund", "customer: not happy with the refund"),
])
def test_a_lower_case_full_name_after_a_label_is_redacted_whole(text: str, expected: str) -> None:
    """After a label such as "customer:" only the given name went ("customer: [NAME] doe"): the name now reads on
    as after "name:", while what the label is said of ("very unhappy") stays."""
    assert redact(text) == expected


@pytest.mark.parametrize("text", [
    "Customer: Absolutely useless service.",
    "Agent: Thanks for calling\nCustomer: Terrible service. Nothing works since Monday.",
    "Caller: Nothing works",
    "Customer: Refund my money now",
    "Patient: Still waiting for my results",
    "CUSTOMER: WHERE IS MY PARCEL",
])
def test_the_first_word_of_a_speaker_labelled_turn_is_kept(text: str) -> None:
    """A transcript's turn after its speaker label ("Customer: Absolutely useless service.") lost its first word to
    [NAME] when written in Title case: after a role label only a name of the gazetteer, or a given name and surname,
    is a name."""
    assert redact(text) == text


@pytest.mark.parametrize(("text", "expected"), [
    ("customer: mark evans", "customer: [NAME]"),
    ("Customer: Mark Evans here", "Customer: [NAME] here"),
    ("Customer: Maria", "Customer: [NAME]"),
    ("THIS IS MARK EVANS and my parcel is late", "THIS IS [NAME] and my parcel is late"),
    ("HI THIS IS PRIYA SHARMA, WHERE IS MY REFUND", "HI THIS IS [NAME], WHERE IS MY REFUND"),
])
def test_a_name_after_a_role_label_or_a_shouted_introduction_is_redacted(text: str, expected: str) -> None:
    """"customer: mark evans" (a given name that is also an ordinary word, in lower case) and a self-introduction in
    capitals were stored as written."""
    assert redact(text) == expected


@pytest.mark.parametrize("text", ["I AM CRYSTAL CLEAR", "THIS IS MAY DAY", "I AM JOHN LEWIS CUSTOMER NUMBER 5",
                                  "THIS IS ABSOLUTELY RIDICULOUS", "I AM SO ANGRY"])
def test_shouted_words_after_this_is_that_are_no_name_are_kept(text: str) -> None:
    """Capitals read as lower case does: an ordinary word with an everyday surname, or a pair before more words,
    is no name."""
    assert redact(text) == text


@pytest.mark.parametrize(("text", "expected"), [
    ("Policy holder: Haruto Sato. Date of birth follows", "Policy holder: [NAME]. Date of birth follows"),
    ("CALLER: Oluwaseun Adebayo. He's my brother.", "CALLER: [NAME]. He's my brother."),
    ("CALLER: I've been charged twice", "CALLER: I've been charged twice"),
    ("Customer: Haruto", "Customer: [NAME]"),
    ("Customer: Haruto Sato called about his bill", "Customer: [NAME] called about his bill"),
    ("Patient: Okonkwo, Chidi", "Patient: [NAME], Chidi"),
    ("Insured: Tanaka Hiroshi (policy 55)", "Insured: [NAME] (policy 55)"),
])
def test_a_title_case_name_in_neither_list_closing_a_label_is_redacted(text: str, expected: str) -> None:
    """After a role label Title-case words are a name on a form (two or three, or one closing the phrase: a review
    found the first rule leaking "Customer: Haruto" and "Customer: Haruto Sato called ..."); a turn's own first word,
    which a lower-case sentence goes on from, is not. "Customer: Terrible." reads as "Customer: Haruto." does: [NAME]."""
    assert redact(text) == expected


# Found by a review of card, phone and IBAN redaction (2026-12-07): each case marked "fails before" was stored as
# written (or half redacted) by the code before its fix.

@pytest.mark.parametrize(("text", "expected"), [
    ("card 4111 1111 1111 1111 12/26 123", "card [CARD] 12/26 123"),  # fails before
    ("card: 5500 0000 0000 0004 999", "card: [CARD] 999"),  # fails before
    ("card 4111-1111-1111-1111 2 times", "card [CARD] 2 times"),  # fails before
    ("card 4111111111111111 123", "card [CARD] 123"),  # fails before
    ("card 4111 1111 1111 1111 0926 123", "card [CARD] 0926 123"),
])
def test_a_card_followed_by_its_expiry_security_code_or_a_count_is_redacted(text: str, expected: str) -> None:
    """The card pattern took the number after the card into its run (18 to 19 digits), the run failed the Luhn check
    and no shorter one was tried: the card was stored whole."""
    assert redact(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("card 4111\u00a01111\u00a01111\u00a01111", "card [CARD]"),  # fails before
    ("call me on 07700\u00a0900123", "call me on [PHONE]"),  # fails before
    ("555\u2011123\u20114567", "[PHONE]"),  # fails before
    ("card 4111\u20131111\u20131111\u20131111 exp 09/27", "card [CARD] exp [CARD_EXPIRY]"),  # fails before
    ("call 07700\u202f900123 or 555\u2013123\u20134567 \u2013 thanks", "call [PHONE] or [PHONE] \u2013 thanks"),  # fails before
])
def test_numbers_written_with_no_break_spaces_or_unicode_dashes_are_redacted(text: str, expected: str) -> None:
    """A no-break or thin space, an en dash or a no-break hyphen between the groups hid a card or phone number; the
    rest of the text is kept as written."""
    assert redact(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("call 07700 900123 / 07700 900456", "call [PHONE] / [PHONE]"),  # fails before
    ("mob/home: 555-123-4567 / 555-987-6543", "mob/home: [PHONE] / [PHONE]"),  # fails before
    ("phone 07700900123 - 07700900456", "phone [PHONE] - [PHONE]"),  # fails before
    ("tel 020 7946 0958 / 07700 900123", "tel [PHONE] / [PHONE]"),  # fails before ("tel [PHONE] 0958 / ...")
    ("07700900123/07700900456", "[PHONE]/[PHONE]"),  # fails before
    ("0171/1234567 / 0172/7654321", "[PHONE] / [PHONE]"),  # fails before
    ("Ruf mich an: 0171 / 1234567", "Ruf mich an: [PHONE]"),  # one number with a spaced slash stays one
    ("call 555-1234 / 555-5678", "call [PHONE] / [PHONE]"),  # fails before ("call [PHONE]": one for both)
])
def test_two_phone_numbers_joined_by_a_slash_or_a_dash_are_each_redacted(text: str, expected: str) -> None:
    """A slash or a spaced dash between two numbers made one run of 16 digits or more, too long for a phone number:
    both were stored."""
    assert redact(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("IBAN: ES91-2100-0418-4502-0005-1332", "IBAN: [IBAN]"),  # fails before
    ("refund to gb82-west-1234-5698-7654-32 please", "refund to [IBAN] please"),  # fails before
    ("IBAN DE89\u20133704\u20130044\u20130532\u20130130\u201300.", "IBAN [IBAN]."),  # fails before
])
def test_an_iban_written_with_dashes_is_redacted(text: str, expected: str) -> None:
    """Only spaces were read between an IBAN's groups: written with dashes it was stored as given."""
    assert redact(text) == expected
    assert "[IBAN]" not in redact(text.replace("ES91", "ES00").replace("gb82", "gb00").replace("DE89", "DE00"))


@pytest.mark.parametrize("text", [
    "order 1234 5678", "£1,250.00", "10:30-11:45", "2024-05-01", "order 1234\u00a05678 came to £1,250.00",
    "open 10:30\u201311:45 on 2024\u201305\u201301", "Dates 2023-01-01 - 2023-12-31 were billed twice",
    "back on 12/05/2024 - 13/05/2024", "back on 12/05/2024 10:30 \u2013 11:45", "it costs 1\u00a0000\u00a0000 rubles",
    "I paid 1,299.99 then 1,499.99 and 2,000.00", "order 1234 5678 9012 3456 7890 is late",
    "page 12\u201345 of the contract", "delivery window 12.05.2024 14:30-16:30",
])
def test_amounts_order_numbers_dates_and_times_are_kept_with_any_separator(text: str) -> None:
    assert redact(text) == text


# Found by a review of name redaction (2026-12-07): each case marked "fails before" was stored with the name, or part
# of it, as written.

@pytest.mark.parametrize(("text", "expected"), [
    ("Please ask Anne-Marie Dupont to call me", "Please ask [NAME] to call me"),  # fails before
    ("I met Jean-Luc Picard at the store", "I met [NAME] at the store"),  # fails before
    ("Regards, Mary-Jane Watson", "Regards, [NAME]"),  # fails before ("Regards, Mary-Jane [NAME]")
    ("Kind regards, Jean-Luc Picard", "Kind regards, [NAME]"),  # fails before
    ("Where is my refund? Regards, Olusegun Adeyemi", "Where is my refund? Regards, [NAME]"),  # fails before
    ("No parcel.\nThanks, Olusegun Adeyemi\nfrom my phone", "No parcel.\nThanks, [NAME]\nfrom my phone"),  # fails before
    ("Please ask Anne Dupont to call me", "Please ask [NAME] to call me"),
    ("Regards,\nAmara Diallo", "Regards,\n[NAME]"),
])
def test_a_hyphenated_given_name_and_a_name_after_a_sign_off_on_its_line_are_redacted(text: str, expected: str) -> None:
    """Found by a review: a hyphenated given name ("Anne-Marie", "Jean-Luc") was read as one word in no list, so the
    name was kept or only its surname went ("Mary-Jane [NAME]"); a name was looked for only on the line after a
    sign-off, so "Regards, Olusegun Adeyemi" on one line was stored as written."""
    assert redact(text) == expected


@pytest.mark.parametrize("text", [
    "Thanks, Great service", "Thanks, Great Service", "Thanks, Amazon Prime", "Cheers, Netflix", "Best Buy",
    "Where is my order? Thanks, Customer Support", "Thanks. Happy Holidays", "Best, Very Angry Customer",
    "I booked a Follow-Up call", "My Wi-Fi Router keeps dropping", "Thanks, Jordan Brown",
])
def test_ordinary_and_product_words_after_a_sign_off_or_with_a_hyphen_are_kept(text: str) -> None:
    """What the sign-off and hyphenated-name rules above must not take: ordinary words, brands and product names
    after "Thanks," on the same line, and hyphenated words whose parts are no given names."""
    assert redact(text) == text
