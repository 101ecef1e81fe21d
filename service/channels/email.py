"""E-mail adapter: plain text or ``.eml``; keeps only what the sender wrote now.

Stripped: quoted replies (``>`` lines and the "On ... wrote:" above them, the sender's words below or between
them kept; Outlook "-----Original Message-----" and "From: ... Sent: ..." blocks), forwarded-message headers,
signatures ("-- ", sign-offs followed by a short name block, "Sent from my ..."), and legal disclaimers.
An HTML body is read as the text it shows, its ``<blockquote>`` (quoted) left out.
"""

from __future__ import annotations

import codecs
import email
import email.policy
import email.utils
import re
import unicodedata
from datetime import UTC, datetime
from email.message import EmailMessage, MIMEPart
from html.parser import HTMLParser

from emotrace.channels.utterance import CUSTOMER, Conversation, Utterance
from emotrace.errors import EmotraceError

_ON_WROTE = re.compile(r"^\s*On .{3,200}wrote:\s*$", re.IGNORECASE)
_REPLY_MARKERS = [
    _ON_WROTE,
    re.compile(r"^\s*-{2,}\s*Original Message\s*-{2,}\s*$", re.IGNORECASE),
    re.compile(r"^\s*-{2,}\s*Forwarded message\s*-{2,}\s*$", re.IGNORECASE),
    re.compile(r"^\s*Begin forwarded message:\s*$", re.IGNORECASE),
    re.compile(r"^\s*From:\s.+$", re.IGNORECASE),
    re.compile(r"^_{10,}\s*$"),
]
_SIGNATURE_DELIMITER = re.compile(r"^--\s?$")
_SIGN_OFF = re.compile(r"^\s*(best|kind|warm)?\s*(regards|wishes|thanks|thank you|cheers|sincerely|best)[,.!]?\s*$",
                       re.IGNORECASE)
_MOBILE = re.compile(r"^\s*Sent from my \w+", re.IGNORECASE)
_DISCLAIMER = re.compile(r"^\s*(this (e-?mail|message)( and any attachments)? (is|are|may be) confidential|"
                         r"confidentiality notice|disclaimer:)", re.IGNORECASE)


_POSTSCRIPT = re.compile(r"(?i)^\s*p\.?\s?s\b")
_FIRST_PERSON = re.compile(r"^\s*I(?:['’](?:m|ll|ve|d))?\s+[a-z]")  # "I am ...", "I'm ...", not "I Squared Ltd"
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_NAME_LINKS = {"of", "and", "for", "at", "the", "to", "in", "on", "de", "la", "van", "von", "der", "du"}  # "Head of"


def _said(line: str) -> bool:
    """Whether a line below a sign-off is something the customer says, not a signature's name, title, company or
    phone: a postscript ("P.S. ..."), a line opening "I am"/"I'm ...", one ending in ! or ?, or one ending in . with a
    lower-case word besides those linking a title's or company's words ("See you in court.", not "Head of
    Purchasing, Acme Ltd.")."""
    line = line.strip()
    if _POSTSCRIPT.match(line) or _FIRST_PERSON.match(line) or line.endswith(("!", "?")):
        return True
    return line.endswith(".") and any(w[0].islower() and w not in _NAME_LINKS for w in _WORD.findall(line))


def _written_below(lines: list[str]) -> bool:
    """Whether the lines below an "On ... wrote:" line are a ``>``-quoted block with the sender's own words after it
    (a bottom-posted or inline reply), not the quote alone (top-posting) or a quote without ``>``."""
    written = (line.lstrip() for line in lines if line.strip())
    return next(written, "").startswith(">") and any(not line.startswith(">") for line in written)


