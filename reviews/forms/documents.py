"""The documents pages' forms: a new document, a new version, and who may read a document."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms

from reviews.models import Agency, DocumentKind
from reviews.models.documents import ACCEPTED
from reviews.services.documents import DocumentData, Readers
from ui.forms import GovukForm, SubmitOnceMixin

FILE_HINT = f"Upload {ACCEPTED}. Its type is read from its content, not its name."


def file_field(label: str) -> forms.FileField:
    return forms.FileField(
        label=label,
        help_text=FILE_HINT,
        allow_empty_file=True,  # the service names the empty file
        error_messages={"required": "Choose the file to upload.", "invalid": "Choose the file to upload."},
    )


class DocumentUploadForm(SubmitOnceMixin, GovukForm):
    kind = forms.ChoiceField(
        label="What kind of document is it?", error_messages={"required": "Choose what kind of document this is."}
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="What a reader sees in the list. Use pseudonyms.",
        error_messages={"required": "Give the document a title, e.g. Terms of reference."},
    )
    agency = forms.ChoiceField(label="Whose records are these? (agency records only)", required=False)
    file = file_field("File")

    def __init__(self, *args: Any, agencies: Sequence[Agency], lead_only: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agencies = {str(agency.pk): agency for agency in agencies}
        kinds = (
            [(DocumentKind.AGENCY_RECORDS.value, DocumentKind.AGENCY_RECORDS.label)]
            if lead_only
            else DocumentKind.choices
        )
        cast(forms.ChoiceField, self.fields["kind"]).choices = kinds if lead_only else [("", "Choose a kind"), *kinds]
        named = [(key, str(agency)) for key, agency in self.agencies.items()]
        cast(forms.ChoiceField, self.fields["agency"]).choices = named if lead_only else [("", "None"), *named]
        if lead_only:
            self.fields["agency"].label = "Your agency"

    def document_data(self) -> DocumentData:
        data = self.cleaned_data
        return DocumentData(kind=data["kind"], title=data["title"], agency=self.agencies.get(data.get("agency") or ""))


class DocumentVersionForm(GovukForm):
    file = file_field("New version")


class DocumentReadersForm(GovukForm):
    chair = forms.BooleanField(label="The chair", required=False)
    panel = forms.BooleanField(label="Panel members", required=False)
    scrutineers = forms.BooleanField(label="Read-only scrutineers", required=False)
    agencies = forms.MultipleChoiceField(
        label="The leads of these agencies",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only the agencies whose leads need it.",
    )

    def __init__(self, *args: Any, agencies: Sequence[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partnership_agencies = {str(agency.pk): agency for agency in agencies}
        cast(forms.MultipleChoiceField, self.fields["agencies"]).choices = [
            (key, str(agency)) for key, agency in self.partnership_agencies.items()
        ]
        self.fields["agencies"].error_messages["invalid_choice"] = "Choose agencies of the partnership only."

    def readers(self) -> Readers:
        data = self.cleaned_data
        return Readers(
            chair=data["chair"],
            panel=data["panel"],
            scrutineers=data["scrutineers"],
            agencies=[self.partnership_agencies[key] for key in data["agencies"]],
        )
