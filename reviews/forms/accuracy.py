"""Forms of the factual accuracy round: sending a draft, an agency's comment and answer, and the
reviewer's response to a comment."""

from __future__ import annotations

from typing import Any

from django import forms

from reviews.models import ResponseOutcome, ReviewRole
from reviews.models.report import ReportSection
from ui.forms import GovukDateField, GovukForm, SubmitOnceMixin, text_area


class SendForm(GovukForm):
    def __init__(self, *args: Any, leads: list[ReviewRole], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # String values: the checkboxes template compares them with the posted strings.
        self.fields["leads"] = forms.TypedMultipleChoiceField(
            label="Agencies to ask",
            help_text="Each agency's lead is asked and chased until they answer.",
            choices=[
                (str(role.pk), f"{role.agency} ({role.user.get_full_name() or role.user.get_username()})")
                for role in leads
            ],
            coerce=int,
            widget=forms.CheckboxSelectMultiple,
            error_messages={"required": "Choose at least one agency to ask for comments."},
        )
        self.fields["due_date"] = GovukDateField(label="Comments due by", error_name="the date comments are due")


class CommentForm(SubmitOnceMixin, GovukForm):
    """A comment is created: a resent form must not add it twice (ui.forms.SubmitOnceMixin)."""

    def __init__(
        self, *args: Any, sections: list[ReportSection], agencies: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"] = forms.TypedChoiceField(
            label="Section",
            choices=[(str(s.pk), f"{i}. {s.heading}") for i, s in enumerate(sections, start=1)],
            coerce=int,
            error_messages={"required": "Choose the section the comment is about."},
        )
        self.fields["text"] = text_area(
            "Comment",
            required="Enter the comment: what is factually inaccurate, and what is correct.",
            rows=5,
            max_length=5000,
            help_text="Use pseudonyms.",
        )
        # An agency lead leading two agencies asked in the round says which one comments.
        self.fields["agency"] = forms.TypedChoiceField(
            label="For",
            choices=[(str(pk), name) for pk, name in agencies],
            coerce=int,
            initial=str(agencies[0][0]) if agencies else None,
            widget=forms.HiddenInput if len(agencies) == 1 else forms.Select,
            error_messages={"required": "Choose the agency you comment for."},
        )


ANSWERS = [
    ("none", "There are no factual inaccuracies"),
    ("comments", "Send our comments as they stand"),
]


class AnswerForm(GovukForm):
    answer = forms.ChoiceField(
        label="Your agency's answer",
        choices=ANSWERS,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose your agency's answer."},
    )
    agency = forms.TypedChoiceField(coerce=int, widget=forms.HiddenInput, choices=[])

    def __init__(self, *args: Any, agencies: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(str(pk), name) for pk, name in agencies]
        field.initial = str(agencies[0][0]) if agencies else None
        if len(agencies) > 1:
            field.widget = forms.Select()
            field.label = "For"


class ResponseForm(GovukForm):
    comment = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label="Your answer",
        choices=ResponseOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the comment is accepted, the report changed, or not accepted."},
    )
    reason = forms.CharField(
        label="Reason or note",
        help_text="Required when the comment is not accepted. Use pseudonyms.",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, comment_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.auto_id = f"id_c{comment_id}_%s"
        if not self.is_bound:
            self.fields["comment"].initial = comment_id
