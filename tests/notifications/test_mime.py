"""notifications.mime builds the same bytes as Django, only cheaper: compared with Django's own
EmailMultiAlternatives and the standard library's compat32 policy, not with expected strings."""

from __future__ import annotations

import random
from email import message_from_bytes
from email import policy as email_policy
from email.errors import HeaderParseError
from email.policy import compat32

import pytest
from django.core.mail import EmailMultiAlternatives

from notifications import mime
from notifications.mime import QUICK_FOLD, ReminderEmail, boundary_for

HEADERS = ["Subject", "To", "From", "Message-ID", "X-Notification-Key", "Content-Type", "Date"]


def folded(policy, name: str, value: str) -> str | type[Exception]:
    try:
        return policy.clone(linesep="\r\n")._fold(name, value, sanitize=True)
    except HeaderParseError:
        return HeaderParseError


def header_values(seed: int, count: int) -> list[str]:
    """Printable ASCII of every length around the 78-character fold, with runs of spaces and tabs,
    control characters (which compat32 treats as line breaks), and non-ASCII text."""
    rng = random.Random(seed)
    printable = "".join(chr(c) for c in range(32, 127)) + " " * 20 + "\t"
    control = "".join(chr(c) for c in range(32) if chr(c) not in "\r\n") + "\x7f"
    values = []
    for _ in range(count):
        alphabet = rng.choice([printable, printable + control, printable + "éü’—", printable + " " * 40])
        values.append("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 100))))
    return values


def test_quick_fold_writes_every_header_exactly_as_compat32_does():
    values = header_values(seed=12, count=4000)
    for name in HEADERS:
        for value in values:
            assert folded(QUICK_FOLD, name, value) == folded(compat32, name, value), (name, value)


def build(cls: type[EmailMultiAlternatives], subject: str, text: str, html: str, to: str, boundary: str = "") -> bytes:
    email = cls(
        subject=subject,
        body=text,
        from_email="reviews@localhost",
        to=[to],
        headers={
            "Date": "Mon, 07 Dec 2026 09:00:00 -0000",
            "Message-ID": "<0123456789abcdef0123456789abcdef@localhost>",
            "X-Notification-Key": "reminder:1:2026-12-30:-5:email:user:1",
        },
    )
    email.attach_alternative(html, "text/html")
    message = email.message()
    if boundary:
        message.set_boundary(boundary)
    return message.as_bytes(linesep="\r\n")


@pytest.mark.parametrize(
    ("subject", "text", "to"),
    [
        ("Reminder: NSCP-RR-2026-001: Chronology 5 working days before (30 December 2026)", "Reminder\n", "a@b.org"),
        ("Escalation: " + "a long reference and what is due, " * 4, "x" * 1200 + "\n", "lead@agency.example.org"),
        ("Children’s social care: très en retard", "Due: 30 December 2026 — overdue\n", "Zoë Lead <zoe@example.org>"),
        ("Tab\tand  double  spaces", "line\r\nline\n", "lead@agency.example.org"),
    ],
)
def test_a_reminder_email_is_byte_for_byte_what_django_builds(subject, text, to):
    html = f"<p>{text}</p>"
    ours = build(ReminderEmail, subject, text, html, to)
    boundary = message_from_bytes(ours).get_boundary()
    assert build(EmailMultiAlternatives, subject, text, html, to, boundary=boundary) == ours
    parsed = message_from_bytes(ours, policy=email_policy.default)
    # Folding may turn runs of white space into one (Django's doing, not ours: the bytes are equal).
    assert " ".join(parsed["Subject"].split()) == " ".join(subject.split())
    assert parsed.get_body(("plain",)).get_content().replace("\r\n", "\n") == text.replace("\r\n", "\n")
    assert parsed.get_body(("html",)).get_content().replace("\r\n", "\n") == html.replace("\r\n", "\n")


def test_the_boundary_is_never_one_found_in_the_text(monkeypatch):
    draws = iter(["aaaa", "bbbb"])
    monkeypatch.setattr(mime.secrets, "token_hex", lambda n: next(draws))
    assert boundary_for("a part that happens to contain ==aaaa== in it", "<p>html</p>") == "==bbbb=="
