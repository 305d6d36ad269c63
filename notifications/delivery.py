"""Turning an outbox row into an e-mail and sending it: Django's e-mail backend (SMTP in
production, files under var/mail/ in the embedded default), or GOV.UK Notify when NOTIFY_API_KEY
is set. Errors are sorted into permanent (a 5xx refusal: retrying cannot help) and transient."""

from __future__ import annotations

import hashlib
import json
import smtplib
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string

from notifications import conf
from notifications.mime import ReminderEmail
from notifications.policies import step_label

if TYPE_CHECKING:
    from notifications.models import Notification


class DeliveryError(Exception):
    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


def _item(row: Notification) -> dict[str, Any]:
    context = row.context or {}
    link = context.get("link", "")
    return {
        "reference": context.get("reference", ""),
        "what": context.get("what", "A deadline"),
        "owner": context.get("owner", ""),
        "due_date": row.due_date,
        "step": row.step,
        "when": step_label(row.step) if row.step is not None else "",
        "escalation": row.escalation,
        "moved": bool(context.get("moved")),
        "url": f"{conf.site_url()}{link}" if link else conf.site_url() + "/",
    }


def render(row: Notification, *, items: list[Notification] | None = None) -> tuple[str, str, str]:
    """(subject, text, html) for a row; a digest lists its folded reminders."""
    if row.kind == "digest":
        entries = [_item(item) for item in items or []]
        context = {"items": entries, "date": row.context.get("date", ""), "site_url": conf.site_url()}
        count = len(entries)
        subject = f"Your review reminders: {count} deadline{'s' if count != 1 else ''} need attention"
        template = "digest"
    else:
        item = _item(row)
        context = {"item": item, "site_url": conf.site_url()}
        due = f"{row.due_date:%d %B %Y}" if row.due_date else ""
        if row.kind == "message":
            subject = f"{item['reference']}: {item['what']}"
            template = "message"
            context["body"] = (row.context or {}).get("body", "")
        elif row.kind == "deadline_set":
            verb = "due date moved to" if item["moved"] else "due by"
            subject = f"{item['reference']}: {item['what']} {verb} {due}"
            template = "deadline_set"
        else:
            prefix = "Escalation: " if row.escalation else "Reminder: "
            subject = f"{prefix}{item['reference']}: {item['what']} {item['when']} ({due})"
            template = "reminder"
    text = render_to_string(f"notifications/email/{template}.txt", context)
    html = render_to_string(f"notifications/email/{template}.html", context)
    return subject[:200], text, html


Rendered = tuple[str, str, str]


def content_key(row: Notification) -> tuple[Any, ...] | None:
    """Everything a reminder's or an announcement's subject and body are made of (no e-mail names
    its recipient): rows with equal keys read the same, so a batch renders them once. None for a
    digest, whose body is its folded rows."""
    if row.kind == "digest":
        return None
    return (row.kind, row.step, row.escalation, row.due_date, json.dumps(row.context, sort_keys=True, default=str))


def render_once(
    row: Notification, rendered: dict[tuple[Any, ...], Rendered], *, items: list[Notification] | None = None
) -> Rendered:
    """``render``, reusing what ``rendered`` (one batch's) holds for a row that reads the same."""
    key = content_key(row)
    if key is None:
        return render(row, items=items)
    if key not in rendered:
        rendered[key] = render(row)
    return rendered[key]


def message_id(row: Notification) -> str:
    # Deterministic, so a receiving system can drop a copy sent twice after a lost worker.
    digest = hashlib.sha256(row.idempotency_key.encode()).hexdigest()[:32]
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    return f"<{digest}@{domain}>"


def send_notification(
    row: Notification,
    *,
    items: list[Notification] | None = None,
    connection: BaseEmailBackend | None = None,
    rendered: dict[tuple[Any, ...], Rendered] | None = None,
) -> None:
    """Send one row. ``connection``: an SMTP connection a batch keeps open for all its rows;
    without it, one connection is opened for this message alone. ``rendered``: a batch's rendered
    e-mails by ``content_key``, shared by its rows."""
    if not row.email:
        raise DeliveryError("No e-mail address to send to.", permanent=True)
    subject, text, html = render(row, items=items) if rendered is None else render_once(row, rendered, items=items)
    if conf.notify_api_key():
        _send_with_notify(row, subject, text)
        return
    message = ReminderEmail(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.email],
        headers={"Message-ID": message_id(row), "X-Notification-Key": row.idempotency_key[:200]},
        connection=connection or get_connection(fail_silently=False),
    )
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        detail = "; ".join(
            f"{address}: {code} {reply.decode(errors='replace')}" for address, (code, reply) in error.recipients.items()
        )
        raise DeliveryError(
            f"The mail server refused the recipient: {detail}", permanent=all(c >= 500 for c in codes)
        ) from error
    except smtplib.SMTPResponseException as error:
        reply = (
            error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else str(error.smtp_error)
        )
        raise DeliveryError(
            f"The mail server answered {error.smtp_code} {reply}", permanent=error.smtp_code >= 500
        ) from error
    except (smtplib.SMTPException, OSError) as error:
        raise DeliveryError(f"Could not reach the mail server: {error!r}", permanent=False) from error
    except ValueError as error:  # Django refuses an address it cannot parse
        raise DeliveryError(f"Invalid e-mail address {row.email!r}: {error}", permanent=True) from error


def _send_with_notify(row: Notification, subject: str, text: str) -> None:
    """GOV.UK Notify: one template with ((subject)) and ((body)) placeholders (NOTIFY_TEMPLATE_ID)."""
    from notifications_python_client.errors import HTTPError
    from notifications_python_client.notifications import NotificationsAPIClient

    client = NotificationsAPIClient(conf.notify_api_key())
    try:
        client.send_email_notification(
            email_address=row.email,
            template_id=conf.notify_template_id(),
            personalisation={"subject": subject, "body": text},
            reference=row.idempotency_key[:255],
        )
    except HTTPError as error:
        status = getattr(error, "status_code", 0) or 0
        # 400/403: a bad address or key, permanent; 429 and 5xx: try again later.
        raise DeliveryError(
            f"GOV.UK Notify answered {status}: {error.message}", permanent=400 <= status < 429 and status != 408
        ) from error
    except Exception as error:
        raise DeliveryError(f"Could not reach GOV.UK Notify: {error!r}", permanent=False) from error
