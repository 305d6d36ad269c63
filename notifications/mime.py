"""Reminder e-mails built as Django builds them, for a fraction of the CPU (issue 12).

Profiling one delivery batch (docs/BENCHMARKS.md) put half the worker's time per e-mail in the
standard library's e-mail generator, in two places that do nothing for our messages:

* folding each header through ``email.header.Header`` (about fourteen per message), although our
  headers are short printable ASCII, which the compat32 policy writes out unchanged;
* compiling a regular expression per message to check that the random multipart boundary does not
  occur in the text.

``ReminderEmail`` is Django's ``EmailMultiAlternatives`` with those two skipped where that cannot
change a byte: the same headers, parts and encodings (tests/notifications/test_mime.py compares the
output with Django's own).
"""

from __future__ import annotations

import secrets
from email.message import Message
from email.policy import Compat32
from typing import Any

from django.core.mail import EmailMultiAlternatives


class QuickFoldPolicy(Compat32):
    """compat32, which Django's messages use, writing a header that fits on one line as it is.

    For a value of printable ASCII (no control characters, which ``Header`` would treat as line
    breaks) that fits within the line length, compat32 produces exactly ``name: value`` and a line
    ending; anything else (longer, non-ASCII, already encoded as a ``Header``) goes through
    compat32 itself.
    """

    def _fold(self, name: str, value: Any, sanitize: bool) -> str:
        if (
            isinstance(value, str)
            and self.max_line_length
            and len(name) + 2 + len(value) <= self.max_line_length
            and value.isascii()
            and value.isprintable()
        ):
            return f"{name}: {value}{self.linesep}"
        folded: str = super()._fold(name, value, sanitize)  # type: ignore[misc]  # compat32's own, private in typeshed
        return folded


QUICK_FOLD = QuickFoldPolicy()


def boundary_for(*parts: str) -> str:
    """A multipart boundary found in none of ``parts``: the standard library draws a random one and
    checks it against the text with a regular expression compiled per message; this checks plain
    substrings, which is stricter (a boundary only counts at the start of a line)."""
    while True:
        boundary = f"=={secrets.token_hex(12)}=="
        if not any(boundary in part for part in parts):
            return boundary


class ReminderEmail(EmailMultiAlternatives):
    """A plain text e-mail with its HTML alternative, flattened with ``QUICK_FOLD`` and a boundary
    chosen in advance."""

    def message(self) -> Message:
        msg: Message = super().message()
        msg.policy = QUICK_FOLD
        if msg.is_multipart():
            msg.set_boundary(boundary_for(str(self.body), *(str(content) for content, _ in self.alternatives)))
        return msg
