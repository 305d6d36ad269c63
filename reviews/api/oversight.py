"""A partnership's timeliness over the API: the tables of the oversight dashboard's timeliness part
(every clock by outcome, and the running clocks predicted to breach), exact for its coordinators
and business manager and disclosed for its scrutineer, as the dashboard shows them
(``partnership_figures_for`` and ``oversight_for``, the page's own helpers)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.views import ApiView
from project.db_router import reading_from_replica
from reviews.api.annual_report import TableSerializer
from reviews.permissions import partnership_figures_for
from reviews.selectors.oversight import oversight_for


class TimelinessSerializer(serializers.Serializer[Any]):
    partnership = serializers.CharField()
    as_of = serializers.DateField(help_text="The clocks are read as of this day.")
    exact = serializers.BooleanField(help_text="True: exact and not for publication; false: disclosed.")
    tables = TableSerializer(many=True, help_text="'clocks': every clock by outcome; 'predicted': predicted breaches.")


class PartnershipTimeliness(ApiView):
    @extend_schema(
        summary="A partnership's clocks by outcome and predicted breaches, disclosed for a scrutineer",
        responses=TimelinessSerializer,
    )
    def get(self, request: Request, code: str) -> Response:
        access = partnership_figures_for(request.user, code)
        today = timezone.localdate()
        # The figures read from the replica when there is one (project/db_router.py).
        with reading_from_replica():
            figures = oversight_for(access, today=today)
            return Response(
                TimelinessSerializer(
                    {
                        "partnership": access.partnership.code,
                        "as_of": today,
                        "exact": figures.exact,
                        "tables": [figures.clocks.table, figures.predicted.table],
                    }
                ).data
            )
