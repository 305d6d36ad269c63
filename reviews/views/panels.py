"""Panel meetings: the list, scheduling, the meeting page (agenda, attendance, papers, minutes,
decisions) and the papers of each agenda review.

A meeting exists for a user only if they coordinate its partnership or were invited: everyone
else gets a 404. The papers (merged chronology and agency reports) are released to the meeting's
attendees only: invitees not recorded as absent, and the partnership's coordinators who run it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from reviews.forms.panels import (
    AttendanceForm,
    DecisionForm,
    MinutesForm,
    PanelAgendaForm,
    PanelInviteForm,
    PanelMeetingForm,
)
from reviews.models import Review
from reviews.models.contributions import REPORT_SECTIONS
from reviews.permissions import (
    READ_PAPERS,
    RUN_MEETING,
    MeetingAccess,
    meeting_for,
    partnerships_for,
    partnerships_user_coordinates,
)
from reviews.selectors.chronology import (
    CHRONOLOGY_PAGE_SIZE,
    ChronologyScope,
    agency_colours,
    colour_class,
    merged_entries,
)
from reviews.selectors.panels import (
    agenda_candidates,
    agenda_review,
    meetings_for_user,
    quorum_missing,
    submitted_reports,
)
from reviews.services.access_log import access_record
from reviews.services.panels import (
    panel_agenda_add,
    panel_attendance_record,
    panel_decision_record,
    panel_invite,
    panel_meeting_create,
    panel_minutes_save,
)
from reviews.services.subjects import IdentityCheck
from ui.pagination import paginate
from ui.views import form_page, post_only, redirect_once, submit
from workflows.once import submit_once
from workflows.runner import TransitionRefused
from workflows.types import AuthenticatedHttpRequest


@login_required
def panel_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    coordinated = [p.pk for p in partnerships_user_coordinates(request.user)]
    pages = paginate(meetings_for_user(request.user, coordinated), request.GET, singular="meeting", plural="meetings")
    return render(
        request,
        "reviews/panels/list.html",
        {"pages": pages, "meetings": pages.page.object_list, "can_schedule": bool(coordinated)},
    )


@login_required
def panel_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    partnerships = partnerships_for(request.user, "schedule a panel meeting")
    form = PanelMeetingForm(
        request.POST if request.method == "POST" else None,
        partnerships=partnerships,
        initial={"partnership": partnerships[0].pk},
    )
    # A double click or a resent POST schedules the meeting once (workflows.once).
    sent = submit(
        form,
        lambda data: submit_once(
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
        ),
    )
    if sent.saved and sent.result is not None:
        return redirect_once(
            request,
            *sent.result,
            success=lambda _meeting: "The panel meeting has been scheduled.",
            repeated="This form had already been sent: the meeting was scheduled once, here it is.",
        )
    return form_page(request, "reviews/panels/new.html", sent, {})


def _render_panel(
    request: AuthenticatedHttpRequest,
    access: MeetingAccess,
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
        agenda_candidates(meeting, request.user).exclude(pk__in=on_agenda)
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
    return render(request, "reviews/panels/detail.html", context, status=status)


@login_required
def panel_detail(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    return _render_panel(request, meeting_for(request.user, meeting_id))


@login_required
def panel_invite_view(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    access = meeting_for(request.user, meeting_id, RUN_MEETING, "invite panel members")
    if (refused := post_only(request)) is not None:
        return refused
    form = PanelInviteForm(request.POST, partnership_id=access.meeting.partnership_id)
    sent = submit(
        form,
        lambda data: panel_invite(
            actor=request.user, meeting_id=access.meeting.pk, user=data["user"], agency=data["agency"]
        ),
    )
    if sent.saved:
        messages.success(request, f"{form.cleaned_data['user'].get_full_name()} has been invited.")
        return redirect("reviews:panel", meeting_id=access.meeting.pk)
    return _render_panel(request, access, forms={"invite": form}, status=400)


@login_required
def panel_agenda_view(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    access = meeting_for(request.user, meeting_id, RUN_MEETING, "set the agenda")
    if (refused := post_only(request)) is not None:
        return refused
    form = PanelAgendaForm(request.POST, reviews=agenda_candidates(access.meeting, request.user))
    sent = submit(
        form,
        lambda data: panel_agenda_add(actor=request.user, meeting_id=access.meeting.pk, review_id=data["review"].pk),
    )
    if sent.saved:
        messages.success(request, f"{form.cleaned_data['review'].reference} is on the agenda.")
        return redirect("reviews:panel", meeting_id=access.meeting.pk)
    return _render_panel(request, access, forms={"agenda": form}, status=400)


@login_required
def panel_attendance_view(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    access = meeting_for(request.user, meeting_id, RUN_MEETING, "record attendance")
    if (refused := post_only(request)) is not None:
        return refused
    invitations = list(access.meeting.invitations.select_related("user", "agency").order_by("id"))
    form = AttendanceForm(request.POST, invitations=invitations)
    sent = submit(
        form,
        lambda _data: panel_attendance_record(
            actor=request.user, meeting_id=access.meeting.pk, attended=form.attended()
        ),
    )
    if sent.saved:
        messages.success(request, "Attendance has been recorded.")
        return redirect("reviews:panel", meeting_id=access.meeting.pk)
    return _render_panel(request, access, forms={"attendance": form}, status=400)


@login_required
def panel_minutes_view(request: AuthenticatedHttpRequest, meeting_id: int) -> HttpResponse:
    access = meeting_for(request.user, meeting_id, RUN_MEETING, "write the minutes")
    if (refused := post_only(request)) is not None:
        return refused
    form = MinutesForm(request.POST)
    sent = submit(
        form,
        lambda data: panel_minutes_save(actor=request.user, meeting_id=access.meeting.pk, minutes=data["minutes"]),
        check=IdentityCheck(
            actor=request.user,
            target=access.meeting,
            review_ids=access.meeting.agenda.values_list("review_id", flat=True),
            fields=("minutes",),
            what="panel minutes",
        ),
    )
    if sent.saved:
        messages.success(request, "The minutes have been saved.")
        return redirect("reviews:panel", meeting_id=access.meeting.pk)
    return _render_panel(request, access, forms={"minutes": form}, status=400)


def _agenda_review(access: MeetingAccess, reference: str) -> Review:
    review = agenda_review(access.meeting, reference)
    if review is None:
        raise Http404("That review is not on this meeting's agenda.")
    return review


@login_required
def panel_decision_view(request: AuthenticatedHttpRequest, meeting_id: int, reference: str) -> HttpResponse:
    access = meeting_for(request.user, meeting_id, RUN_MEETING, "record the panel's decisions")
    review = _agenda_review(access, reference)
    form = DecisionForm(request.POST if request.method == "POST" else None, review=review)
    sent = submit(
        form,
        lambda data: panel_decision_record(
            actor=request.user,
            meeting_id=access.meeting.pk,
            review_id=review.pk,
            outcome=data["outcome"],
            rationale=data["rationale"],
            other_action=data.get("other_action", ""),
        ),
        refused=TransitionRefused,
        check=IdentityCheck(
            actor=request.user, target=review, fields=("rationale", "other_action"), what="panel decision"
        ),
    )
    if sent.saved and sent.result is not None:
        decision = sent.result
        text = f"The decision on {review.reference} has been recorded."
        if decision.resulting_review is not None:
            text += f" It was converted into {decision.resulting_review.reference}."
        messages.success(request, text)
        return redirect("reviews:panel", meeting_id=access.meeting.pk)
    return form_page(
        request,
        "reviews/panels/decision.html",
        sent,
        {"meeting": access.meeting, "review": review, "missing": quorum_missing(access.meeting)},
    )


@login_required
def panel_papers(request: AuthenticatedHttpRequest, meeting_id: int, reference: str) -> HttpResponse:
    access = meeting_for(request.user, meeting_id, READ_PAPERS, "read its papers")
    review = _agenda_review(access, reference)
    colours = {agency_id: colour_class(hex_colour) for agency_id, hex_colour in agency_colours(review).items()}
    entries = merged_entries(review, ChronologyScope(True, frozenset()))
    # The chronology a page at a time, as on the merged chronology page (issue 12: 3 MB pages).
    pages = paginate(entries, request.GET, singular="entry", plural="entries", per_page=CHRONOLOGY_PAGE_SIZE)
    reports = submitted_reports(review)
    # Reading case papers is attributable, like exporting them.
    access_record(request, review, "panel_papers", meeting=access.meeting.pk)
    return render(
        request,
        "reviews/panels/papers.html",
        {
            "meeting": access.meeting,
            "review": review,
            "pages": pages,
            "rows": [(entry, colours.get(entry.contribution.agency_id, "")) for entry in pages.page.object_list],
            "reports": [
                (report, [(label, getattr(report, name)) for name, label in REPORT_SECTIONS]) for report in reports
            ],
        },
    )
