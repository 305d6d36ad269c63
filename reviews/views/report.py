"""The overview report: its versions, one version's sections (edited while it is the newest draft),
the diff between two versions, the standalone document, and marking a version final.

The report's drafts are read by the coordinator, the chair and the panel (logged); the coordinator
and the chair write them. An agency lead sees a draft only through a factual accuracy round.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from reviews.forms.report import DiffForm, SectionForm, VersionForm
from reviews.models import ReportSection, ReportVersion
from reviews.permissions import COORDINATE, REPORT_READERS, REPORT_WRITERS, ReviewAccess, review_for
from reviews.selectors.accuracy import review_rounds
from reviews.selectors.report import (
    frozen_reason,
    report_for,
    report_html,
    report_versions,
    shown_sections,
    version_diff,
    version_get,
)
from reviews.services.access_log import access_record
from reviews.services.accuracy import accuracy_rounds_close_past_due
from reviews.services.report import (
    SectionData,
    report_section_delete,
    report_section_move,
    report_section_save,
    report_version_finalise,
    report_version_new,
)
from reviews.services.subjects import IdentityCheck
from ui.views import form_page, post_only, redirect_once, submit
from workflows.once import submit_once
from workflows.runner import TransitionRefused
from workflows.types import AuthenticatedHttpRequest


def _reader(request: AuthenticatedHttpRequest, reference: str) -> ReviewAccess:
    return review_for(request.user, reference, REPORT_READERS, "read the overview report")


def _writer(request: AuthenticatedHttpRequest, reference: str) -> ReviewAccess:
    return review_for(request.user, reference, REPORT_WRITERS, "write the overview report")


def _version_or_404(access: ReviewAccess, number: int) -> ReportVersion:
    version = version_get(access.review, number)
    if version is None:
        raise Http404("No such version of the overview report.")
    return version


def _report_page(
    request: AuthenticatedHttpRequest,
    access: ReviewAccess,
    *,
    version_form: VersionForm | None = None,
    refusal: Exception | None = None,
    status: int = 200,
) -> HttpResponse:
    review = access.review
    # A round past its date is closed before it is shown (the periodic task may not have run yet).
    accuracy_rounds_close_past_due(review_id=review.pk)
    report = report_for(review)
    versions = report_versions(report)
    newest = versions[0] if versions else None
    diff_form = DiffForm(versions=versions, initial={"before": "1", "after": str(newest.number) if newest else ""})
    return render(
        request,
        "reviews/report/report.html",
        {
            "review": review,
            "report": report,
            "versions": versions,
            "newest": newest,
            "sections": shown_sections(newest) if newest else [],
            "rounds": review_rounds(review),
            "can_write": access.holds(REPORT_WRITERS),
            "can_send": access.holds(COORDINATE) and newest is not None and not newest.is_final,
            "version_form": version_form or VersionForm(),
            "diff_form": diff_form,
            "refusal": refusal,
            "error_summary": version_form.error_summary() if version_form is not None else [],
        },
        status=status,
    )


@login_required
def overview_report(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    access = _reader(request, reference)
    access_record(request, access.review, "overview_report")
    return _report_page(request, access)


@login_required
def overview_version_new(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    access = _writer(request, reference)
    if (refused := post_only(request)) is not None:
        return refused
    form = VersionForm(request.POST)
    sent = submit(
        form,
        lambda data: submit_once(
            token=data["submission"],
            user=request.user,
            create=lambda: report_version_new(actor=request.user, review_id=access.review.pk, note=data["note"]),
            result_url=lambda version: reverse("reviews:overview_version", args=[reference, version.number]),
        ),
        refused=TransitionRefused,
    )
    if sent.saved and sent.result is not None:
        return redirect_once(
            request,
            *sent.result,
            success=lambda version: f"Version {version.number} started.",
            repeated="This form had already been sent: the version was started once, here it is.",
        )
    return _report_page(request, access, version_form=form, refusal=sent.refusal, status=sent.status)


@login_required
def overview_version(request: AuthenticatedHttpRequest, reference: str, version: int) -> HttpResponse:
    access = _reader(request, reference)
    found = _version_or_404(access, version)
    access_record(request, access.review, "overview_report", version=version)
    return _version_page(request, access, found)


def _version_page(
    request: AuthenticatedHttpRequest,
    access: ReviewAccess,
    version: ReportVersion,
    *,
    refusal: Exception | None = None,
    status: int = 200,
) -> HttpResponse:
    frozen = frozen_reason(version)
    return render(
        request,
        "reviews/report/version.html",
        {
            "review": access.review,
            "version": version,
            "sections": shown_sections(version),
            "frozen": frozen,
            "can_edit": access.holds(REPORT_WRITERS) and not frozen,
            "can_finalise": access.holds(REPORT_WRITERS) and not version.is_final,
            "refusal": refusal,
        },
        status=status,
    )


def _section_form_page(
    request: AuthenticatedHttpRequest, reference: str, version: int, section_id: int | None
) -> HttpResponse:
    access = _writer(request, reference)
    found = _version_or_404(access, version)
    section = None
    if section_id is not None:
        section = ReportSection.objects.filter(pk=section_id, version=found).first()
        if section is None:
            raise Http404("No such section.")
    frozen = frozen_reason(found)
    if frozen:
        messages.error(request, frozen)
        return redirect("reviews:overview_version", reference=reference, version=version)
    initial = {"heading": section.heading, "kind": section.kind, "body": section.body} if section else None
    form = SectionForm(request.POST if request.method == "POST" else None, initial=initial)
    sent = submit(
        form,
        lambda data: report_section_save(
            actor=request.user,
            review_id=access.review.pk,
            number=version,
            section_id=section.pk if section else None,
            data=SectionData(heading=data["heading"], kind=data["kind"], body=data["body"]),
        ),
        refused=TransitionRefused,
        check=IdentityCheck(
            actor=request.user, target=access.review, fields=("heading", "body"), what="overview report section"
        ),
    )
    if sent.saved:
        messages.success(request, "Section saved." if section else "Section added.")
        return redirect("reviews:overview_version", reference=reference, version=version)
    return form_page(
        request,
        "reviews/report/section_form.html",
        sent,
        {
            "review": access.review,
            "version": found,
            "section": section,
        },
    )


@login_required
def overview_section_add(request: AuthenticatedHttpRequest, reference: str, version: int) -> HttpResponse:
    return _section_form_page(request, reference, version, None)


@login_required
def overview_section_edit(
    request: AuthenticatedHttpRequest, reference: str, version: int, section_id: int
) -> HttpResponse:
    return _section_form_page(request, reference, version, section_id)


def _section_step(
    request: AuthenticatedHttpRequest, reference: str, version: int, section_id: int, step: str
) -> HttpResponse:
    access = _writer(request, reference)
    found = _version_or_404(access, version)
    if not ReportSection.objects.filter(pk=section_id, version=found).exists():
        raise Http404("No such section.")
    if (refused := post_only(request)) is not None:
        return refused
    try:
        if step == "delete":
            report_section_delete(actor=request.user, review_id=access.review.pk, number=version, section_id=section_id)
            messages.success(request, "Section removed from this version.")
        else:
            report_section_move(
                actor=request.user,
                review_id=access.review.pk,
                number=version,
                section_id=section_id,
                up=request.POST.get("direction") != "down",
            )
    except TransitionRefused as refusal:
        return _version_page(request, access, found, refusal=refusal, status=409)
    return redirect("reviews:overview_version", reference=reference, version=version)


@login_required
def overview_section_move(
    request: AuthenticatedHttpRequest, reference: str, version: int, section_id: int
) -> HttpResponse:
    return _section_step(request, reference, version, section_id, "move")


@login_required
def overview_section_delete(
    request: AuthenticatedHttpRequest, reference: str, version: int, section_id: int
) -> HttpResponse:
    return _section_step(request, reference, version, section_id, "delete")


@login_required
def overview_finalise(request: AuthenticatedHttpRequest, reference: str, version: int) -> HttpResponse:
    access = _writer(request, reference)
    found = _version_or_404(access, version)
    if (refused := post_only(request)) is not None:
        return refused
    try:
        report_version_finalise(actor=request.user, review_id=access.review.pk, number=version)
    except TransitionRefused as refusal:
        return _version_page(request, access, found, refusal=refusal, status=409)
    messages.success(request, f"Version {version} is the final overview report.")
    return redirect("reviews:overview_version", reference=reference, version=version)


@login_required
def overview_diff(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    access = _reader(request, reference)
    versions = report_versions(report_for(access.review))
    form = DiffForm(request.GET if "before" in request.GET else None, versions=versions)
    diffs = None
    before = after = None
    if form.is_bound and form.is_valid():
        before = version_get(access.review, form.cleaned_data["before"])
        after = version_get(access.review, form.cleaned_data["after"])
        if before is not None and after is not None:
            diffs = version_diff(before, after)
            access_record(request, access.review, "overview_report", diff=[before.number, after.number])
    return render(
        request,
        "reviews/report/diff.html",
        {
            "review": access.review,
            "form": form,
            "error_summary": form.error_summary() if form.is_bound else [],
            "diffs": diffs,
            "before": before,
            "after": after,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def overview_document(request: AuthenticatedHttpRequest, reference: str, version: int) -> HttpResponse:
    """The version as the standalone document publication prints (reviews.selectors.report.report_html).

    Its styles are inline (WeasyPrint reads the document alone), so in a browser the site's
    Content-Security-Policy, which allows no inline style, shows it unstyled: plain, readable text.
    The version page is the styled reading view."""
    access = _reader(request, reference)
    found = _version_or_404(access, version)
    access_record(request, access.review, "overview_report", version=version, document=True)
    return HttpResponse(report_html(found), content_type="text/html; charset=utf-8")