def strip_email_body(body: str) -> str:
    """The part of an e-mail body written now: no quotes, signature, disclaimer or forwarded block."""
    kept: list[str] = []
    lines = body.replace("\r\n", "\n").split("\n")
    for at, line in enumerate(lines):
        if line.lstrip().startswith(">") or (_ON_WROTE.match(line) and _written_below(lines[at + 1 :])):
            continue
        if any(marker.match(line) for marker in _REPLY_MARKERS) or _SIGNATURE_DELIMITER.match(line) \
                or _MOBILE.match(line) or _DISCLAIMER.match(line):
            break
        kept.append(line)
    # a sign-off ("Thanks,", "Best regards") followed by at most 4 short lines that are not the customer's (see
    # _said) is a signature: cut from the sign-off or, where the customer wrote on below it, after the last line said
    for i in range(len(kept) - 1, max(-1, len(kept) - 7), -1):
        if not _SIGN_OFF.match(kept[i]):
            continue
        end = max((j + 1 for j in range(i + 1, len(kept)) if _said(kept[j])), default=i)
        tail = [t for t in kept[max(end, i + 1) :] if t.strip()]
        if len(tail) <= 4 and all(len(t) <= 60 for t in tail):
            kept = kept[:end] if any(k.strip() for k in kept[:end]) else kept
            break
    return "\n".join(kept).strip()


UNREADABLE_SHARE = 0.05  # more than this share of replacement or control characters: not text
HEADER_SCAN_BYTES = 64 * 1024  # how far into a file its header block is looked for
_FIELD_NAME = re.compile(r"[!-9;-~]+:")  # RFC 5322: printable ASCII but the colon, then the colon
_MAIL_HEADER = re.compile(r"(?i)(?:from|to|cc|bcc|subject|date|message-id|mime-version|content-type|received|"
                          r"return-path|reply-to|sender|delivered-to|in-reply-to|references):")
_ADDRESS_HEADER = re.compile(r"(?i)(?:from|to|cc|subject|date|message-id):")  # what a plain-text file's headers name
_MBOX_FROM = re.compile(r"From [^\r\n]*(?:\r\n|\r|\n)")  # mbox separator: "From - Mon Dec 01 ..." (Thunderbird)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _header_start(text: str, names: re.Pattern[str]) -> int | None:
    """Where the header block opening ``text`` starts, past a byte-order mark, blank lines and an mbox "From " line;
    None when there is none: every line up to the first blank one a header ("Name: value") or a folded header's
    continuation, at least one of them named by ``names``. LF, CRLF and CR line endings alike."""
    start = len(text) - len(text.lstrip("\ufeff \t\r\n"))
    if mbox := _MBOX_FROM.match(text, start):
        start = mbox.end()
    known = False
    for line in _LINE_BREAK.split(text[start : start + HEADER_SCAN_BYTES]):
        if not line.strip():
            break
        if line[:1] in (" ", "\t"):  # a folded header's continuation
            continue
        if not _FIELD_NAME.match(line):
            return None
        known = known or bool(names.match(line))
    return start if known else None


def has_email_headers(text: str) -> bool:
    """True when a plain-text file opens with an e-mail's header block naming From, To, Cc, Subject, Date or
    Message-ID ("Update: the parcel came broken" and a blank line is not one)."""
    return _header_start(text, _ADDRESS_HEADER) is not None


_HIDDEN_ELEMENTS = {"head", "title", "style", "script", "template", "blockquote"}  # not shown, or quoted
_BLOCK_ELEMENTS = {"address", "article", "blockquote", "dd", "div", "dl", "dt", "footer", "h1", "h2", "h3", "h4",
                   "h5", "h6", "header", "hr", "li", "ol", "p", "pre", "section", "table", "tr", "ul"}
_HTML_SPACE = re.compile(r"[ \t\r\n\f]+")


