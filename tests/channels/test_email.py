from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

from emotrace.channels.email import read_email, strip_email_body
from emotrace.channels.load import load_conversation
from emotrace.channels.utterance import Conversation
from emotrace.errors import EmotraceError
from emotrace.settings import Settings

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


MAIL_LF = ("From: Bob <bob@example.com>\nTo: support@example.com\nSubject: Order 1234\n\nHi,\n\n"
           "My order never arrived and I am really angry. Please refund me.\n\nBob\n")


def _load(tmp_path: Path, name: str, data: bytes) -> Conversation:
    path = tmp_path / name
    path.write_bytes(data)
    return load_conversation(path, Settings())


def test_a_text_email_with_crlf_line_endings_is_read_like_its_lf_copy(tmp_path: Path) -> None:
    """Found by a review: a CRLF e-mail .txt was read as a chat whose speakers were "From", "To" and "Subject"."""
    lf = _load(tmp_path, "lf.txt", MAIL_LF.encode())
    crlf = _load(tmp_path, "crlf.txt", MAIL_LF.replace("\n", "\r\n").encode())
    assert crlf.channel == lf.channel == "email"
    assert [(u.text, u.speaker) for u in crlf.utterances] == [(u.text, u.speaker) for u in lf.utterances] == [
        ("Hi,\n\nMy order never arrived and I am really angry. Please refund me.\n\nBob", "Bob <bob@example.com>")]
    assert crlf.metadata["subject"] == "Order 1234" and crlf.warnings == lf.warnings == []


MBOX_FROM = (b"From - Mon Dec 01 10:00:00 2026\nX-Mozilla-Status: 0001\nX-Mozilla-Status2: 00000000\n"
             b"Received: from mail.example.com (mail.example.com [192.0.2.1]) by mx.example.net with ESMTPS id abc123 "
             b"for <support@example.com>; Mon, 1 Dec 2026 10:00:00 +0000\n")


@pytest.mark.parametrize("before", [b"\xef\xbb\xbf", MBOX_FROM, b"From bob@example.com Mon Dec  1 10:00:00 2026\n"])
def test_a_byte_order_mark_or_an_mbox_from_line_before_the_headers_leaves_them_headers(tmp_path: Path, before: bytes) -> None:
    """Found by a review: an .eml starting with a UTF-8 BOM, or saved by Thunderbird ("From - ..." then
    X-Mozilla-Status and Received lines), had its headers read as the customer's words."""
    raw = before + (b"From: Bob <bob@example.com>\r\nTo: support@example.com\r\nSubject: Broken again\r\n"
                    b"Date: Mon, 1 Dec 2026 10:00:00 +0000\r\n\r\nMy order arrived broken again. I am really angry.\r\n")
    conversation = _load(tmp_path, "m.eml", raw)
    assert [(u.text, u.speaker) for u in conversation.utterances] == [
        ("My order arrived broken again. I am really angry.", "Bob <bob@example.com>")]
    assert conversation.metadata["subject"] == "Broken again" and "sent_at" in conversation.metadata


GMAIL_REPLY = (
    '<html><head><style type="text/css">body { font-family: Arial; } .x { color: red; }</style>'
    "<script>var thanks = 'Thank you so much';</script></head>"
    '<body><div dir="ltr">It is still broken and I am furious.</div><div class="gmail_quote">'
    '<div dir="ltr" class="gmail_attr">On Mon, Dec 1, 2026 at 9:00 AM Support &lt;support@example.com&gt; wrote:<br>'
    '</div><blockquote class="gmail_quote">Great news, we are delighted to tell you that your issue is resolved! '
    "Thank you so much for your patience.</blockquote></div></body></html>")


