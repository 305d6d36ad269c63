"""The CDR intake for a hospital's system: ``POST /api/v1/intake/notifications``, the public form
"Tell us about a child's death" (/notify/) as an API.

The same fields, validation and service as the page: the body is read by the page's own form
(reviews.forms.intake.IntakeForm, through reviews.api.forms) and taken by ``intake_submit``, so a
wrong NHS check digit, a death in the future or a postcode no partnership covers is refused field by
field in the page's words. As the page, it answers with the reference and nothing else, never a
look-up: a repeat of the same notification within INTAKE_DUPLICATE_MINUTES gets the first one's
reference back, with the same answer, and nothing is stored twice.

It needs a token with the ``notify`` scope (api.models.Scope.NOTIFY), which a token needs for
nothing else: a token with only that scope reads nothing and changes nothing else. Who makes one
is in docs/API.md ("CDR intake").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.models import Scope
from api.problems import Problem
from api.views import ApiView
from reviews.api.forms import FormSerializer, form_serializer, service_errors
from reviews.forms.intake import IntakeForm
from reviews.models import Partnership
from reviews.services.intake import IntakeData, intake_submit


class IntakeRequest(FormSerializer):
    def prepare(self, data: dict[str, str], sent: Mapping[str, Any]) -> dict[str, str]:
        # The API names a partnership by its code; the page's list by its id. A code that names
        # none is handed on as it is, for the form's own "Select a valid choice" on the field.
        code = data.get("partnership", "")
        if code:
            found = Partnership.objects.filter(code=code).values_list("pk", flat=True).first()
            data["partnership"] = str(found) if found is not None else code
        return data


IntakeSerializer = form_serializer(
    IntakeForm,
    "IntakeNotification",
    base=IntakeRequest,
    # The honeypot is the page's, against robots filling in a public form: a token holder is none.
    exclude=("website",),
    fields={
        "partnership": serializers.CharField(
            required=False,
            allow_blank=True,
            help_text="The code of the partnership the child lived in, only if the postcode is not enough.",
        ),
        "died_time": serializers.CharField(
            required=False, allow_blank=True, max_length=5, help_text="Time of death if known, 24-hour HH:MM."
        ),
        "became_aware_time": serializers.CharField(max_length=5, help_text="24-hour HH:MM."),
    },
)


class IntakeReceipt(serializers.Serializer[Any]):
    reference = serializers.CharField(help_text="The notification's reference, for example CDN-BC3DF4GH.")


class IntakeNotify(ApiView):
    write_scope = Scope.NOTIFY

    @extend_schema(
        operation_id="intake_notifications_create",
        summary="Notify the death of a child (the /notify/ form): answers with the reference only",
        request=IntakeSerializer,
        responses={201: IntakeReceipt},
    )
    def post(self, request: Request) -> Response:
        # The page's size cap: a notification is a few kilobytes of text, whoever sends it.
        if int(request.META.get("CONTENT_LENGTH") or 0) > settings.INTAKE_MAX_BYTES:
            raise Problem(413, f"A notification is at most {settings.INTAKE_MAX_BYTES // 1024} KB.")
        sent = IntakeSerializer(data=request.data)
        sent.is_valid(raise_exception=True)
        try:
            # A repeat gets the first one's item: it is the same notification (the page says the same).
            item, _new = intake_submit(data=IntakeData.from_form(sent.validated_data))
        except ValidationError as error:
            raise service_errors(sent.form, error) from None
        return Response({"reference": item.reference}, status=201)