class _HtmlText(HTMLParser):
    """An HTML body's text, one line per block element or ``<br>``, entities decoded; what ``<head>``, ``<style>``,
    ``<script>`` and ``<blockquote>`` (a quoted reply) hold is left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0  # how many open elements whose contents are left out enclose the text read now

    def _line_break(self, tag: str) -> None:
        """``<br>`` breaks the line; a block element's start or end ends the line before it, if one is open."""
        if tag == "br" or (tag in _BLOCK_ELEMENTS and self.parts and not self.parts[-1].endswith("\n")):
            self.parts.append("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":  # a <head> left open ends here
            self.hidden = 0
        self.hidden += tag in _HIDDEN_ELEMENTS
        self._line_break(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._line_break(tag)  # "<br/>", "<div/>": nothing opened, nothing hidden

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_ELEMENTS:
            self.hidden = max(0, self.hidden - 1)
        self._line_break(tag)

    def handle_data(self, data: str) -> None:
        text = _HTML_SPACE.sub(" ", data)
        if not self.hidden and (text.strip() or (self.parts and not self.parts[-1].endswith("\n"))):
            self.parts.append(text)


def html_text(markup: str) -> str:
    """The text an HTML e-mail body shows, without its quoted reply (see :class:`_HtmlText`); blank lines at most
    one in a row."""
    parser = _HtmlText()
    parser.feed(markup)
    parser.close()
    lines = "\n".join(line.strip() for line in "".join(parser.parts).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", lines).strip()


def _text_of(part: MIMEPart, warnings: list[str]) -> str:
    """A text part's content as text (HTML as the text it shows)."""
    try:
        content = part.get_content() if part.get_content_charset() else _undeclared(part)
    except (LookupError, UnicodeError):  # a charset Python does not know or cannot decode with: read it as UTF-8
        charset = part.get_content_charset()
        warnings.append(f"Unknown or unusable charset '{charset}': the body was read as UTF-8.")
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else str(payload)
    return html_text(str(content)) if part.get_content_type() == "text/html" else str(content)


def _undeclared(part: MIMEPart) -> str:
    """A text part declaring no charset (read as ASCII by the standard library): its bytes as UTF-8, or as
    Windows-1252 where they are not UTF-8."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return str(payload)
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return payload.decode("cp1252", errors="replace")


def _body_of(message: EmailMessage, warnings: list[str]) -> str:
    """The message's plain-text body; its HTML body where the plain one is missing or blank."""
    for kind in ("plain", "html"):
        part = message.get_body(preferencelist=(kind,))
        if part is not None and (content := _text_of(part, warnings)).strip():
            return content
    return ""


def _header(message: EmailMessage, name: str, warnings: list[str]) -> str:
    """A header's value ("" when absent); one the standard library's parser cannot read ("From: john@" raises
    IndexError, "From: a@[" AttributeError) is left out with a warning."""
    try:
        return str(message.get(name, ""))
    except (IndexError, AttributeError, ValueError, TypeError):
        warnings.append(f"Unreadable {name.title()} header: left out.")
        return ""


def _sent_at(message: EmailMessage, warnings: list[str]) -> datetime | None:
    header = _header(message, "date", warnings)
    if not header:
        return None
    try:
        sent = email.utils.parsedate_to_datetime(header)
        return sent.replace(tzinfo=UTC) if sent.tzinfo is None else sent.astimezone(UTC)
    except (TypeError, ValueError, OverflowError):  # unreadable, or at the calendar's end once in UTC
        warnings.append(f"Unreadable Date header '{header[:60]}': the e-mail is dated by its upload.")
        return None


def read_email(raw: bytes | str, role: str = CUSTOMER) -> Conversation:
    """One e-mail (``.eml`` bytes or plain text) as a conversation of one utterance; its metadata holds the
    subject and, from the ``Date`` header, when it was sent (``sent_at``, aware UTC)."""
    warnings: list[str] = []
    metadata: dict[str, object] = {"subject": ""}
    if isinstance(raw, bytes):
        raw = raw.removeprefix(codecs.BOM_UTF8)
        start = _header_start(raw[:HEADER_SCAN_BYTES].decode("latin-1"), _MAIL_HEADER)  # one character a byte
    else:
        start = _header_start(raw, _ADDRESS_HEADER)
    if start is not None:
        headed = raw[start:]
        message = email.message_from_bytes(headed if isinstance(headed, bytes) else headed.encode(),
                                           policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        body, subject = _body_of(message, warnings), _header(message, "subject", warnings)
        sender = _header(message, "from", warnings)
        metadata["subject"] = subject
        if sent_at := _sent_at(message, warnings):
            metadata["sent_at"] = sent_at
    else:
        body = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
        sender = ""
    text = strip_email_body(body)
    if not text:
        raise EmotraceError("E601", "The e-mail has no body of its own (only quotes, signature or nothing).",
                            "Check that the file is the e-mail you meant.")
    unreadable = sum(ch == "\ufffd" or (unicodedata.category(ch) == "Cc" and ch not in "\n\r\t") for ch in text)
    if unreadable > UNREADABLE_SHARE * len(text):
        raise EmotraceError("E612", f"The e-mail body is not text ({unreadable / len(text):.0%} of its characters are "
                            "binary or undecodable).", "Send the .eml file itself, or its text in UTF-8.")
    return Conversation("email", [Utterance(text, sender or "sender", role)], warnings, metadata)