def _html_email(html: str, plain: str | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = "Bob <bob@example.com>"
    message["Subject"] = "Re: Your ticket"
    if plain is None:
        message.set_content(html, subtype="html")
    else:
        message.set_content(plain)
        message.add_alternative(html, subtype="html")
    return message.as_bytes()


@pytest.mark.parametrize("plain", [None, "", "  \n"])
def test_an_html_email_is_read_without_its_quoted_reply_styles_or_scripts(plain: str | None) -> None:
    """Found by a review: only <br> and </p> broke lines, so a Gmail reply's "On ... wrote:" <div> and its
    <blockquote> stayed on the customer's line (read as gratitude), <style> was read as words; and an empty
    text/plain alternative was refused (E601) though the HTML part had the words."""
    conversation = read_email(_html_email(GMAIL_REPLY, plain))
    assert [u.text for u in conversation.utterances] == ["It is still broken and I am furious."]


def test_html_block_elements_are_line_breaks_and_entities_are_decoded() -> None:
    html = ("<p>The order&nbsp;#1234 &amp; the refund &#8212; both missing.</p><ul><li>first call</li>"
            "<li>second call</li></ul><h2>Still waiting</h2><table><tr><td>a</td></tr><tr><td>b</td></tr></table>")
    assert read_email(_html_email(html)).utterances[0].text.split("\n") == [
        "The order\xa0#1234 & the refund \u2014 both missing.", "first call", "second call", "Still waiting", "a", "b"]


@pytest.mark.parametrize("note", [
    "Update: the package arrived broken and the box was completely crushed.\n\nI would like a replacement.\n",
    "Hello,\nIssue: my card was charged twice and nobody answers.\n\nPlease fix this.\n",
    "Note: the box was crushed.\nThe phone inside is broken too.\n\nPlease replace it.\n",
])
def test_a_text_email_whose_first_line_looks_like_a_header_is_read_whole(tmp_path: Path, note: str) -> None:
    """Found by a review: "Update: the package arrived broken..." then a blank line lost its first line (any
    "Word: ..." lines before a blank line were taken for headers)."""
    words = [line for line in note.splitlines() if line]
    for conversation in (read_email(note), _load(tmp_path, "note.txt", note.encode())):
        assert conversation.channel == "email" and conversation.metadata["subject"] == ""
        assert [line for line in conversation.utterances[0].text.splitlines() if line] == words


@pytest.mark.parametrize(("body", "said"), [
    ("On Mon, 3 Jun 2024, Support <help@shop.com> wrote:\n> Has your parcel arrived?\n\n"
     "No, it still has not arrived and I am furious.\n", "No, it still has not arrived and I am furious."),
    ("Hi,\n\nOn Mon, 3 Jun 2024, Support wrote:\n> Has your parcel arrived?\nNo it has not.\n"
     "> Did you check with neighbours?\nYes, nobody has it. I want a refund.\n",
     "Hi,\n\nNo it has not.\nYes, nobody has it. I want a refund."),
    ("I want a refund.\n\nOn Mon, 3 Jun 2024, Support wrote:\n> Has your parcel arrived?\n> Kind regards\n\n",
     "I want a refund."),
    ("I want a refund.\n\nOn Mon, 3 Jun 2024, Support wrote:\nHas your parcel arrived?\n", "I want a refund."),
])
def test_a_bottom_posted_or_inline_reply_keeps_what_the_sender_wrote(body: str, said: str) -> None:
    """Found by a review: reading stopped at the first "On ... wrote:", so a reply below the quote was refused
    (E601) and one written between quoted lines kept only its greeting."""
    assert read_email(body).utterances[0].text == said


@pytest.mark.parametrize(("raw", "said"), [
    ("From: jane@example.com\nSubject: Order\n\nThe café order never came and I'm furious.\n",
     "The café order never came and I'm furious."),
    (b"From: jane@example.com\nSubject: Order\n\nI'm furious \xf0\x9f\x98\xa1\xf0\x9f\x98\xa1 nobody answers\n",
     "I'm furious \U0001f621\U0001f621 nobody answers"),
    (b"From: jane@example.com\nSubject: Order\n\nThe caf\xe9 order never came.\n", "The café order never came."),
])
def test_a_body_with_no_charset_declared_is_read_as_utf8_or_cp1252(raw: str | bytes, said: str) -> None:
    """Found by a review: a part declaring no charset was decoded as ASCII, so "café" came out as "caf\ufffd\ufffd"
    and a line of emoji was refused as not text (E612)."""
    conversation = read_email(raw)
    assert conversation.utterances[0].text == said and conversation.warnings == []


@pytest.mark.parametrize("after", ["I am cancelling my contract.", "See you in court.", "Refund me now!",
                                   "I want my money back"])
def test_a_short_sentence_after_the_sign_off_is_kept(after: str) -> None:
    """Found by a review: a line below "Thanks." was kept only if it was a sentence of six words or more, so "I am
    cancelling my contract." and "See you in court." were cut as a signature."""
    body = f"Hi,\nThe router you sent is broken again.\nThanks.\n{after}\nJohn\n+44 20 7946 0000"
    assert strip_email_body(body) == f"Hi,\nThe router you sent is broken again.\nThanks.\n{after}"


def test_an_agent_named_for_a_text_file_read_as_an_email_is_said_not_read(tmp_path: Path) -> None:
    """Found by a review: `analyze mail.txt --agent Sam` on a .txt read as an e-mail (the customer's alone) dropped
    --agent without a word, where a .eml said so."""
    path = tmp_path / "mail.txt"
    path.write_bytes(MAIL_LF.encode())
    read = load_conversation(path, Settings(), agent="Sam")
    assert [u.role for u in read.utterances] == ["customer"]
    assert any("agent 'Sam' not read" in warning for warning in read.warnings), read.warnings
    assert not any("agent" in warning for warning in load_conversation(path, Settings()).warnings)
