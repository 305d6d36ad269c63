"""Writing an agency's chronology and report: entry by entry, by file import, or as a draft."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from reviews.imports.chronology import (
    COLUMNS,
    ImportRejected,
    RowError,
    max_errors,
    max_rows,
    parse_date,
    parse_precision,
    parse_significant,
    parse_time,
    read_rows,
)
from reviews.models import Review
from reviews.models.chronology import ChronologyEntry, DatePrecision
from reviews.models.contributions import REPORT_SECTIONS, AgencyContribution, AgencyReport, ContributionState
from reviews.permissions import require_agency_lead, require_review_perm
from reviews.selectors.subjects import IdentityMatcher
from workflows.audit import audit_record
from workflows.runner import TransitionRefused, run_transition
from workflows.types import User

ENTRY_LIMITS = {"source_record": 200, "professional_role": 120}


@dataclass
class EntryData:
    event_date: date
    source_record: str
    what_happened: str
    professional_role: str
    date_precision: str = DatePrecision.EXACT
    event_time: time | None = None
    agency_comment: str = ""
    significant: bool = False


def _entry_errors(
    data: EntryData, contribution: AgencyContribution, *, today: date | None = None, cutoff: date | None = None
) -> dict[str, str]:
    """Why an entry is not acceptable, by field. Antenatal events (before birth) are valid."""
    errors: dict[str, str] = {}
    today = today or timezone.localdate()
    cutoff = cutoff or contribution.review.chronology_cutoff_on
    if data.event_date > today:
        errors["event_date"] = "The date is in the future."
    elif cutoff and data.event_date > cutoff:
        errors["event_date"] = f"The date is after the review's cut-off ({cutoff:%d %B %Y})."
    if data.date_precision not in DatePrecision.values:
        errors["date_precision"] = "Choose exact, month only or approximate."
    for field in ("source_record", "what_happened", "professional_role"):
        if not str(getattr(data, field) or "").strip():
            errors[field] = {
                "source_record": "Say where this is recorded (e.g. 'Case note 14').",
                "what_happened": "Say what happened.",
                "professional_role": "Give the professional's role (not their name).",
            }[field]
    for field, limit in ENTRY_LIMITS.items():
        if len(str(getattr(data, field) or "")) > limit:
            errors[field] = f"Keep this to {limit} characters."
    return errors


def _editable_contribution(actor: User, contribution_id: int, *, lock: bool = True) -> AgencyContribution:
    """The contribution, if ``actor`` leads its agency and it may still change; locked by default."""
    contributions = AgencyContribution.objects.select_related("review", "agency")
    if lock:
        contributions = contributions.select_for_update(of=("self",))
    contribution = contributions.get(pk=contribution_id)
    require_agency_lead(actor, contribution, "change the agency's contribution")
    if not contribution.is_editable:
        raise TransitionRefused(
            f"The {contribution.agency} contribution is {contribution.get_state_display().lower()}: "
            "it can no longer be changed."
        )
    return contribution


def _mark_started(actor: User, contribution: AgencyContribution) -> None:
    # The first thing an agency writes moves its request from "requested" to "in progress".
    if contribution.state == ContributionState.REQUESTED:
        run_transition(
            queryset=AgencyContribution.objects.all(),
            pk=contribution.pk,
            name="start",
            actor=actor,
            reason="First entry written",
        )


def _entry_fields(data: EntryData) -> dict[str, Any]:
    # A month-only date is stored as the first of its month, however it was typed or imported.
    event_date = data.event_date.replace(day=1) if data.date_precision == DatePrecision.MONTH else data.event_date
    return {
        "event_date": event_date,
        "date_precision": data.date_precision,
        "event_time": data.event_time,
        "source_record": data.source_record.strip(),
        "what_happened": data.what_happened.strip(),
        "professional_role": data.professional_role.strip(),
        "agency_comment": data.agency_comment.strip(),
        "significant": data.significant,
    }


def entry_save(*, actor: User, contribution_id: int, data: EntryData, entry_id: int | None = None) -> ChronologyEntry:
    with transaction.atomic():
        contribution = _editable_contribution(actor, contribution_id)
        errors = _entry_errors(data, contribution)
        if errors:
            raise ValidationError(errors)
        if entry_id is None:
            entry = ChronologyEntry.objects.create(
                contribution=contribution, review_id=contribution.review_id, **_entry_fields(data)
            )
        else:
            entry = ChronologyEntry.objects.get(pk=entry_id, contribution=contribution)
            for field, value in _entry_fields(data).items():
                setattr(entry, field, value)
            entry.save()
        _mark_started(actor, contribution)
    return entry


def entry_delete(*, actor: User, contribution_id: int, entry_id: int) -> None:
    with transaction.atomic():
        contribution = _editable_contribution(actor, contribution_id)
        ChronologyEntry.objects.filter(pk=entry_id, contribution=contribution).delete()


def entries_import(*, actor: User, contribution_id: int, filename: str, data: bytes, save_anyway: bool = False) -> int:
    """Import every row of a CSV or XLSX file or none (``entries_write``)."""
    # Refuse a user who may not import before reading their file, then read and parse it outside
    # the transaction: the contribution row is locked only for the checks and the writes.
    _editable_contribution(actor, contribution_id, lock=False)
    rows = read_rows(filename, data)
    if not rows:
        raise ImportRejected(["The file has no chronology rows under the column names."])
    return entries_write(
        actor=actor, contribution_id=contribution_id, rows=rows, source=filename, save_anyway=save_anyway
    )


def too_many_rows_message(count: int) -> str:
    limit = max_rows()
    return f"{count:,} entries were sent; the most one import can take is {limit:,}. Send them in batches."


def entries_write(
    *,
    actor: User,
    contribution_id: int,
    rows: Sequence[tuple[int, dict[str, Any]]],
    source: str,
    save_anyway: bool = False,
    batch: bool = False,
) -> int:
    """Write every row or none: the file import's rows, and the API's batch (reviews/api/chronology.py),
    each row as (its number, {template header: raw value}). Raises ImportRejected listing every bad
    row, column and reason; and, unless ``save_anyway``, every row whose text holds a subject's real
    name, NHS number or address (importing anyway is audited). ``source`` (the file's name, or
    "API") is written to the audit row; ``batch`` words the refusals for entries sent, not a file."""
    if len(rows) > max_rows():
        raise ImportRejected([too_many_rows_message(len(rows))])
    parsed_rows = [(number, *_parse_row(row)) for number, row in rows]
    headers = {field: header for header, field, *_ in COLUMNS}
    with transaction.atomic():
        contribution = _editable_contribution(actor, contribution_id)
        entries: list[ChronologyEntry] = []
        errors: list[RowError] = []
        # Read once for the whole batch, not once a row.
        today, cutoff = timezone.localdate(), contribution.review.chronology_cutoff_on
        for number, parsed, row_errors in parsed_rows:
            if parsed is not None:
                row_errors = [*row_errors, *_entry_errors(parsed, contribution, today=today, cutoff=cutoff).items()]
            errors.extend(
                RowError(number, headers.get(field, field), message, field=field) for field, message in row_errors
            )
            if parsed is not None and not row_errors:
                entries.append(
                    ChronologyEntry(
                        contribution=contribution, review_id=contribution.review_id, **_entry_fields(parsed)
                    )
                )
        if errors:
            # The first problems are listed and the rest counted: a page of every one of 20,000
            # bad rows helps nobody, and costs megabytes.
            shown = max_errors()
            raise ImportRejected(errors[:shown], more=max(len(errors) - shown, 0))
        if (imported_on := _already_imported(contribution, entries)) is not None:
            # A resent form, a second tab, the same file chosen again: nothing is added twice.
            raise ImportRejected(
                [
                    f"{'These entries were' if batch else 'This file was'} already imported on "
                    f"{imported_on:%-d %B %Y}: every {'one of them' if batch else 'row of it'} is already in the "
                    "chronology, so nothing was imported again."
                ]
            )
        flagged = _identity_warnings(contribution.review_id, rows_of=zip(parsed_rows, entries, strict=False))
        if flagged and not save_anyway:
            shown = max_errors()
            raise ImportRejected(flagged[:shown], more=max(len(flagged) - shown, 0), identities=True)
        ChronologyEntry.objects.bulk_create(entries, batch_size=1000)
        _mark_started(actor, contribution)
        if flagged:
            audit_record(
                actor=actor,
                verb="identity.saved_anyway",
                target=contribution.review,
                what="chronology import",
                fields=sorted({error.column for error in flagged}),
            )
        audit_record(
            actor=actor,
            verb="chronology.imported",
            target=contribution.review,
            agency=str(contribution.agency),
            rows=len(entries),
            file=source[:100],
        )
    return len(entries)


# The free text of an entry, checked for subjects' identities (reviews/selectors/subjects.py).
ENTRY_TEXT_FIELDS = ("what_happened", "professional_role", "agency_comment", "source_record")


def _identity_warnings(review_id: int, *, rows_of: Iterable[tuple[tuple[Any, ...], ChronologyEntry]]) -> list[RowError]:
    """Each row and column of the import whose text holds a subject's identity, with the pseudonym
    to use. The identities are read and compiled once for the whole file."""
    matcher = IdentityMatcher([review_id])
    if not matcher.patterns:
        return []
    headers = {field: header for header, field, *_ in COLUMNS}
    found: list[RowError] = []
    for (number, *_rest), entry in rows_of:
        texts = {field: getattr(entry, field) or "" for field in ENTRY_TEXT_FIELDS}
        found.extend(
            RowError(number, headers.get(hit.field, hit.field), hit.message, field=hit.field)
            for hit in matcher.hits(texts)
        )
    return found


# What makes two entries the same event, as an import would write it.
_SAME_EVENT = (
    "event_date",
    "date_precision",
    "event_time",
    "source_record",
    "what_happened",
    "professional_role",
    "agency_comment",
    "significant",
)


def _already_imported(contribution: AgencyContribution, entries: list[ChronologyEntry]) -> date | None:
    """The day every one of ``entries`` was last written to ``contribution``, if all already are.

    Called under the contribution's lock, so an import that waited for another one to commit
    sees that one's rows."""
    if not entries:
        return None
    # Most imports are new rows: the first row's absence answers at once (one indexed look-up),
    # rather than reading every entry already written in the rows' dates (batches sent one after
    # another over the same years would each read all the earlier ones).
    first = {field: getattr(entries[0], field) for field in _SAME_EVENT}
    if not ChronologyEntry.objects.filter(contribution=contribution, **first).exists():
        return None
    dates = [entry.event_date for entry in entries]
    existing = {
        tuple(values[:-1]): values[-1]
        for values in ChronologyEntry.objects.filter(
            contribution=contribution, event_date__range=(min(dates), max(dates))
        ).values_list(*_SAME_EVENT, "created_at")
    }
    written = [existing.get(tuple(getattr(entry, field) for field in _SAME_EVENT)) for entry in entries]
    if any(when is None for when in written):
        return None
    return timezone.localdate(max(when for when in written if when is not None))


