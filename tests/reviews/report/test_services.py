"""The overview report (docs/DOMAIN.md "Overview report"): versions of the reviewer's sections, a
diff between any two, and sections linked to the signed findings, never copied."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reviews.models import ReportSection, ReportVersion
from reviews.selectors.report import final_version, report_html, shown_sections, version_diff, version_get
from reviews.services.findings import FindingsData, findings_reopen, findings_save, findings_sign_off
from reviews.services.report import (
    SectionData,
    report_section_delete,
    report_section_move,
    report_section_save,
    report_version_finalise,
    report_version_new,
)
from tests.factories import read_hash
from tests.reviews.report.conftest import INTRODUCTION
from workflows.audit import AuditEvent
from workflows.runner import TransitionRefused


def sections(review, number: int) -> list[tuple[str, str, str]]:
    version = version_get(review, number)
    return [(s.heading, s.kind, s.body) for s in version.sections.order_by("position")]


def edit(review, actor, number: int, heading: str, body: str) -> ReportSection:
    section = ReportSection.objects.get(version__report__review=review, version__number=number, heading=heading)
    return report_section_save(
        actor=actor,
        review_id=review.pk,
        number=number,
        section_id=section.pk,
        data=SectionData(heading=heading, body=body),
    )


# --- versions -------------------------------------------------------------------------------------


def test_a_new_version_starts_as_a_copy_and_freezes_the_one_before(signed, drafted, chair):
    v2 = report_version_new(actor=chair, review_id=signed.pk, note="After the panel")
    assert (v2.number, v2.state, v2.note) == (2, "draft", "After the panel")
    assert sections(signed, 2) == sections(signed, 1)
    # The same sections across versions, paired by lineage; their own rows.
    one, two = (list(version_get(signed, n).sections.order_by("position")) for n in (1, 2))
    assert [s.lineage for s in one] == [s.lineage for s in two]
    assert not {s.pk for s in one} & {s.pk for s in two}

    edit(signed, chair, 2, "Introduction", "Rewritten.")
    assert sections(signed, 1)[0][2] == INTRODUCTION  # version 1 kept its own text

    before = ReportSection.objects.count()
    with pytest.raises(TransitionRefused) as refused:
        edit(signed, chair, 1, "Introduction", "Late change")
    assert str(refused.value) == "Version 1 is not the newest: changes go into version 2."
    assert ReportSection.objects.count() == before and sections(signed, 1)[0][2] == INTRODUCTION


def test_sections_are_added_moved_and_removed_in_the_draft_only(signed, drafted, coordinator):
    report_section_save(
        actor=coordinator, review_id=signed.pk, number=1, data=SectionData(heading="Methodology", body="Interviews.")
    )
    methodology = ReportSection.objects.get(heading="Methodology")
    assert methodology.position == 4
    report_section_move(actor=coordinator, review_id=signed.pk, number=1, section_id=methodology.pk, up=True)
    report_section_move(actor=coordinator, review_id=signed.pk, number=1, section_id=methodology.pk, up=True)
    assert [h for h, _, _ in sections(signed, 1)] == [
        "Introduction",
        "Methodology",
        "What the review found",
        "Recommendations",
    ]
    intro = ReportSection.objects.get(heading="Introduction")
    report_section_delete(actor=coordinator, review_id=signed.pk, number=1, section_id=intro.pk)
    assert [(s.heading, s.position) for s in version_get(signed, 1).sections.order_by("position")] == [
        ("Methodology", 1),
        ("What the review found", 2),
        ("Recommendations", 3),
    ]
    assert AuditEvent.objects.filter(verb="report.section_removed").count() == 1


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (SectionData(heading="", body="Text"), {"heading": ["Enter a heading for the section."]}),
        (SectionData(heading="Context", body="  "), {"body": ["Enter the section's text."]}),
        (
            SectionData(heading="Findings", kind="findings", body="Copied findings"),
            {
                "body": [
                    "A section showing the signed findings has no text of its own: leave this empty, "
                    "or make it a section of your own text."
                ]
            },
        ),
        (SectionData(heading="X", kind="appendix", body="Y"), {"kind": ["Choose what the section holds."]}),
    ],
)
def test_bad_sections_are_refused_and_nothing_is_saved(signed, drafted, chair, data, errors):
    before = sections(signed, 1)
    with pytest.raises(ValidationError) as error:
        report_section_save(actor=chair, review_id=signed.pk, number=1, data=data)
    assert error.value.message_dict == errors
    assert sections(signed, 1) == before


def test_a_linked_section_needs_signed_findings(drafting, coordinator, chair):
    report_version_new(actor=chair, review_id=drafting.pk)
    with pytest.raises(ValidationError) as error:
        report_section_save(
            actor=chair, review_id=drafting.pk, number=1, data=SectionData(heading="Findings", kind="findings")
        )
    assert error.value.message_dict == {
        "kind": [
            "The findings have never been signed off: a section can show them only once the chair has signed them."
        ]
    }
    assert not ReportSection.objects.exists()


@pytest.mark.parametrize("who", ["panel_member", "police_lead", "scrutineer"])
def test_only_the_coordinator_and_the_chair_write_the_report(signed, drafted, who, request):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        report_version_new(actor=user, review_id=signed.pk)
    with pytest.raises(PermissionDenied):
        report_section_save(actor=user, review_id=signed.pk, number=1, data=SectionData(heading="X", body="Y"))
    assert ReportVersion.objects.count() == 1 and ReportSection.objects.count() == 3


# --- linked, not copied ---------------------------------------------------------------------------


def test_linked_sections_show_the_signed_text_and_follow_a_new_signature(signed, drafted, coordinator, chair):
    """The findings section holds no text: it shows signed version 1; reopened, it warns and still
    shows version 1; signed again with new words, the same section shows version 2's."""
    findings_section, recommendations_section = shown_sections(drafted)[1:]
    assert findings_section.section.body == "" and findings_section.section.findings_id is not None
    assert findings_section.linked.signed.version == 1
    assert findings_section.text.startswith("Agencies held pieces of the picture that no one put together.")
    assert recommendations_section.text.startswith("R1. Train all front-line officers in the bruising protocol.")
    assert findings_section.linked.warning == ""

    findings_reopen(actor=chair, review_id=signed.pk, reason="The GP's record was misread.")
    reopened = shown_sections(drafted)[1]
    assert reopened.text.startswith("Agencies held pieces of the picture")
    assert reopened.linked.warning == (
        "The findings were reopened after version 1 was signed: The GP's record was misread. This section shows "
        "signed version 1 until the chair signs them again, and then shows the new signed text."
    )
    findings_save(
        actor=coordinator,
        review_id=signed.pk,
        data=FindingsData(findings="The GP saw the bruise and referred it.", learning="Refer at once.", themes=[]),
    )
    assert shown_sections(drafted)[1].text.startswith("Agencies held pieces")  # a draft is not shown
    findings_sign_off(actor=chair, review_id=signed.pk, read_hash=read_hash(signed.pk))
    resigned = shown_sections(drafted)[1]
    assert resigned.linked.signed.version == 2 and resigned.linked.warning == ""
    assert resigned.text == "The GP saw the bruise and referred it.\n\nRefer at once."
    # Nothing of the findings was ever written into the report's rows.
    assert not ReportSection.objects.filter(body__contains="bruise").exists()


