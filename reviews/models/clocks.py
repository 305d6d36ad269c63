"""A review's statutory clocks, one row each, with the start event and date written down."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from workflows.clocks import Basis, DurationUnit


class ReviewClock(models.Model):
    review = models.ForeignKey("reviews.Review", on_delete=models.CASCADE, related_name="clocks")
    key = models.CharField(max_length=50)
    label = models.CharField(max_length=200)
    basis = models.CharField(max_length=10, choices=Basis.choices)
    start_event = models.CharField(max_length=40, help_text="The key date that starts the clock.")
    start_date = models.DateField(null=True, blank=True)
    duration = models.PositiveIntegerField()
    unit = models.CharField(max_length=20, choices=DurationUnit.choices)
    due_date = models.DateField(null=True, blank=True)
    stop_event = models.CharField(max_length=40, blank=True)
    stop_state = models.CharField(max_length=30, blank=True)
    stopped_on = models.DateField(null=True, blank=True)
    abandoned = models.BooleanField(default=False, help_text="Stopped because the review was withdrawn.")

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [models.UniqueConstraint(fields=["review", "key"], name="reviewclock_unique_key")]
        # The reminder sweep looks for running clocks by due date.
        indexes = [
            models.Index(
                fields=["due_date"], name="reviewclock_running_due", condition=models.Q(stopped_on__isnull=True)
            )
        ]

    def __str__(self) -> str:
        return f"{self.review}: {self.label}"


class ClockSetting(models.Model):
    """A partnership's own duration or start event for a clock DOMAIN.md marks practice or unsure."""

    partnership = models.ForeignKey("reviews.Partnership", on_delete=models.CASCADE, related_name="clock_settings")
    clock_key = models.CharField(max_length=50)
    duration = models.PositiveIntegerField()
    unit = models.CharField(max_length=20, choices=DurationUnit.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partnership", "clock_key"], name="clocksetting_unique_key")]

    def __str__(self) -> str:
        return f"{self.partnership}: {self.clock_key} = {self.duration} {self.unit}"

    def clean(self) -> None:
        from reviews.clock_rules import spec_by_key

        spec = spec_by_key(self.clock_key)
        if spec is None:
            raise ValidationError({"clock_key": f"There is no clock called {self.clock_key!r}."})
        if not spec.duration_configurable:
            raise ValidationError(
                {"duration": f"'{spec.label}' is set by statute ({spec.source}) and cannot be changed."}
            )
        if self.duration == 0:
            raise ValidationError({"duration": "A clock needs a duration of at least 1."})
