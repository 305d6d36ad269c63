"""What the views of every app share: a form handed to a service, a step posted from a page that
offers several, a create form sent twice, a POST-only endpoint.

Generic: the caller passes its service, its page and its refusal exception (e.g. workflows'
TransitionRefused) as callables, so ui imports none of the apps.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, QueryDict
from django.shortcuts import redirect, render

from ui.forms import GovukForm

T = TypeVar("T")
F = TypeVar("F")
Opt = TypeVar("Opt", bound="StepOption")

Refused = type[Exception] | tuple[type[Exception], ...]

# A step form posted for a state its object has left: a second click, or someone else moved it.
STALE = "Nothing was changed: reload the page and try again."


@dataclass
class Submission(Generic[T]):
    """What became of a form handed to a service: saved (with the service's result), sent back
    with errors on the form, or refused (kept for the page to show)."""

    form: GovukForm
    saved: bool = False
    result: T | None = None
    refusal: Exception | None = None

    @property
    def status(self) -> int:
        """409 for a refusal, 400 for errors on the form, else 200 (including an unsent form)."""
        return 409 if self.refusal is not None else 400 if self.form.errors else 200


class TextCheck(Protocol):
    """Free text looked at before it is saved (reviews' check for real names and NHS numbers): its
    warnings stop the first save; the writer may then save anyway, which the check records."""

    def warnings(self, data: Mapping[str, Any]) -> list[tuple[str, str]]:
        """(field, message) for each thing to warn about in the cleaned data."""
        ...

    def saved_anyway(self, warnings: list[tuple[str, str]]) -> None: ...


def submit(
    form: GovukForm, save: Callable[[dict[str, Any]], T], *, refused: Refused = (), check: TextCheck | None = None
) -> Submission[T]:
    """Validate a sent ``form`` and call ``save`` with its cleaned data. A ValidationError from
    the service goes onto the form, so what the user typed stays on the page; a ``refused``
    exception (the step is not possible now) is kept for the page to show. With a ``check``, its
    warnings go onto the form instead of saving, unless the writer ticked "save anyway"."""
    outcome: Submission[T] = Submission(form)
    if not (form.is_bound and form.is_valid()):
        return outcome
    warnings = check.warnings(form.cleaned_data) if check is not None else []
    if warnings and not form.saving_anyway:
        form.add_warnings(warnings)
        return outcome
    try:
        outcome.result = save(form.cleaned_data)
        if warnings and check is not None:
            check.saved_anyway(warnings)
    except ValidationError as error:
        form.add_service_errors(error)
    except refused as refusal:
        outcome.refusal = refusal
    else:
        outcome.saved = True
    return outcome


def redirect_once(
    request: HttpRequest, created: T | None, url: str, *, success: Callable[[T], str], repeated: str
) -> HttpResponse:
    """After a create-once form (workflows.once): to what was made, saying ``success``; or, when
    the same form came a second time (``created`` is None), to what the first one made, saying
    ``repeated``."""
    if created is None:
        messages.info(request, repeated)
    else:
        messages.success(request, success(created))
    return redirect(url)


def post_only(request: HttpRequest) -> HttpResponse | None:
    """405 to anything but a POST; called after the object is fetched, so the 404 comes first."""
    return HttpResponseNotAllowed(["POST"]) if request.method != "POST" else None


class StepOption(Protocol):
    """A step as the workflow offers it (workflows.runner.TransitionOption)."""

    @property
    def name(self) -> str: ...

    @property
    def permitted(self) -> bool: ...


def offered_steps(
    options: Iterable[Opt], steps: Container[str], forms: Mapping[str, F], blank: Callable[[str], F]
) -> list[tuple[Opt, F]]:
    """The steps of ``steps`` a page offers this user (those their role permits), each with its
    form: the one just sent back with errors, or ``blank(name)``."""
    return [
        (option, forms.get(option.name) or blank(option.name))
        for option in options
        if option.name in steps and option.permitted
    ]


def post_step(
    request: HttpRequest,
    name: str,
    *,
    steps: Container[str],
    form: Callable[[QueryDict], GovukForm],
    take: Callable[[dict[str, Any]], T],
    done: Callable[[T], HttpResponse],
    page: Callable[..., HttpResponse],
    refused: type[Exception],
    page_now: Callable[..., HttpResponse] | None = None,
    confirm: Callable[..., HttpResponse] | None = None,
    check: TextCheck | None = None,
) -> HttpResponse:
    """One step posted from a page that offers several (a review's stage, a contribution's submit
    or accept, an action's complete or verify).

    405 to a GET and 404 for a step the page never offers. A form sent for a state the object has
    left is refused as a whole, never applied (400); bad input comes back on the page with the
    step's form (``page(failed=name, form=...)``, 400); the service's refusal is shown with the
    object as it is now (``page_now``, 409); else ``done`` with what the service returned.

    ``check``: the step's free text is checked before it is taken, as ``submit`` checks a form's.

    ``confirm``: the step cannot be undone, so it is never taken in one click. A GET, or a POST
    without ``confirmed=yes`` (the button on the object's page), gets the confirmation page
    (``confirm(expected_state=..., form=...)``), which says what will happen and posts the step
    again, confirmed; bad input on it comes back on it (400).
    """
    # A GET, or the object page's button (which carries the state the user saw), is asked to
    # confirm; a POST that carries no state comes from no page of ours and is refused below (400).
    confirming = request.method == "GET" or (
        request.method == "POST" and "expected_state" in request.POST and request.POST.get("confirmed") != "yes"
    )
    if confirm is not None and name in steps and confirming:
        # The state the user saw on the object's page, carried on; a GET takes the state as it is now.
        return confirm(expected_state=request.POST.get("expected_state"), form=None)
    if (refusal := post_only(request)) is not None:
        return refusal
    if name not in steps:
        raise Http404("No such step.")
    bound = form(request.POST)
    if not bound.is_valid():
        if "expected_state" in bound.errors:
            return page(refusal=refused(STALE), status=400)
        if confirm is not None:
            return confirm(expected_state=request.POST.get("expected_state"), form=bound, status=400)
        return page(failed=name, form=bound, status=400)
    # A text check's warnings come back on the step's form, as bad input does (ui.views.submit).
    warnings = check.warnings(bound.cleaned_data) if check is not None else []
    if warnings and not bound.saving_anyway:
        bound.add_warnings(warnings)
        if confirm is not None:
            return confirm(expected_state=request.POST.get("expected_state"), form=bound, status=400)
        return page(failed=name, form=bound, status=400)
    try:
        result = take(bound.cleaned_data)
        if warnings and check is not None:
            check.saved_anyway(warnings)
    except ValidationError as error:
        bound.add_service_errors(error)
        return page(failed=name, form=bound, status=400)
    except refused as refused_now:
        return (page_now or page)(refusal=refused_now, status=409)
    return done(result)


def confirm_page(
    request: HttpRequest,
    *,
    heading: str,
    what_happens: Iterable[str],
    action: str,
    cancel_url: str,
    expected_state: str,
    form: GovukForm,
    confirm_label: str,
    caption: str = "",
    warning: bool = False,
    status: int = 200,
) -> HttpResponse:
    """The confirmation page of a step that cannot be undone (``post_step``'s ``confirm``)."""
    return render(
        request,
        "ui/confirm.html",
        {
            "heading": heading,
            "what_happens": list(what_happens),
            "action": action,
            "cancel_url": cancel_url,
            "expected_state": expected_state,
            "form": form,
            "confirm_label": confirm_label,
            "caption": caption,
            "warning": warning,
            "error_summary": form.error_summary() if form.is_bound else [],
        },
        status=status,
    )


def form_page(
    request: HttpRequest, template: str, sent: Submission[Any], context: Mapping[str, object] | None = None
) -> HttpResponse:
    """The page of a form that was not saved: not sent yet (200), sent back with errors (400), or
    refused by the service (409, the refusal shown). ``template`` gets ``context``, the form, its
    error summary and the refusal."""
    shown = {"form": sent.form, "error_summary": sent.form.error_summary(), "refusal": sent.refusal}
    return render(request, template, {**shown, **(context or {})}, status=sent.status)


def attachment(file: Any, filename: str, content_type: str) -> FileResponse:
    """A stored file as a download, never shown in the browser: saved as ``filename``, its type
    taken as given (nosniff: never guessed from the content), and never kept in a cache."""
    response = FileResponse(file, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
