from __future__ import annotations

from email.message import EmailMessage

import pytest

from emotrace.channels.email import read_email, strip_email_body
from emotrace.errors import EmotraceError

THREAD = """Hi team,

The replacement charger you sent also stopped working after two days. I'm really disappointed.
Can you please refund me instead?

Thanks,
Maria Lopez
Customer since 2019

On Tue, 3 Nov 2026 at 10:02, Northwind Support <help@northwind.example> wrote:
> Hi Maria, we've shipped a replacement charger today.
> Kind regards, Sam
"""


def test_quoted_reply_and_signature_are_stripped() -> None:
    assert strip_email_body(THREAD) == (
        "Hi team,\n\nThe replacement charger you sent also stopped working after two days. I'm really disappointed.\n"
        "Can you please refund me instead?")


@pytest.mark.parametrize("tail", [
    "-- \nMaria Lopez\nSenior buyer",
    "Sent from my iPhone",
    "-----Original Message-----\nFrom: Sam\nSent: Monday\nSubject: Re: charger\nWe shipped it.",
    "---------- Forwarded message ---------\nFrom: Shop <a@b.c>\nOld text",
    "This email and any attachments are confidential and intended solely for the addressee.",
    "From: Northwind Support\nSent: 2 November 2026 09:00\nTo: Maria",
])
def test_tails_are_cut(tail: str) -> None:
    assert strip_email_body(f"Still no refund.\n\n{tail}") == "Still no refund."


def test_eml_file_multipart() -> None:
    message = EmailMessage()
    message["From"] = "Maria <maria@example.com>"
    message["Subject"] = "Broken charger"
    message.set_content("Second charger broke too. Very annoyed.\n\n> old quoted text\n")
    message.add_alternative("<p>Second charger broke too. <b>Very annoyed.</b></p>", subtype="html")
    conversation = read_email(message.as_bytes())
    assert conversation.utterances[0].text == "Second charger broke too. Very annoyed."
    assert conversation.metadata["subject"] == "Broken charger"
    assert conversation.utterances[0].role == "customer"


def test_email_without_a_body_of_its_own() -> None:
    with pytest.raises(EmotraceError, match="E601"):
        read_email("> only a quote\n> nothing new\n")


def test_a_date_header_at_the_end_of_the_calendar_is_a_warning_not_a_traceback() -> None:
    """Found by a re-trial: `Date: Fri, 31 Dec 9999 23:59:59 -1200` crashed `analyze` (OverflowError) and the upload
    (500)."""
    conversation = read_email("From: ann@example.com\nSubject: refund\nDate: Fri, 31 Dec 9999 23:59:59 -1200\n\n"
                              "I am still waiting for my refund.\n")
    assert "sent_at" not in conversation.metadata or conversation.metadata["sent_at"] is None
    assert any("dated by its upload" in w for w in conversation.warnings), conversation.warnings


@pytest.mark.parametrize("sender", ["john@", "<", '"', '"a" <', "a@["])
def test_a_from_header_the_parser_cannot_read_is_left_out_with_a_warning(sender: str) -> None:
    """Found by a review: the standard library's address parser raises IndexError or AttributeError on these, which
    reached the upload route as a 500 and `analyze` as a traceback."""
    conversation = read_email(f"From: {sender}\nSubject: refund\n\nI am still waiting for my refund.\n".encode())
    assert conversation.utterances[0].text == "I am still waiting for my refund."
    assert conversation.utterances[0].speaker == "sender"
    assert any("From header" in w for w in conversation.warnings), conversation.warnings


def test_a_charset_whose_codec_cannot_decode_is_read_as_utf8_with_a_warning() -> None:
    """charset=idna names a codec that refuses the parser's errors="replace" (UnicodeError, not LookupError)."""
    raw = b"Subject: refund\nContent-Type: text/plain; charset=idna\n\nI am still waiting for my refund.\n"
    conversation = read_email(raw)
    assert conversation.utterances[0].text == "I am still waiting for my refund."
    assert any("idna" in w for w in conversation.warnings), conversation.warnings


@pytest.mark.parametrize("after", ["P.S. Please also cancel my order, it is not needed any more.",
                                   "Also, the app crashes every time I try to log in!"])
def test_a_sentence_after_the_sign_off_is_kept_not_cut_as_a_signature(after: str) -> None:
    """Found by a review: a sign-off followed by up to four short lines was cut as a signature, so a customer's
    postscript after "Thanks" was dropped without a word."""
    body = f"The parcel came broken.\n\nThanks\n{after}\nMaria"
    assert after in strip_email_body(body)
    assert strip_email_body("The parcel came broken.\n\nThanks,\nMaria Lopez\nHead of Purchasing, Acme Ltd.\n") == (
        "The parcel came broken.")
