"""Clocks on a review: the rules per review kind, the partnership's settings and each review's clock rows."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from reviews.models.review import ReviewKind, ReviewState
from workflows.calendar import WorkingCalendar
from workflows.clocks import Basis, ClockSpec, DurationUnit


class ReviewClock(models.Model):
    review = models.ForeignKey("reviews.Review", on_delete=models.CASCADE, related_name="clocks")
    key = models.CharField(max_length=50)
    label = models.CharField(max_length=200)
    basis = models.CharField(max_length=10, choices=Basis.choices)
    start_event = models.CharField(max_length=40, help_text="The key date that starts the clock.")
    start_date = models.DateField(null=True, blank=True)
    duration = models.PositiveIntegerField()
    unit = models.CharField(max_length=20, choices=DurationUnit.choices)
    calendar = models.CharField(
        max_length=20,
        choices=WorkingCalendar.choices,
        help_text="The working days the due date was counted in: statute never counts closure days.",
    )
    due_date = models.DateField(null=True, blank=True)
    stop_event = models.CharField(max_length=40, blank=True)
    stop_state = models.CharField(max_length=30, blank=True)
    stopped_on = models.DateField(null=True, blank=True)
    abandoned = models.BooleanField(
        default=False, help_text="Ended with no outcome: the review was withdrawn before the clock's stop could happen."
    )

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
    """A partnership's own duration or start event for a clock docs/DOMAIN.md marks practice or unsure."""

    partnership = models.ForeignKey("reviews.Partnership", on_delete=models.CASCADE, related_name="clock_settings")
    clock_key = models.CharField(max_length=50)
    duration = models.PositiveIntegerField()
    unit = models.CharField(max_length=20, choices=DurationUnit.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partnership", "clock_key"], name="clocksetting_unique_key")]

    def __str__(self) -> str:
        return f"{self.partnership}: {self.clock_key} = {self.duration} {self.unit}"

    def clean(self) -> None:
        from reviews.models.clocks import spec_by_key

        spec = spec_by_key(self.clock_key)
        if spec is None:
            raise ValidationError({"clock_key": f"There is no clock called {self.clock_key!r}."})
        if not spec.duration_configurable:
            raise ValidationError(
                {"duration": f"'{spec.label}' is set by statute ({spec.source}) and cannot be changed."}
            )
        if self.duration == 0:
            raise ValidationError({"duration": "A clock needs a duration of at least 1."})


WD, DAYS, HOURS, MONTHS = (
    DurationUnit.WORKING_DAYS,
    DurationUnit.CALENDAR_DAYS,
    DurationUnit.HOURS,
    DurationUnit.MONTHS,
)


SERIOUS_INCIDENT_NOTIFICATION = ClockSpec(
    key="si_notification",
    label="Serious incident notification to the national Panel",
    start_events=("became_aware_on",),
    duration=5,
    unit=WD,
    basis=Basis.STATUTE,
    source="Working Together to Safeguard Children: 5 working days from becoming aware",
    stop_event="notified_on",
)


RAPID_REVIEW = ClockSpec(
    key="rapid_review",
    label="Rapid review completed and sent to the Panel",
    # The partnership's rapid_review_clock_start chooses between these (docs/DOMAIN.md: sources differ).
    start_events=("notified_on", "became_aware_on"),
    duration=15,
    unit=WD,
    basis=Basis.STATUTE,
    source="Child Safeguarding Practice Review Panel guidance: 15 working days",
    # Whatever the partners decide (a local review, none, a national review): converting or
    # withdrawing the rapid review stops nothing; it is judged on the date it went to the Panel.
    stop_event="sent_to_panel_on",
    prompt_states=(ReviewState.FINDINGS, ReviewState.CLOSED, ReviewState.WITHDRAWN),
)


CSPR_COMPLETION = ClockSpec(
    key="cspr_completion",
    label="Review completed and published",
    start_events=("decision_on",),
    duration=6,
    unit=MONTHS,
    basis=Basis.STATUTE,
    source="Working Together to Safeguard Children: published within 6 months of the decision to initiate",
    stop_event="published_on",
    # A decision not to publish (recorded with its reason, reviews/models/publication.py) completes it.
    ended_by_decision="publication_declined_on",
    ends_if_withdrawn=True,
    prompt_states=(ReviewState.ACTION_TRACKING, ReviewState.CLOSED),
)


SCR_COMPLETION = ClockSpec(
    key="scr_completion",
    label="Serious case review completed",
    start_events=("decision_on",),
    duration=6,
    unit=MONTHS,
    basis=Basis.PRACTICE,
    source="Common practice under the pre-2019 regime: 6 months",
    stop_state=ReviewState.ACTION_TRACKING,
    ends_if_withdrawn=True,
)


OFSTED_NOTIFICATION = ClockSpec(
    key="ofsted_notification",
    label="Setting notifies Ofsted",
    start_events=("became_aware_on",),
    duration=14,
    unit=DAYS,
    basis=Basis.STATUTE,
    source="Early years foundation stage: notify Ofsted within 14 days",
    stop_event="ofsted_notified_on",
)


LADO_REFERRAL = ClockSpec(
    key="lado_referral",
    label="Allegation referred to the LADO",
    start_events=("became_aware_on",),
    duration=1,
    unit=WD,
    basis=Basis.PRACTICE,
    source="Common practice: within 1 working day",
    stop_event="lado_referred_on",
)


CDR_NOTIFICATION = ClockSpec(
    key="cdr_notification",
    label="Death notified to the Child Death Overview Panel",
    # From when the notifying professional became aware of the death, not from the death itself.
    start_events=("became_aware_on",),
    duration=48,
    unit=HOURS,
    basis=Basis.PRACTICE,
    source="Child death review statutory guidance (practice): within 48 hours of becoming aware",
    stop_event="notified_on",
)


CDR_REVIEW_MEETING = ClockSpec(
    key="cdr_review_meeting",
    label="Child death review meeting held",
    start_events=("incident_on",),
    duration=3,
    unit=MONTHS,
    basis=Basis.PRACTICE,
    source="Common practice: about 3 months from the death",
    # The meeting's recorded date (reviews/models/child_death.py), not a change of stage.
    stop_event="cdr_meeting_on",
    ends_if_withdrawn=True,
)


CDOP_REVIEW = ClockSpec(
    key="cdop_review",
    label="Independent review by the CDOP",
    start_events=("incident_on",),
    duration=6,
    unit=MONTHS,
    basis=Basis.PRACTICE,
    source="Common practice: the panel within 3 to 6 months",
    stop_event="cdop_reviewed_on",
    ends_if_withdrawn=True,
)


# The joint agency response to an unexpected child death (reviews/models/child_death.py): both are
# practice, so a partnership may change their durations (ClockSetting), like the other practice clocks.
JAR_HOME_VISIT = ClockSpec(
    key="jar_home_visit",
    label="Joint home visit (joint agency response)",
    start_events=("incident_on",),
    duration=24,
    unit=HOURS,
    basis=Basis.PRACTICE,
    source="Child death review statutory guidance (practice): a joint home visit within 24 hours of the death",
    stop_event="jar_home_visit_on",
    only_if="death_unexpected",
)


JAR_INFORMATION_MEETING = ClockSpec(
    key="jar_information_meeting",
    label="Initial information-sharing and planning meeting (joint agency response)",
    start_events=("incident_on",),
    duration=3,
    unit=WD,
    basis=Basis.PRACTICE,
    source="Common practice: within 3 working days of the death (a partnership default)",
    stop_event="jar_meeting_on",
    only_if="death_unexpected",
)


DHR_DECISION = ClockSpec(
    key="dhr_decision",
    label="Decision whether to hold a review",
    start_events=("became_aware_on",),
    duration=1,
    unit=MONTHS,
    basis=Basis.STATUTE,
    source="Home Office statutory guidance: decision within 1 month of notification",
    stop_event="decision_on",
)


DHR_COMPLETION = ClockSpec(
    key="dhr_completion",
    label="Review completed",
    start_events=("decision_on",),
    duration=6,
    unit=MONTHS,
    basis=Basis.STATUTE,
    source="Home Office statutory guidance: completed within 6 months of the decision",
    # The overview report goes to the Home Office quality assurance panel before publication.
    stop_event="sent_to_qa_panel_on",
    ends_if_withdrawn=True,
    prompt_states=(ReviewState.ACTION_TRACKING, ReviewState.CLOSED),
)


SAR_DECISION = ClockSpec(
    key="sar_decision",
    label="Board decision on the referral",
    start_events=("became_aware_on",),
    duration=5,
    unit=WD,
    basis=Basis.PRACTICE,
    source="Common practice: 5 working days for each referral step",
    stop_event="decision_on",
)


SAR_COMPLETION = ClockSpec(
    key="sar_completion",
    label="Review completed",
    start_events=("decision_on",),
    duration=6,
    unit=MONTHS,
    basis=Basis.UNSURE,
    source="Not confirmed: 6 months is a common target",
    stop_state=ReviewState.ACTION_TRACKING,
    ends_if_withdrawn=True,
)


# --- onward notices (reviews/models/notices.py): each stops on the date the notice records ---------

PANEL_REPLY = ClockSpec(
    key="panel_reply",
    label="The national Panel replies to the rapid review",
    start_events=("sent_to_panel_on",),
    duration=10,
    unit=WD,
    basis=Basis.PRACTICE,
    source="Child Safeguarding Practice Review Panel practice: a reply in about 10 working days",
    stop_event="panel_replied_on",
)


LAC_DEATH_NOTICE = ClockSpec(
    key="lac_death_notice",
    label="Looked-after child's death notified to Ofsted and the Secretary of State",
    start_events=("became_aware_on",),
    duration=5,
    unit=WD,
    # The duty is statute; its deadline is not confirmed (docs/DOMAIN.md), so this one is a default.
    basis=Basis.UNSURE,
    source="The local authority must notify them (statute); no deadline is confirmed: 5 working days is common",
    stop_event="lac_death_notified_on",
    only_if="child_looked_after",
)


ADVANCE_COPY = ClockSpec(
    key="advance_copy",
    label="Final report sent to the Panel and the Secretary of State before publication",
    start_events=("published_on",),
    start_fallback="publication_planned_on",
    counts_back=True,
    duration=7,
    unit=WD,
    basis=Basis.STATUTE,
    source="Working Together to Safeguard Children: at least 7 working days before publication",
    stop_event="advance_copy_sent_on",
    # Nothing is owed for a report that will never be published.
    ends_if_withdrawn=True,
    only_if="publication_owed",
)


HOME_OFFICE_DECISION = ClockSpec(
    key="home_office_decision",
    label="The Home Office told of the decision",
    start_events=("decision_on",),
    duration=5,
    unit=WD,
    # The duty is statutory guidance; it sets no deadline, so this one is a default.
    basis=Basis.UNSURE,
    source="Home Office statutory guidance: the Home Office is told of the decision; no deadline is set",
    # Owed whatever the decision: a decision not to hold a review is reported too.
    stop_event="home_office_told_on",
)


CLOCKS_BY_KIND: dict[str, tuple[ClockSpec, ...]] = {
    ReviewKind.CHILD_DEATH: (
        CDR_NOTIFICATION,
        JAR_HOME_VISIT,
        JAR_INFORMATION_MEETING,
        CDR_REVIEW_MEETING,
        CDOP_REVIEW,
        LAC_DEATH_NOTICE,
    ),
    ReviewKind.RAPID: (SERIOUS_INCIDENT_NOTIFICATION, RAPID_REVIEW, PANEL_REPLY),
    ReviewKind.CSPR: (CSPR_COMPLETION, ADVANCE_COPY),
    ReviewKind.SCR: (SERIOUS_INCIDENT_NOTIFICATION, SCR_COMPLETION),
    ReviewKind.INSTITUTIONAL: (SERIOUS_INCIDENT_NOTIFICATION, OFSTED_NOTIFICATION, LADO_REFERRAL),
    ReviewKind.DHR: (DHR_DECISION, DHR_COMPLETION, HOME_OFFICE_DECISION),
    ReviewKind.SAR: (SAR_DECISION, SAR_COMPLETION),
}


ALL_SPECS: dict[str, ClockSpec] = {spec.key: spec for specs in CLOCKS_BY_KIND.values() for spec in specs}


def spec_by_key(key: str) -> ClockSpec | None:
    return ALL_SPECS.get(key)


def specs_for(kind: str) -> tuple[ClockSpec, ...]:
    return CLOCKS_BY_KIND.get(kind, ())


# Key dates that only stop a clock, each of the kinds whose clock it stops: recorded on a review of
# another kind they would mean nothing, so they are refused there.
STOP_DATES: dict[str, frozenset[str]] = {
    field: frozenset(kind for kind, specs in CLOCKS_BY_KIND.items() if any(s.stop_event == field for s in specs))
    for field in (
        "sent_to_panel_on",
        "published_on",
        "sent_to_qa_panel_on",
        "panel_replied_on",
        "lac_death_notified_on",
        "advance_copy_sent_on",
        "home_office_told_on",
        "jar_home_visit_on",
        "jar_meeting_on",
        "cdr_meeting_on",
        "cdop_reviewed_on",
    )
}


def stopped_by(kind: str, field: str) -> ClockSpec | None:
    """The clock of this kind that ``field`` stops, if any."""
    return next((spec for spec in specs_for(kind) if spec.stop_event == field), None)


def stage_stops_a_clock(kind: str, state: str) -> bool:
    """Whether entering ``state`` can change one of this kind's clocks (so they need recomputing).

    Withdrawing ends the clocks that end with the review; closing or withdrawing hands the
    review's running clocks' reminders over (everything else on it stops being chased). Other
    stages stop only the clocks that name them; key dates, closure days and clock settings refresh
    clocks where they are changed.
    """
    if state in (ReviewState.CLOSED, ReviewState.WITHDRAWN):
        return True
    return any(spec.stop_state == state for spec in specs_for(kind))
