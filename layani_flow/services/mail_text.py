"""The text of an emailed reply, whatever the sender's mail program did with it.

Plain text, or HTML when that is all there is; any declared charset (an unknown or non-text one is read
as UTF-8 with replacement characters); no control characters or lone surrogates; quoted history left out;
cut at a limit with a visible note, never dropped. Attachments are not read. Nothing here raises on a
malformed message: what cannot be read is an empty reply.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from email.message import EmailMessage, MIMEPart
from html.parser import HTMLParser

QUOTE_START = re.compile(r"^(>|On .+ wrote:|Pada .+ menulis:|-----Original Message-----|-- $)", re.IGNORECASE)
BYTES_PER_CHAR = 8  # bytes of a body part decoded per character kept: room for any charset and the quote


def message_key(message: EmailMessage, raw: bytes) -> str:
    """What makes a re-delivered reply the same reply: its Message-ID, or without one its exact bytes."""
    try:
        message_id = str(message.get("Message-ID") or "").strip()
    except Exception:  # the stdlib's header parser has raised odd errors on odd input
        message_id = ""
    if message_id:
        return hashlib.sha256(message_id.encode("utf-8", "surrogateescape")).hexdigest()
    return hashlib.sha256(raw).hexdigest()


def reply_text(message: EmailMessage, max_chars: int) -> str:
    """The new text of a reply, at most `max_chars` characters, '' when there is none."""
    part, html = _body_part(message)
    if part is None:
        return ""
    text = _decode(part, max_chars * BYTES_PER_CHAR)
    if html:
        text = _html_to_text(text)
    return cut(_without_quote(_printable(text)), max_chars)


def cut(text: str, max_chars: int) -> str:
    """The text, or its start and a note saying it was cut: together at most `max_chars` characters."""
    if len(text) <= max_chars:
        return text
    note = f"\n… [dipotong: balasan lebih dari {max_chars:,} karakter]".replace(",", ".")
    return text[:max_chars - len(note)].rstrip() + note


def _body_part(message: EmailMessage) -> tuple[MIMEPart | None, bool]:
    try:
        part = message.get_body(("plain", "html"))
        return (part, part.get_content_subtype() == "html") if part is not None else (None, False)
    except Exception:  # broken MIME structure: nothing readable
        return None, False


def _decode(part: MIMEPart, limit: int) -> str:
    try:
        payload = part.get_payload(decode=True)
        charset = part.get_content_charset() or "utf-8"
    except Exception:  # a broken transfer encoding or Content-Type
        return ""
    if not isinstance(payload, bytes):
        return ""
    payload = payload[:limit]  # a half character at the cut becomes one replacement character
    try:
        return payload.decode(charset, errors="replace")
    except (LookupError, UnicodeError, ValueError, TypeError):
        # An unknown charset, or a codec that is not for text ("zlib", "rot13"): read it as UTF-8.
        return payload.decode("utf-8", errors="replace")


def _printable(text: str) -> str:
    """Line breaks and tabs stay; other control characters go; lone surrogates (UTF-7 can decode to them)
    become replacement characters, so the text can be stored and shown anywhere."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept = []
    for ch in text:
        kind = unicodedata.category(ch)
        if kind == "Cs":
            kept.append("\ufffd")
        elif kind != "Cc" or ch in "\n\t":
            kept.append(ch)
    return "".join(kept)


def _without_quote(text: str) -> str:
    lines = []
    for line in text.split("\n"):
        if QUOTE_START.match(line.lstrip()):  # not strip(): the signature line is "-- "
            break
        lines.append(line.rstrip())
    return "\n".join(lines).strip()


class _TextOfHtml(HTMLParser):
    """The visible text of an HTML body: blocks on their own lines; scripts, styles and quoted mail
    (blockquote) left out."""

    SKIP = {"script", "style", "head", "title", "blockquote"}
    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "ul", "ol"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(self.skipping - 1, 0)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def _html_to_text(html: str) -> str:
    parser = _TextOfHtml()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # html.parser is lenient; keep what was read if it ever gives up
        pass
    text = "".join(parser.parts)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
