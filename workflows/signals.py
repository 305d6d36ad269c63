"""Signals the engine sends once a change has committed (never inside the transaction)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after commit with sender=model class, instance, log (the TransitionLog row).
# Notifications listen here, so a rolled-back transition can never send a reminder.
transitioned = Signal()