# --- the diff -------------------------------------------------------------------------------------


def test_the_diff_between_version_1_and_version_3(signed, drafted, chair):
    """v2 rewrites one word of the introduction; v3 adds "Methodology", removes the recommendations
    section and renames the findings section. v1 → v3 shows all of it, per section."""
    report_version_new(actor=chair, review_id=signed.pk)
    edit(signed, chair, 2, "Introduction", INTRODUCTION.replace("looked at", "examined"))
    report_version_new(actor=chair, review_id=signed.pk)
    report_section_save(
        actor=chair, review_id=signed.pk, number=3, data=SectionData(heading="Methodology", body="Interviews.")
    )
    recommendations = ReportSection.objects.get(version__number=3, heading="Recommendations")
    report_section_delete(actor=chair, review_id=signed.pk, number=3, section_id=recommendations.pk)
    found = ReportSection.objects.get(version__number=3, heading="What the review found")
    report_section_save(
        actor=chair,
        review_id=signed.pk,
        number=3,
        section_id=found.pk,
        data=SectionData(heading="Findings", kind="findings"),
    )

    diffs = version_diff(version_get(signed, 1), version_get(signed, 3))
    assert [(d.heading, d.status) for d in diffs] == [
        ("Introduction", "changed"),
        ("Findings", "changed"),
        ("Methodology", "added"),
        ("Recommendations", "removed"),
    ]
    intro = diffs[0]
    assert [(p.op, p.text) for p in intro.pieces if p.op != "same"] == [("del", "looked at"), ("ins", "examined")]
    assert "".join(p.text for p in intro.pieces if p.op != "ins") == INTRODUCTION
    assert diffs[1].heading_before == "What the review found" and diffs[1].linked
    assert all(p.op == "same" for p in diffs[1].pieces)  # linked text is the same signed text on both sides
    assert [(p.op, p.text) for p in diffs[2].pieces] == [("ins", "Interviews.")]
    assert diffs[3].pieces[0].op == "del" and diffs[3].pieces[0].text.startswith("R1. Train")
    # Unchanged versions: every section the same.
    assert {d.status for d in version_diff(version_get(signed, 2), version_get(signed, 2))} == {"same"}