def _parse_row(row: dict[str, Any]) -> tuple[EntryData | None, list[tuple[str, str]]]:
    fields = {header: field for header, field, *_ in COLUMNS}
    # PostgreSQL stores no NUL in text; a CSV holding one is refused whole before this.
    problems: list[tuple[str, str]] = [
        (fields[header], "holds a NUL character (a zero byte), which is not text.")
        for header, value in row.items()
        if isinstance(value, str) and "\x00" in value
    ]
    if problems:
        return None, problems
    event_date, event_time, significant = None, None, False
    precision: str = DatePrecision.EXACT
    raw_date = row.get("Date", "")
    if raw_date in ("", None):
        problems.append(("event_date", "A date is required."))
    else:
        try:
            event_date, precision = parse_date(raw_date)
        except ValueError as error:
            problems.append(("event_date", str(error)))
    try:
        precision = parse_precision(row.get("Date precision"), precision)
    except ValueError as error:
        problems.append(("date_precision", str(error)))
    try:
        event_time = parse_time(row.get("Time"))
    except ValueError as error:
        problems.append(("event_time", str(error)))
    try:
        significant = parse_significant(row.get("Significant", ""))
    except ValueError as error:
        problems.append(("significant", str(error)))
    if event_date is None:
        return None, problems
    data = EntryData(
        event_date=event_date,
        date_precision=precision,
        event_time=event_time,
        source_record=str(row.get("Source record") or ""),
        what_happened=str(row.get("What happened") or ""),
        professional_role=str(row.get("Professional role") or ""),
        agency_comment=str(row.get("Agency comment") or ""),
        significant=significant,
    )
    return data, problems


