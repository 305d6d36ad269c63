"""Panel meetings: the list, scheduling, the meeting page (agenda, attendance, papers, minutes,
decisions) and the papers of each agenda review.

A meeting exists for a user only if they coordinate its partnership or were invited: everyone
else gets a 404. The papers (merged chronology and agency reports) are released to the meeting's
attendees only: invitees not recorded as absent, and the partnership's coordinators who run it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse

from reviews.forms.panels import (
    AttendanceForm,
    DecisionForm,
    MinutesForm,
    PanelAgendaForm,
    PanelInviteForm,
    PanelMeetingForm,
)
from reviews.models import PanelMeeting, Review, Role
from reviews.models.contributions import REPORT_SECTIONS, AgencyReport, ContributionState
from reviews.permissions import partnerships_user_coordinates
from reviews.selectors.chronology import ChronologyScope, agency_colours, colour_class, merged_entries
from reviews.services.access_log import access_record
from reviews.services.panels import (
    panel_agenda_add,
    panel_attendance_record,
    panel_decision_record,
    panel_invite,
    panel_meeting_create,
    panel_minutes_save,
    quorum_missing,
)
from reviews.views._common import render_page
from workflows.once import submit_once
from workflows.runner import TransitionRefused


@dataclass(frozen=True)
class PanelAccess:
    meeting: PanelMeeting
    is_coordinator: bool
    invited: bool
    absent: bool

    @property
    def sees_papers(self) -> bool:
        return self.is_coordinator or (self.invited and not self.absent)


def panel_get_for_user(user: Any, meeting_id: int) -> PanelAccess:
    meeting = PanelMeeting.objects.select_related("partnership", "chair").filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404("No such meeting.")
    coordinated = {p.pk for p in partnerships_user_coordinates(user)}
    invitation = meeting.invitations.filter(user_id=getattr(user, "pk", None)).first()
    if meeting.partnership_id not in coordinated and invitation is None:
        raise Http404("No such meeting.")
    return PanelAccess(
        meeting=meeting,
        is_coordinator=meeting.partnership_id in coordinated,
        invited=invitation is not None,
        absent=invitation is not None and invitation.attended is False,
    )


def _require_coordinator(access: PanelAccess, doing: str) -> None:
    if not access.is_coordinator:
        raise PermissionDenied(f"Only a review coordinator of the partnership can {doing}.")


def _coordinated_reviews(meeting: PanelMeeting, user: Any) -> QuerySet[Review]:
    """The reviews of the meeting's partnership that ``user`` coordinates: what they may put on its agenda."""
    return Review.objects.filter(partnership=meeting.partnership, roles__user=user, roles__role=Role.COORDINATOR)


@login_required
def panel_list(request: HttpRequest) -> HttpResponse:
    coordinated = [p.pk for p in partnerships_user_coordinates(request.user)]
    meetings = (
        PanelMeeting.objects.filter(partnership_id__in=coordinated)
        | PanelMeeting.objects.filter(invitations__user=request.user)
    ).distinct()
    return render_page(
        request,
        "reviews/panels/list.html",
        {
            "meetings": list(meetings.select_related("partnership", "chair").order_by("-held_on", "-id")),
            "can_schedule": bool(coordinated),
        },
    )