# --- final, and the document ------------------------------------------------------------------------


def test_marking_final_freezes_the_report_and_publication_reads_it(signed, drafted, chair):
    assert final_version(signed) is None
    report_version_finalise(actor=chair, review_id=signed.pk, number=1)
    final = final_version(signed)
    assert final is not None and final.number == 1 and final.finalised_by == chair
    with pytest.raises(TransitionRefused) as refused:
        report_version_new(actor=chair, review_id=signed.pk)
    assert str(refused.value) == "Version 1 of the overview report is final: no further version can be started."
    with pytest.raises(TransitionRefused) as refused:
        edit(signed, chair, 1, "Introduction", "After publication")
    assert str(refused.value) == "Version 1 is final and can no longer be changed."
    assert ReportVersion.objects.count() == 1 and sections(signed, 1)[0][2] == INTRODUCTION


def test_findings_reopened_keep_the_report_from_being_final(signed, drafted, chair):
    findings_reopen(actor=chair, review_id=signed.pk, reason="A date is wrong.")
    with pytest.raises(TransitionRefused) as refused:
        report_version_finalise(actor=chair, review_id=signed.pk, number=1)
    assert str(refused.value) == (
        "The findings were reopened and are not signed again: the final report must show signed findings."
    )
    assert version_get(signed, 1).state == "draft"


def test_report_html_is_a_standalone_document_with_the_signed_text(signed, drafted, chair):
    report_section_save(
        actor=chair,
        review_id=signed.pk,
        number=1,
        data=SectionData(heading="A <b>bold</b> claim", body="Mother M & <script>alert(1)</script>"),
    )
    html = report_html(version_get(signed, 1))
    assert html.lstrip().startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert "<link" not in html and "src=" not in html  # nothing to fetch: WeasyPrint needs no network
    assert "<h2>1. Introduction</h2>" in html
    assert "Agencies held pieces of the picture that no one put together." in html
    assert "Train all front-line officers in the bruising protocol." in html
    assert "A &lt;b&gt;bold&lt;/b&gt; claim" in html and "&lt;script&gt;" in html and "<script>" not in html
    assert signed.title in html


def test_the_final_version_prints_as_a_pdf_with_the_signed_text(signed, drafted, chair):
    """What publication will do: report_html of the final version through WeasyPrint, read back."""
    from io import BytesIO

    from pypdf import PdfReader

    from reviews.selectors.publication import pdf_from_html

    report_version_finalise(actor=chair, review_id=signed.pk, number=1)
    final = final_version(signed)
    assert final is not None
    pdf = pdf_from_html(report_html(final))
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(pdf)).pages)
    assert "1. Introduction" in text
    assert "Agencies held pieces of the picture that no one put together." in text
