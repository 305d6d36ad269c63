"""Evidence files on an action: attach (the owning agency's lead) and download (whoever may see
the action). Files are never served from a public URL; this view checks access every time."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse

from reviews.access_log import access_record
from reviews.selectors_actions import action_get_for_user
from reviews.services.evidence import action_evidence_attach
from workflows.runner import TransitionRefused


class EvidenceFileForm(forms.Form):
    file = forms.FileField(error_messages={"required": "Choose a file to attach."})


@login_required
def action_evidence_upload(request: HttpRequest, reference: str, action_id: int) -> HttpResponse:
    access = action_get_for_user(request.user, reference, action_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    back = reverse("reviews:action", args=[access.review.reference, access.action.pk])
    form = EvidenceFileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form.errors["file"][0])
        return redirect(back)
    try:
        attached = action_evidence_attach(
            actor=request.user, action_id=access.action.pk, upload=form.cleaned_data["file"]
        )
    except ValidationError as error:
        for message in error.message_dict.get("file", error.messages):
            messages.error(request, message)
    except TransitionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, f"{attached.original_name} is attached as evidence.")
    return redirect(back)


@login_required
def action_evidence_download(request: HttpRequest, reference: str, action_id: int, file_id: int) -> FileResponse:
    access = action_get_for_user(request.user, reference, action_id)
    attached = access.action.evidence_files.filter(pk=file_id).first()
    if attached is None:
        raise Http404("No such file.")
    access_record(request, access.review, "evidence_file", action=access.action.code, file=attached.original_name)
    response = FileResponse(
        attached.file.open("rb"),
        as_attachment=True,
        filename=attached.original_name,
        content_type=attached.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
