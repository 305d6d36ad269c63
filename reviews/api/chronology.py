"""An agency's chronology entries over the API: the entries of a contribution, and writing a batch
of them at once, all or nothing, as the CSV/XLSX import does.

The batch goes through the import's own service (``entries_write`` in
reviews/services/chronology.py): the same parsing of each value, the same checks (dates in the
future or after the cut-off, required fields, lengths, subjects' identities in the text), the
same "already imported" refusal and the same single ``bulk_create``. What this module adds is only
the JSON's shape (an object per entry, with known fields) and the problem details: a refused
batch is a 422 listing each bad entry's position and field.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.models import Scope
from api.pagination import Cursor
from api.problems import Problem, problem_type
from api.views import ApiListView
from reviews.imports.chronology import COLUMNS, ImportRejected, RowError, max_rows
from reviews.models.chronology import ChronologyEntry, DatePrecision
from reviews.permissions import LEAD_AGENCY, contribution_for
from reviews.services.access_log import access_record
from reviews.services.chronology import entries_write, too_many_rows_message
from workflows.runner import TransitionRefused
from workflows.types import User

# A batch refused for its entries (422) and one refused only for subjects' identities in its text
# (422 too: send it again with save_anyway to import anyway, as the import page allows).
REJECTED = problem_type("entries-rejected")
IDENTITIES = problem_type("identities-in-text")
LOCKED = problem_type("contribution-locked")

# The JSON field of each template column (the import's COLUMNS): header by field name.
HEADER_OF = {field: header for header, field, *_ in COLUMNS}
TEXT_FIELDS = [field for field in HEADER_OF if field != "significant"]


class EntrySerializer(serializers.ModelSerializer[ChronologyEntry]):
    class Meta:
        model = ChronologyEntry
        fields = [
            "id",
            "event_date",
            "date_precision",
            "event_time",
            "source_record",
            "what_happened",
            "professional_role",
            "agency_comment",
            "significant",
            "created_at",
        ]


class EntryInSerializer(serializers.Serializer[Any]):
    """One entry as sent: each value as a cell of the import template holds it (the same parsing)."""

    event_date = serializers.CharField(help_text="2026-03-14 or 14/03/2026; a month only: 2026-03 or 03/2026.")
    date_precision = serializers.ChoiceField(choices=DatePrecision.values, required=False, allow_null=True)
    event_time = serializers.CharField(required=False, allow_null=True, help_text="24-hour, e.g. 09:30.")
    source_record = serializers.CharField(max_length=200)
    what_happened = serializers.CharField()
    professional_role = serializers.CharField(max_length=120, help_text="The role, never the name.")
    agency_comment = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    significant = serializers.BooleanField(required=False, allow_null=True)


class BatchSerializer(serializers.Serializer[Any]):
    entries = EntryInSerializer(many=True, help_text="At most the import limit (20,000 by default) at once.")
    save_anyway = serializers.BooleanField(
        required=False, default=False, help_text="Import even though the text seems to name a subject."
    )


class RowErrorSerializer(serializers.Serializer[Any]):
    row = serializers.IntegerField(allow_null=True, help_text="The entry's position in 'entries', from 1.")
    field = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class BatchRejectedSerializer(serializers.Serializer[Any]):
    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    # A declared field (the metaclass takes it off the class), not the serializer's own errors.
    errors = RowErrorSerializer(many=True)  # type: ignore[assignment]
    more = serializers.IntegerField(help_text="Problems found but not listed.")


class ImportedSerializer(serializers.Serializer[Any]):
    imported = serializers.IntegerField()
    contribution_state = serializers.CharField()


class EntryCursor(Cursor):
    # In the order they were written (an import's rows in the file's order): a unique key, so a
    # page is one index scan whatever its depth, as the chronology's own order (by date) is not.
    ordering = "id"


NOT_TEXT = "Holds characters that are not text (an unpaired surrogate): send UTF-8 text."


def is_storable_text(value: str) -> bool:
    """Whether PostgreSQL can store ``value``: JSON may carry an unpaired surrogate ("\\ud800"),
    which no UTF-8 column holds. (A NUL is refused with its own message by the import's parsing.)"""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def sayable(text: str) -> str:
    """``text`` as a problem can say it back (an unpaired surrogate as "?": no JSON response holds one)."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _rows(entries: Any) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError]]:
    """The batch as the import's rows ({template header: value}), numbered from 1; and the entries
    whose JSON is not an entry at all (not an object, an unknown field, a value of the wrong type)."""
    rows: list[tuple[int, dict[str, Any]]] = []
    errors: list[RowError] = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            errors.append(RowError(number, "", "Each entry is an object of fields (event_date, ...)."))
            continue
        for name in sorted(entry.keys() - HEADER_OF.keys()):
            shown = sayable(name[:100])
            errors.append(RowError(number, shown, f"Not a field of an entry: use {', '.join(HEADER_OF)}.", field=shown))
        for name in TEXT_FIELDS:
            value = entry.get(name, "")
            if not isinstance(value, str | None):
                errors.append(RowError(number, HEADER_OF[name], "Send text (or null).", field=name))
            elif value and not is_storable_text(value):
                errors.append(RowError(number, HEADER_OF[name], NOT_TEXT, field=name))
        if not isinstance(entry.get("significant", False), bool | str | None):
            errors.append(RowError(number, HEADER_OF["significant"], "Send true or false.", field="significant"))
        row = {}
        for name, header in HEADER_OF.items():
            value = entry.get(name)
            row[header] = value.strip() if isinstance(value, str) else ("" if value is None else value)
        rows.append((number, row))
    return rows, errors


def _error(error: RowError | str) -> dict[str, Any]:
    if isinstance(error, RowError):
        return {"row": error.row, "field": error.field or None, "message": error.message}
    return {"row": None, "field": None, "message": error}


def _rejected(errors: list[RowError] | list[str], *, more: int = 0, identities: bool = False) -> Problem:
    listed = [_error(error) for error in errors]
    if identities:
        return Problem(
            422,
            "Some entries seem to name a subject of the review: use the pseudonyms given, or send the batch "
            "again with save_anyway. Nothing was imported.",
            type=IDENTITIES,
            title="Identities in the text",
            errors=listed,
            more=more,
        )
    return Problem(
        422,
        "Some entries cannot be imported: see errors (row is the entry's position in 'entries', from 1). "
        "Nothing was imported.",
        type=REJECTED,
        title="Entries refused",
        errors=listed,
        more=more,
    )


class ChronologyEntries(ApiListView):
    serializer_class = EntrySerializer
    pagination_class = EntryCursor
    # Writing an agency's chronology is its lead's (as the import page: LEAD_AGENCY).
    write_scope = Scope.CONTRIBUTE

    def get_queryset(self) -> QuerySet[ChronologyEntry]:
        return ChronologyEntry.objects.none()  # each method reads its own contribution's

    @extend_schema(operation_id="chronology_entries_list", summary="The contribution's chronology entries")
    def get(self, request: Request, reference: str, contribution_id: int) -> Response:
        # As the contribution page lists them: its coordinator and its agency's lead.
        access = contribution_for(request.user, reference, contribution_id)
        access_record(request._request, access.review, "contribution", agency=str(access.contribution.agency))
        page = self.paginate_queryset(access.contribution.entries.all())
        return self.get_paginated_response(EntrySerializer(page, many=True).data)

    @extend_schema(
        operation_id="chronology_entries_import",
        summary="Write a batch of entries, all or nothing (as the file import)",
        request=BatchSerializer,
        responses={201: ImportedSerializer, 422: BatchRejectedSerializer},
    )
    def post(self, request: Request, reference: str, contribution_id: int) -> Response:
        access = contribution_for(request.user, reference, contribution_id, LEAD_AGENCY, "write its chronology")
        actor = request.user
        assert isinstance(actor, User)
        body = request.data
        entries = body.get("entries") if isinstance(body, dict) else None
        if not isinstance(entries, list) or not entries:
            raise serializers.ValidationError({"entries": ["Send a list of at least one entry."]})
        if len(entries) > max_rows():
            # Refused before a row is read: as a file of more rows than the import takes.
            raise serializers.ValidationError({"entries": [too_many_rows_message(len(entries))]})
        save_anyway = body.get("save_anyway", False)
        if not isinstance(save_anyway, bool):
            raise serializers.ValidationError({"save_anyway": ["Send true or false."]})
        rows, shape_errors = _rows(entries)
        if shape_errors:
            raise _rejected(shape_errors)
        try:
            imported = entries_write(
                actor=actor,
                contribution_id=access.contribution.pk,
                rows=rows,
                source="API",
                save_anyway=save_anyway,
                batch=True,
            )
        except ImportRejected as refusal:
            raise _rejected(refusal.errors, more=refusal.more, identities=refusal.identities) from None
        except TransitionRefused as refusal:
            raise Problem(409, refusal.message, type=LOCKED, title="Contribution locked") from None
        state = type(access.contribution).objects.values_list("state", flat=True).get(pk=access.contribution.pk)
        return Response({"imported": imported, "contribution_state": state}, status=201)