def report_save_draft(*, actor: User, contribution_id: int, sections: dict[str, Any]) -> AgencyReport:
    allowed = {field for field, _ in REPORT_SECTIONS} | {"author_role"}
    unknown = set(sections) - allowed
    if unknown:
        raise ValueError(f"Not report sections: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        contribution = _editable_contribution(actor, contribution_id)
        secured = sections.get("records_secured_on")
        if secured and secured > timezone.localdate():
            raise ValidationError({"records_secured_on": "The date records were secured is in the future."})
        report, _ = AgencyReport.objects.get_or_create(contribution=contribution)
        for field, value in sections.items():
            setattr(report, field, value.strip() if isinstance(value, str) else value)
        report.updated_by = actor
        report.save()
        _mark_started(actor, contribution)
    return report


def chronology_release(*, actor: User, review_id: int) -> Review:
    """The coordinator lets every agency lead on the review read the whole merged chronology."""
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review_id)
        require_review_perm(actor, "coordinate_review", review, "release the merged chronology")
        if review.chronology_released_at is not None:
            released = timezone.localtime(review.chronology_released_at)
            raise TransitionRefused(f"The merged chronology was already released on {released:%-d %B %Y}.")
        review.chronology_released_at = timezone.now()
        review.save(update_fields=["chronology_released_at"])
        audit_record(actor=actor, verb="chronology.released", target=review)
    return review
