"""A child death review as a CDOP runs it (docs/DOMAIN.md, Child death reviews): the notification
dataset, the joint agency response to an unexpected death, the child death review meeting and the
CDOP's independent review.

Facts that start or stop a clock are columns of the review (``Review.death_unexpected``,
``jar_home_visit_on``, ``jar_meeting_on``, ``cdr_meeting_on``, ``cdop_reviewed_on``), as the onward
notices' dates are, so the clock rows, the timeliness record and the reminders read them like any
other key date. The rows here keep the rest: what was recorded, by whom and when.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django_fsm import FSMField, FSMModelMixin, transition

from reviews.models.ethnicity import Ethnicity
from reviews.models.roles import review_role_permission
from workflows.conditions import Permission

if TYPE_CHECKING:
    from datetime import date

    from reviews.models.review import Review


class PlaceOfDeath(models.TextChoices):
    HOSPITAL = "hospital", "Hospital"
    HOSPICE = "hospice", "Hospice"
    HOME = "home", "The child's normal home"
    OTHER_RESIDENCE = "other_residence", "Another private residence"
    PUBLIC_PLACE = "public_place", "A public place"
    ABROAD = "abroad", "Abroad"
    OTHER = "other", "Somewhere else"
    NOT_KNOWN = "not_known", "Not known"


class Disability(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_KNOWN = "not_known", "Not known"


class ChildDeathStage(models.TextChoices):
    AWAITING_MEETING = "awaiting_meeting", "Awaiting the child death review meeting"
    MEETING_HELD = "meeting_held", "Child death review meeting held"
    CDOP_REVIEWED = "cdop_reviewed", "Reviewed by the CDOP"


def _review_of(record: ChildDeath) -> Review:
    return record.review


is_review_coordinator: Permission[ChildDeath] = review_role_permission("coordinate_review", _review_of)


class ChildDeath(FSMModelMixin, models.Model):
    """One per child death review: the notification dataset, then the two recorded steps (the child
    death review meeting, then the CDOP's independent review), each logged in the review's history."""

    review = models.OneToOneField("reviews.Review", on_delete=models.CASCADE, related_name="child_death")
    state = FSMField(default=ChildDeathStage.AWAITING_MEETING, choices=ChildDeathStage.choices, protected=True)

    # The notification dataset. Expected or not is Review.death_unexpected (it starts the joint
    # agency response's clocks); the date of death is Review.incident_on; looked after is
    # Review.child_looked_after.
    place_of_death = models.CharField(max_length=20, choices=PlaceOfDeath.choices, blank=True)
    ethnicity = models.CharField(max_length=40, choices=Ethnicity.choices, blank=True)
    disability = models.CharField(max_length=10, choices=Disability.choices, blank=True)
    home_local_authority = models.CharField(max_length=100, blank=True)
    notifier_name = models.CharField("notifying professional", max_length=200, blank=True)
    notifier_role = models.CharField("notifier's role and organisation", max_length=200, blank=True)
    # The 48-hour clock counts in dates from Review.became_aware_on; the time is kept as recorded.
    became_aware_at = models.TimeField("time the notifier became aware", null=True, blank=True)
    dataset_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    dataset_recorded_at = models.DateTimeField(null=True, blank=True)

    # The child death review meeting (its date is Review.cdr_meeting_on, which stops its clock).
    post_mortem_received_on = models.DateField("date the post-mortem report was received", null=True, blank=True)
    no_post_mortem = models.BooleanField("no post-mortem was held", default=False)
    notice_given_on = models.DateField("date notice of the meeting was given", null=True, blank=True)
    meeting_held_on = models.DateField(null=True, blank=True)
    meeting_notes = models.TextField(blank=True)

    # The CDOP's independent review, on anonymised papers (its date is Review.cdop_reviewed_on).
    cdop_reviewed_on = models.DateField(null=True, blank=True)
    cdop_notes = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state=ChildDeathStage.MEETING_HELD) | models.Q(meeting_held_on__isnull=False),
                name="childdeath_meeting_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Child death review of {self.review}"

    @transition(
        field=state,
        source=ChildDeathStage.AWAITING_MEETING,
        target=ChildDeathStage.MEETING_HELD,
        permission=is_review_coordinator,
        custom={
            "label": "Record the child death review meeting",
            "doing": "record the child death review meeting",
            "history": "Child death review meeting held",
        },
    )
    def hold_meeting(
        self,
        held_on: date,
        post_mortem_received_on: date | None,
        no_post_mortem: bool,
        notice_given_on: date,
        notes: str,
    ) -> None:
        self.meeting_held_on = held_on
        self.post_mortem_received_on = post_mortem_received_on
        self.no_post_mortem = no_post_mortem
        self.notice_given_on = notice_given_on
        self.meeting_notes = notes

    @transition(
        field=state,
        source=ChildDeathStage.MEETING_HELD,
        target=ChildDeathStage.CDOP_REVIEWED,
        permission=is_review_coordinator,
        custom={
            "label": "Record the CDOP's review",
            "doing": "record the CDOP's independent review",
            "history": "Independent review by the CDOP",
        },
    )
    def complete_cdop_review(self, reviewed_on: date, notes: str) -> None:
        self.cdop_reviewed_on = reviewed_on
        self.cdop_notes = notes


class JarItem(models.TextChoices):
    """The joint agency response's steps that have a practice clock (docs/DOMAIN.md)."""

    HOME_VISIT = "home_visit", "Joint home visit"
    INFORMATION_MEETING = "information_meeting", "Initial information-sharing and planning meeting"


# Each item's date is the review column that stops its clock (reviews/models/clocks.py).
JAR_DATE_FIELDS: dict[str, str] = {
    JarItem.HOME_VISIT: "jar_home_visit_on",
    JarItem.INFORMATION_MEETING: "jar_meeting_on",
}


class JointAgencyResponseItem(models.Model):
    """One step of the joint agency response after an unexpected death: when, and who did it."""

    review = models.ForeignKey("reviews.Review", on_delete=models.CASCADE, related_name="jar_items")
    item = models.CharField(max_length=30, choices=JarItem.choices)
    done_on = models.DateField()
    done_at = models.TimeField(null=True, blank=True)
    done_by = models.TextField(help_text="Who took part: roles and agencies, e.g. 'DS, police; paediatrician'.")
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["done_on", "id"]
        constraints = [models.UniqueConstraint(fields=["review", "item"], name="jaritem_once_per_review")]

    def __str__(self) -> str:
        return f"{self.review}: {self.get_item_display()}"
