"""E-mail adapter: plain text or ``.eml``; keeps only what the sender wrote now.

Stripped: quoted replies (``>`` lines, "On ... wrote:", Outlook "-----Original Message-----" and
"From: ... Sent: ..." blocks), forwarded-message headers, signatures ("-- ", sign-offs followed by a
short name block, "Sent from my ..."), and legal disclaimers.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import html
import re
import unicodedata
from datetime import UTC, datetime
from email.message import EmailMessage

from emotrace.channels.utterance import CUSTOMER, Conversation, Utterance
from emotrace.errors import EmotraceError

_REPLY_MARKERS = [
    re.compile(r"^\s*On .{3,200}wrote:\s*$", re.IGNORECASE),
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
_TAGS = re.compile(r"<[^>]+>")


_POSTSCRIPT = re.compile(r"(?i)^\s*p\.?\s?s\b")


def _said(line: str) -> bool:
    """Whether a line below a sign-off is something the customer says, not a signature's name, title or company: a
    postscript ("P.S. ..."), or a sentence of six words or more ending in . ! or ?."""
    return bool(_POSTSCRIPT.match(line)) or (len(line.split()) >= 6 and line.rstrip()[-1:] in ".!?")


def strip_email_body(body: str) -> str:
    """The part of an e-mail body written now: no quotes, signature, disclaimer or forwarded block."""
    kept: list[str] = []
    for line in body.replace("\r\n", "\n").split("\n"):
        if any(marker.match(line) for marker in _REPLY_MARKERS) or _SIGNATURE_DELIMITER.match(line) \
                or _MOBILE.match(line) or _DISCLAIMER.match(line):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    # a sign-off ("Thanks,", "Best regards") followed by at most 4 short lines, none of them a sentence of the
    # customer's (a postscript), is a signature
    for i in range(len(kept) - 1, max(-1, len(kept) - 7), -1):
        tail = [t for t in kept[i + 1 :] if t.strip()]
        if _SIGN_OFF.match(kept[i]) and len(tail) <= 4 and all(len(t) <= 60 and not _said(t) for t in tail):
            kept = kept[:i] if i > 0 and any(k.strip() for k in kept[:i]) else kept
            break
    return "\n".join(kept).strip()


UNREADABLE_SHARE = 0.05  # more than this share of replacement or control characters: not text
HEADER_SCAN_BYTES = 64 * 1024  # how far into a file its header block is looked for
_FIELD_NAME = re.compile(rb"[!-9;-~]+:")  # RFC 5322: printable ASCII but the colon, then the colon
_MAIL_HEADER = re.compile(rb"(?i)(?:from|to|cc|bcc|subject|date|message-id|mime-version|content-type|received|"
                          rb"return-path|reply-to|sender|delivered-to|in-reply-to|references):")


def _has_headers(raw: bytes) -> bool:
    """True when ``raw`` is an e-mail message: it starts with a header block naming at least one e-mail header
    (From, To, Date, Subject, ...; any of them may be missing), or names a Subject near its start."""
    if raw.lstrip()[:200].lower().find(b"subject:") >= 0:
        return True
    known = False
    for line in raw.lstrip()[:HEADER_SCAN_BYTES].splitlines():
        if not line.strip():
            return known
        if line[:1] in (b" ", b"\t"):  # a folded header's continuation
            continue
        if not _FIELD_NAME.match(line):
            return False
        known = known or bool(_MAIL_HEADER.match(line))
    return known


def _body_of(message: EmailMessage, warnings: list[str]) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):  # a charset Python does not know or cannot decode with: read it as UTF-8
        charset = part.get_content_charset()
        warnings.append(f"Unknown or unusable charset '{charset}': the body was read as UTF-8.")
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else str(payload)
    if part.get_content_type() == "text/html":
        content = html.unescape(_TAGS.sub(" ", re.sub(r"(?i)<br\s*/?>|</p>", "\n", content)))
    return str(content)


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
    if (isinstance(raw, bytes) and _has_headers(raw)) or (
            isinstance(raw, str) and re.match(r"(?is)^([\w-]+:.*\n)+\n", raw)):
        message = email.message_from_bytes(raw if isinstance(raw, bytes) else raw.encode(), policy=email.policy.default)
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
