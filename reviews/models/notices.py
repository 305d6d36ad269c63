"""Onward notices: what a partnership must tell others (the national Panel, Ofsted, the Secretary of
State, the Home Office) and what the Panel says back, each recorded once with its date and content.

The date of a notice is a column of the review (``NoticeSpec.date_field``) because it stops the
notice's clock (reviews/models/clocks.py): the timeliness record, the reminder engine and the clock
rows read it like any other stop date. The notice row keeps what was sent and who recorded it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models

from reviews.models.clocks import (
    ADVANCE_COPY,
    HOME_OFFICE_DECISION,
    LAC_DEATH_NOTICE,
    PANEL_REPLY,
    SERIOUS_INCIDENT_NOTIFICATION,
)
from reviews.models.review import Review, ReviewKind
from workflows.clocks import Basis, ClockSpec


class NoticeKind(models.TextChoices):
    SERIOUS_INCIDENT = "serious_incident", "Serious incident notification"
    PANEL_REPLY = "panel_reply", "National Panel's reply"
    LAC_DEATH = "lac_death", "Notice of a looked-after child's death to Ofsted and the Secretary of State"
    ADVANCE_COPY = "advance_copy", "Advance copy of the final report"
    HOME_OFFICE_DECISION = "home_office_decision", "Notice of the decision to the Home Office"


class Notice(models.Model):
    review = models.ForeignKey("reviews.Review", on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=30, choices=NoticeKind.choices)
    sent_on = models.DateField(help_text="The date it was sent, or for a reply, the date it arrived.")
    # The serious incident notification: what the Panel asks for.
    what_happened = models.TextField(blank=True)
    agencies_involved = models.TextField(blank=True)
    immediate_actions = models.TextField(blank=True)
    # The Panel's reply to a rapid review.
    panel_agrees = models.BooleanField(null=True, blank=True)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sent_on", "id"]
        constraints = [
            # A notice goes once: a second recording of the same one is refused, even by a race.
            models.UniqueConstraint(fields=["review", "kind"], name="notice_once_per_review"),
            models.CheckConstraint(
                condition=~models.Q(kind="serious_incident")
                | (~models.Q(what_happened="") & ~models.Q(agencies_involved="") & ~models.Q(immediate_actions="")),
                name="notice_serious_incident_has_content",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="panel_reply") | models.Q(panel_agrees__isnull=False),
                name="notice_panel_reply_says_whether_it_agrees",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review}: {self.get_kind_display()}"


@dataclass(frozen=True)
class NoticeSpec:
    kind: NoticeKind
    # Who it goes to (or, for a reply, who it comes from), as a sentence ends.
    parties: str
    # The clock it stops; its stop event is the review's column holding the notice's date.
    clock: ClockSpec
    # How sure the duty itself is (docs/DOMAIN.md); the clock's basis is how sure its deadline is.
    duty: Basis
    review_kinds: frozenset[str]
    date_label: str = "Date sent"
    # The content fields the notice asks for, all required (the Panel's notification form's).
    content: tuple[str, ...] = ()

    @property
    def date_field(self) -> str:
        assert self.clock.stop_event  # every notice's clock stops on the notice's date
        return self.clock.stop_event

    @property
    def label(self) -> str:
        return NoticeKind(self.kind).label

    @property
    def in_a_sentence(self) -> str:
        """The label after "the": "the serious incident notification"."""
        return self.label[:1].lower() + self.label[1:]

    def applies_to(self, review: Review) -> bool:
        if review.kind not in self.review_kinds:
            return False
        return not self.clock.only_if or bool(getattr(review, self.clock.only_if))


NOTICES: tuple[NoticeSpec, ...] = (
    NoticeSpec(
        kind=NoticeKind.SERIOUS_INCIDENT,
        parties="the national Child Safeguarding Practice Review Panel and the local partners",
        clock=SERIOUS_INCIDENT_NOTIFICATION,
        duty=Basis.STATUTE,
        review_kinds=frozenset({ReviewKind.RAPID, ReviewKind.SCR, ReviewKind.INSTITUTIONAL}),
        content=("what_happened", "agencies_involved", "immediate_actions"),
    ),
    NoticeSpec(
        kind=NoticeKind.PANEL_REPLY,
        parties="the national Panel, replying to the rapid review",
        clock=PANEL_REPLY,
        duty=Basis.PRACTICE,
        review_kinds=frozenset({ReviewKind.RAPID}),
        date_label="Date the reply arrived",
        content=("panel_agrees",),
    ),
    NoticeSpec(
        kind=NoticeKind.LAC_DEATH,
        parties="Ofsted and the Secretary of State",
        clock=LAC_DEATH_NOTICE,
        duty=Basis.STATUTE,
        review_kinds=frozenset({ReviewKind.CHILD_DEATH}),
    ),
    NoticeSpec(
        kind=NoticeKind.ADVANCE_COPY,
        parties="the national Panel and the Secretary of State, before publication",
        clock=ADVANCE_COPY,
        duty=Basis.STATUTE,
        review_kinds=frozenset({ReviewKind.CSPR}),
    ),
    NoticeSpec(
        kind=NoticeKind.HOME_OFFICE_DECISION,
        parties="the Home Office",
        clock=HOME_OFFICE_DECISION,
        duty=Basis.STATUTE,
        review_kinds=frozenset({ReviewKind.DHR}),
    ),
)

NOTICE_SPECS: dict[str, NoticeSpec] = {spec.kind: spec for spec in NOTICES}


def notices_for(review: Review) -> tuple[NoticeSpec, ...]:
    """The notices owed on this review, in the order they usually happen."""
    return tuple(spec for spec in NOTICES if spec.applies_to(review))
