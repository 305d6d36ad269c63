"""A partnership's annual report over the API: its tables as JSON, for the partnership's
coordinators and business manager exactly, for its scrutineer under disclosure control, exactly as
the report's page and files give them (``partnership_figures_for`` and ``annual_report_for``, the
page's own helpers). A suppressed count is ``"[c]"``, as the disclosed report shows it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.views import ApiView
from project.db_router import reading_from_replica
from reviews.disclosure import SUPPRESSED, Table
from reviews.permissions import partnership_figures_for
from reviews.selectors.annual_report import annual_report_for

COUNT_SCHEMA: dict[str, Any] = {"oneOf": [{"type": "integer"}, {"type": "string", "enum": [SUPPRESSED]}]}


def _count(value: int | None) -> int | str:
    """A count, or the marker of a suppressed one (None in a disclosed table)."""
    return SUPPRESSED if value is None else value


def _counts(values: Sequence[int | None] | None) -> list[int | str] | None:
    return None if values is None else [_count(value) for value in values]


class TableSerializer(serializers.Serializer[Table]):
    key = serializers.CharField()
    title = serializers.CharField()
    row_labels = serializers.ListField(child=serializers.CharField())
    column_labels = serializers.ListField(child=serializers.CharField())
    cells = serializers.SerializerMethodField(help_text=f"One list per row; {SUPPRESSED}: suppressed.")
    row_totals = serializers.SerializerMethodField(
        help_text="The Total column, one per row (null: the table has none)."
    )
    column_totals = serializers.SerializerMethodField(
        help_text="The Total row, one per column (null: the table has none)."
    )
    grand_total = serializers.SerializerMethodField(help_text="Null: the table has no grand total.")
    notes = serializers.ListField(child=serializers.CharField())
    disclosure = serializers.CharField(
        source="rules_note", help_text="The disclosure control applied, or that the figures are exact."
    )
    exact = serializers.BooleanField()

    # A ListField leaves None as null; a suppressed count must read as the report shows it.
    @extend_schema_field({"type": "array", "items": {"type": "array", "items": COUNT_SCHEMA}})
    def get_cells(self, table: Table) -> list[list[int | str]]:
        return [[_count(value) for value in row] for row in table.cells]

    @extend_schema_field({"type": "array", "items": COUNT_SCHEMA, "nullable": True})
    def get_row_totals(self, table: Table) -> list[int | str] | None:
        return _counts(table.row_totals)

    @extend_schema_field({"type": "array", "items": COUNT_SCHEMA, "nullable": True})
    def get_column_totals(self, table: Table) -> list[int | str] | None:
        return _counts(table.column_totals)

    @extend_schema_field({**COUNT_SCHEMA, "nullable": True})
    def get_grand_total(self, table: Table) -> int | str | None:
        has_grand_total = table.has_row_totals and table.has_column_totals
        return _count(table.grand_total) if has_grand_total else None


class SectionSerializer(serializers.Serializer[Any]):
    title = serializers.CharField()
    tables = TableSerializer(many=True)


class AnnualReportSerializer(serializers.Serializer[Any]):
    title = serializers.CharField()
    partnership = serializers.CharField(source="partnership_code")
    year = serializers.IntegerField(source="year.start_year", help_text="2026: 1 April 2026 to 31 March 2027.")
    year_label = serializers.CharField(source="year.label")
    as_of = serializers.DateField(help_text="Clocks and overdue actions are read as of this day.")
    exact = serializers.BooleanField(help_text="True: exact and not for publication; false: disclosed.")
    sections = SectionSerializer(many=True)


class AnnualReportView(ApiView):
    @extend_schema(
        summary="A partnership's annual report for a financial year: its tables, disclosed for a scrutineer",
        responses=AnnualReportSerializer,
    )
    def get(self, request: Request, code: str, year: int) -> Response:
        access = partnership_figures_for(request.user, code)
        # The figures read from the replica when there is one (project/db_router.py).
        with reading_from_replica():
            return Response(AnnualReportSerializer(annual_report_for(access, year)).data)
