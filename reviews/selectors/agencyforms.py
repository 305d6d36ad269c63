"""Readers of agency forms: the current version of each form, one agency's answers as a page
shows them, and every agency's answers to one form side by side, question by question."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Max, OuterRef, Subquery

from reviews.models import Review
from reviews.models.agencyforms import AgencyFormAnswers, AgencyFormDefinition, field_choices, iter_fields
from reviews.models.contributions import AgencyContribution, ContributionState

# The answers the coordinator compares: those the agency has sent (a draft is the agency's own).
SENT_STATES = (ContributionState.SUBMITTED, ContributionState.ACCEPTED)


def current_definitions(keys: Iterable[str] | None = None) -> dict[str, AgencyFormDefinition]:
    """The newest version of each form (of ``keys``, if given), by key: one query."""
    newest = (
        AgencyFormDefinition.objects.filter(key=OuterRef("key"))
        .values("key")
        .annotate(top=Max("version"))
        .values("top")
    )
    forms = AgencyFormDefinition.objects.filter(version=Subquery(newest)).order_by("title")
    if keys is not None:
        forms = forms.filter(key__in=list(keys))
    return {form.key: form for form in forms}


def display_answer(field: dict[str, Any], value: Any) -> str:
    """An answer as a person reads it: a choice's label, a date written out."""
    if value is None:
        return ""
    labels = {choice["value"]: choice["label"] for choice in field_choices(field)}
    if field["type"] == "multi_choice":
        return ", ".join(labels.get(v, str(v)) for v in value)
    if field["type"] in ("choice", "yes_no"):
        return labels.get(value, str(value))
    if field["type"] == "date":
        try:
            return f"{date.fromisoformat(value):%-d %B %Y}"
        except (TypeError, ValueError):
            return str(value)
    return str(value)


@dataclass(frozen=True)
class AnsweredSection:
    title: str
    rows: list[tuple[str, str]]  # (question, answer as read)


@dataclass(frozen=True)
class AnswerSetView:
    answer_set: AgencyFormAnswers
    sections: list[AnsweredSection]
    missing: dict[str, str]


def answer_set_view(answer_set: AgencyFormAnswers) -> AnswerSetView:
    definition = answer_set.form.definition
    sections = [
        AnsweredSection(
            title=section["title"],
            rows=[(f["label"], display_answer(f, answer_set.answers.get(f["name"]))) for f in section["fields"]],
        )
        for section in definition["sections"]
    ]
    return AnswerSetView(answer_set=answer_set, sections=sections, missing=answer_set.missing())


def contribution_forms(contribution: AgencyContribution) -> list[AnswerSetView]:
    """The forms asked of one contribution, each with its answers and what is still missing."""
    return [answer_set_view(a) for a in contribution.form_answers.select_related("form").order_by("form__title")]


# --- side by side -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyColumn:
    contribution: AgencyContribution
    version: int
    sent: bool  # the answers shown are what the agency submitted


@dataclass(frozen=True)
class ComparedQuestion:
    section: str
    label: str
    answers: list[str]  # one per column, in the columns' order


@dataclass(frozen=True)
class SideBySide:
    form: AgencyFormDefinition  # the newest version any agency answered: its questions lead
    columns: list[AgencyColumn]
    questions: list[ComparedQuestion]


def forms_asked_on(review: Review) -> list[AgencyFormDefinition]:
    """One version per form key asked on the review (the newest asked), for the page's links."""
    sets = AgencyFormAnswers.objects.filter(contribution__review=review).select_related("form")
    newest: dict[str, AgencyFormDefinition] = {}
    for answer_set in sets:
        form = answer_set.form
        if form.key not in newest or form.version > newest[form.key].version:
            newest[form.key] = form
    return sorted(newest.values(), key=lambda form: form.title)


def _cell(column: AgencyColumn, field: dict[str, Any] | None, value: Any) -> str:
    if not column.sent:
        return ""  # the agency's draft is its own until it submits
    if field is None:
        return f"Not asked in version {column.version}"
    return display_answer(field, value) if value is not None else "Not answered"


def side_by_side(review: Review, form_key: str) -> SideBySide | None:
    """Every agency asked for ``form_key`` on ``review``, a column each, and its answers to each
    question in rows. Agencies may have answered different versions: a question is matched by its
    name, its wording taken from the newest version, and a question one version did not ask is
    left blank in that column. Two queries."""
    answer_sets = list(
        AgencyFormAnswers.objects.filter(contribution__review=review, form__key=form_key)
        .select_related("form", "contribution__agency")
        .order_by("contribution__agency__name")
    )
    if not answer_sets:
        return None
    lead = max((a.form for a in answer_sets), key=lambda form: form.version)
    columns = [
        AgencyColumn(contribution=a.contribution, version=a.form.version, sent=a.contribution.state in SENT_STATES)
        for a in answer_sets
    ]
    # The newest version's questions in order, then any an older version asked and it dropped.
    order: list[tuple[str, dict[str, Any]]] = []
    known: set[str] = set()
    for form in [lead, *sorted({a.form for a in answer_sets} - {lead}, key=lambda f: -f.version)]:
        for section in form.definition["sections"]:
            for field in section["fields"]:
                if field["name"] not in known:
                    known.add(field["name"])
                    order.append((section["title"], field))
    fields_by_set = [{f["name"]: f for f in iter_fields(a.form.definition)} for a in answer_sets]
    questions = [
        ComparedQuestion(
            section=section,
            label=field["label"],
            answers=[
                _cell(column, own.get(field["name"]), a.answers.get(field["name"]))
                for a, own, column in zip(answer_sets, fields_by_set, columns, strict=True)
            ],
        )
        for section, field in order
    ]
    return SideBySide(form=lead, columns=columns, questions=questions)