@login_required
def panel_new(request: HttpRequest) -> HttpResponse:
    partnerships = partnerships_user_coordinates(request.user)
    if not partnerships:
        raise PermissionDenied("Only a review coordinator can schedule a panel meeting.")
    form = PanelMeetingForm(
        request.POST if request.method == "POST" else None,
        partnerships=partnerships,
        initial={"partnership": partnerships[0].pk},
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            # A double click or a resent POST schedules the meeting once (workflows.once).
            meeting, url = submit_once(
                token=data["submission"],
                user=request.user,
                create=lambda: panel_meeting_create(
                    actor=request.user,
                    partnership=data["partnership"],
                    held_on=data["held_on"],
                    chair=data["chair"],
                    title=data["title"],
                ),
                result_url=lambda meeting: reverse("reviews:panel", args=[meeting.pk]),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            if meeting is None:
                messages.info(request, "This form had already been sent: the meeting was scheduled once, here it is.")
            else:
                messages.success(request, "The panel meeting has been scheduled.")
            return redirect(url)
    return render_page(
        request,
        "reviews/panels/new.html",
        {"form": form, "error_summary": form.error_summary()},
        status=400 if form.errors else 200,
    )


def _render_panel(
    request: HttpRequest,
    access: PanelAccess,
    *,
    forms: dict[str, Any] | None = None,
    refusal: TransitionRefused | None = None,
    status: int = 200,
) -> HttpResponse:
    meeting = access.meeting
    forms = forms or {}
    invitations = list(meeting.invitations.select_related("user", "agency").order_by("id"))
    agenda = list(meeting.agenda.select_related("review"))
    decisions = {d.review_id: d for d in meeting.decisions.select_related("resulting_review", "recorded_by")}
    on_agenda = {item.review_id for item in agenda}
    agenda_choices = (
        _coordinated_reviews(meeting, request.user).exclude(pk__in=on_agenda)
        if access.is_coordinator
        else Review.objects.none()
    )
    error_form = next((f for f in forms.values() if f is not None and f.errors), None)
    context = {
        "meeting": meeting,
        "access": access,
        "invitations": invitations,
        "agenda": [(item, decisions.get(item.review_id)) for item in agenda],
        "missing": quorum_missing(meeting),
        "invite_form": forms.get("invite") or PanelInviteForm(partnership_id=meeting.partnership_id),
        "agenda_form": forms.get("agenda") or PanelAgendaForm(reviews=agenda_choices),
        "attendance_form": forms.get("attendance") or AttendanceForm(invitations=invitations),
        "minutes_form": forms.get("minutes") or MinutesForm(initial={"minutes": meeting.minutes}),
        "refusal": refusal,
        "error_summary": error_form.error_summary() if error_form is not None else [],
    }
    return render_page(request, "reviews/panels/detail.html", context, status=status)


@login_required
def panel_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _render_panel(request, panel_get_for_user(request.user, meeting_id))


def _post_only(request: HttpRequest) -> HttpResponse | None:
    return HttpResponseNotAllowed(["POST"]) if request.method != "POST" else None


@login_required
def panel_invite_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    access = panel_get_for_user(request.user, meeting_id)
    _require_coordinator(access, "invite panel members")
    if (refused := _post_only(request)) is not None:
        return refused
    form = PanelInviteForm(request.POST, partnership_id=access.meeting.partnership_id)
    if form.is_valid():
        try:
            panel_invite(
                actor=request.user,
                meeting_id=access.meeting.pk,
                user=form.cleaned_data["user"],
                agency=form.cleaned_data["agency"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{form.cleaned_data['user'].get_full_name()} has been invited.")
            return redirect("reviews:panel", meeting_id=access.meeting.pk)
    return _render_panel(request, access, forms={"invite": form}, status=400)


@login_required
def panel_agenda_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    access = panel_get_for_user(request.user, meeting_id)
    _require_coordinator(access, "set the agenda")
    if (refused := _post_only(request)) is not None:
        return refused
    form = PanelAgendaForm(request.POST, reviews=_coordinated_reviews(access.meeting, request.user))
    if form.is_valid():
        try:
            panel_agenda_add(actor=request.user, meeting_id=access.meeting.pk, review_id=form.cleaned_data["review"].pk)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{form.cleaned_data['review'].reference} is on the agenda.")
            return redirect("reviews:panel", meeting_id=access.meeting.pk)
    return _render_panel(request, access, forms={"agenda": form}, status=400)


@login_required
def panel_attendance_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    access = panel_get_for_user(request.user, meeting_id)
    _require_coordinator(access, "record attendance")
    if (refused := _post_only(request)) is not None:
        return refused
    invitations = list(access.meeting.invitations.select_related("user", "agency").order_by("id"))
    form = AttendanceForm(request.POST, invitations=invitations)
    if form.is_valid():
        try:
            panel_attendance_record(actor=request.user, meeting_id=access.meeting.pk, attended=form.attended())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Attendance has been recorded.")
            return redirect("reviews:panel", meeting_id=access.meeting.pk)
    return _render_panel(request, access, forms={"attendance": form}, status=400)


@login_required
def panel_minutes_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    access = panel_get_for_user(request.user, meeting_id)
    _require_coordinator(access, "write the minutes")
    if (refused := _post_only(request)) is not None:
        return refused
    form = MinutesForm(request.POST)
    if form.is_valid():
        panel_minutes_save(actor=request.user, meeting_id=access.meeting.pk, minutes=form.cleaned_data["minutes"])
        messages.success(request, "The minutes have been saved.")
        return redirect("reviews:panel", meeting_id=access.meeting.pk)
    return _render_panel(request, access, forms={"minutes": form}, status=400)


def _agenda_review(access: PanelAccess, reference: str) -> Review:
    review = Review.objects.filter(panel_agenda_items__meeting=access.meeting, reference=reference).first()
    if review is None:
        raise Http404("That review is not on this meeting's agenda.")
    return review


@login_required
def panel_decision_view(request: HttpRequest, meeting_id: int, reference: str) -> HttpResponse:
    access = panel_get_for_user(request.user, meeting_id)
    _require_coordinator(access, "record the panel's decisions")
    review = _agenda_review(access, reference)
    form = DecisionForm(request.POST if request.method == "POST" else None, review=review)
    refusal = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            decision = panel_decision_record(
                actor=request.user,
                meeting_id=access.meeting.pk,
                review_id=review.pk,
                outcome=data["outcome"],
                rationale=data["rationale"],
                other_action=data.get("other_action", ""),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        except TransitionRefused as refused:
            refusal = refused
        else:
            text = f"The decision on {review.reference} has been recorded."
            if decision.resulting_review_id:
                text += f" It was converted into {decision.resulting_review.reference}."
            messages.success(request, text)
            return redirect("reviews:panel", meeting_id=access.meeting.pk)
    status = 409 if refusal else 400 if form.errors else 200
    return render_page(
        request,
        "reviews/panels/decision.html",
        {
            "meeting": access.meeting,
            "review": review,
            "form": form,
            "missing": quorum_missing(access.meeting),
            "refusal": refusal,
            "error_summary": form.error_summary(),
        },
        status=status,
    )


@login_required
def panel_papers(request: HttpRequest, meeting_id: int, reference: str) -> HttpResponse:
    access = panel_get_for_user(request.user, meeting_id)
    if not access.sees_papers:
        raise PermissionDenied("The papers are released to the meeting's attendees only.")
    review = _agenda_review(access, reference)
    colours = {agency_id: colour_class(hex_colour) for agency_id, hex_colour in agency_colours(review).items()}
    entries = merged_entries(review, ChronologyScope(True, frozenset())).select_related("contribution__agency")
    reports = list(
        AgencyReport.objects.filter(
            contribution__review=review,
            contribution__state__in=[ContributionState.SUBMITTED, ContributionState.ACCEPTED],
        )
        .select_related("contribution__agency")
        .order_by("contribution__agency__name")
    )
    # Reading case papers is attributable, like exporting them.
    access_record(request, review, "panel_papers", meeting=access.meeting.pk)
    return render_page(
        request,
        "reviews/panels/papers.html",
        {
            "meeting": access.meeting,
            "review": review,
            "rows": [(entry, colours.get(entry.contribution.agency_id, "")) for entry in entries],
            "reports": [
                (report, [(label, getattr(report, name)) for name, label in REPORT_SECTIONS]) for report in reports
            ],
        },
    )
