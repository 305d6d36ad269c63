"""The factual accuracy pages: the agency lead sees the draft and their own agency's comments only;
a comment on a closed round is refused on the page; the reviewer answers each comment."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest
from django.urls import reverse

from reviews.models import AccuracyComment, AccuracyRound, CommentResponse
from reviews.services.accuracy import accuracy_comment_add
from tests.reviews.accuracy.conftest import lead_roles


def url(accuracy_round, name: str) -> str:
    return reverse(
        f"reviews:{name}", kwargs={"reference": accuracy_round.review.reference, "round_id": accuracy_round.pk}
    )


def add_comment(accuracy_round, lead, agency, text: str) -> AccuracyComment:
    section = accuracy_round.version.sections.get(heading="Introduction")
    return accuracy_comment_add(
        actor=lead, round_id=accuracy_round.pk, agency_id=agency.pk, section_id=section.pk, text=text
    )


def test_the_coordinator_sends_the_draft(client, today, drafted, coordinator, police_lead, gp_lead):
    today.set(date(2027, 3, 1))
    review = drafted.report.review
    client.force_login(coordinator)
    send = reverse("reviews:accuracy_send", kwargs={"reference": review.reference})
    assert client.get(send).status_code == 200
    bad = client.post(send, {"leads": [], "due_date-day": "1", "due_date-month": "3", "due_date-year": "2027"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "Choose at least one agency to ask for comments." in html
    assert not AccuracyRound.objects.exists()
    roles = [str(pk) for pk in lead_roles(review, police_lead, gp_lead)]
    past = client.post(send, {"leads": roles, "due_date-day": "1", "due_date-month": "3", "due_date-year": "2027"})
    assert past.status_code == 400 and "The date comments are due must be in the future" in past.content.decode()
    assert not AccuracyRound.objects.exists()
    sent = client.post(send, {"leads": roles, "due_date-day": "5", "due_date-month": "3", "due_date-year": "2027"})
    assert sent.status_code == 302
    assert AccuracyRound.objects.get().agencies.count() == 2


def test_each_agency_lead_sees_only_their_own_agencys_comments(client, sent, police, gp, police_lead, gp_lead, chair):
    add_comment(sent, police_lead, police, "Police comment: the date is 3 May.")
    add_comment(sent, gp_lead, gp, "GP comment: the surgery is in Northbridge.")
    client.force_login(police_lead)
    html = client.get(url(sent, "accuracy_round")).content.decode()
    assert "Police comment" in html and "GP comment" not in html
    assert "Why we reviewed" not in html  # not the world's report: this review's
    assert "This review looked at the help given to Child A" in html  # the draft's text
    client.force_login(chair)
    html = client.get(url(sent, "accuracy_round")).content.decode()
    assert "Police comment" in html and "GP comment" in html


@pytest.mark.parametrize(("who", "status"), [("panel_member", 403), ("scrutineer", 403), ("outsider", 404)])
def test_the_round_is_not_shown_to_others(client, sent, who, status, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(sent, "accuracy_round")).status_code == status


def test_a_lead_comments_then_sends_and_the_reviewer_answers(client, sent, gp, gp_lead, police, police_lead, chair):
    client.force_login(gp_lead)
    section = sent.version.sections.get(heading="Introduction")
    empty = client.post(url(sent, "accuracy_comment"), {"section": str(section.pk), "text": "", "agency": str(gp.pk)})
    assert empty.status_code == 400
    assert "Enter the comment: what is factually inaccurate, and what is correct." in empty.content.decode()
    assert not AccuracyComment.objects.exists()
    comment_form = {"section": str(section.pk), "text": "Seen on 3 May.", "agency": str(gp.pk), "submission": uuid4()}
    made = client.post(url(sent, "accuracy_comment"), comment_form)
    assert made.status_code == 302
    # The same form again (a double click, a resent page) adds nothing and says so.
    again = client.post(url(sent, "accuracy_comment"), comment_form, follow=True)
    assert "This comment had already been sent: it was added once." in again.content.decode()
    assert AccuracyComment.objects.count() == 1
    assert client.post(url(sent, "accuracy_answer"), {"answer": "comments", "agency": str(gp.pk)}).status_code == 302
    client.force_login(police_lead)
    assert client.post(url(sent, "accuracy_answer"), {"answer": "none", "agency": str(police.pk)}).status_code == 302
    assert AccuracyRound.objects.get(pk=sent.pk).closed_because == "all_answered"

    comment = AccuracyComment.objects.get()
    client.force_login(police_lead)
    assert client.get(url(sent, "accuracy_responses")).status_code == 403
    client.force_login(chair)
    page = client.get(url(sent, "accuracy_responses"))
    assert page.status_code == 200 and "Seen on 3 May." in page.content.decode()
    no_reason = client.post(url(sent, "accuracy_responses"), {"comment": str(comment.pk), "outcome": "not_accepted"})
    assert no_reason.status_code == 400
    assert "Give the reason the comment is not accepted." in no_reason.content.decode()
    assert not CommentResponse.objects.exists()
    answered = client.post(
        url(sent, "accuracy_responses"),
        {"comment": str(comment.pk), "outcome": "not_accepted", "reason": "The GP's own record says 5 May."},
    )
    assert answered.status_code == 302
    assert CommentResponse.objects.get().reason == "The GP's own record says 5 May."


def test_a_comment_on_a_closed_round_is_refused_on_the_page(client, sent, today, gp, gp_lead):
    today.set(date(2027, 3, 8))
    client.force_login(gp_lead)
    section = sent.version.sections.get(heading="Introduction")
    response = client.post(
        url(sent, "accuracy_comment"),
        {"section": str(section.pk), "text": "Late.", "agency": str(gp.pk), "submission": uuid4()},
    )
    assert response.status_code == 409
    assert "The factual accuracy round closed on 6 March 2027: comments are no longer taken." in (
        response.content.decode()
    )
    assert not AccuracyComment.objects.exists()
    # Read after its date, the round was closed before it was shown.
    assert AccuracyRound.objects.get(pk=sent.pk).closed_because == "date_passed"


def test_the_round_page_costs_the_same_however_many_comments(
    client, sent, gp, gp_lead, chair, django_assert_max_num_queries
):
    client.force_login(chair)
    add_comment(sent, gp_lead, gp, "First.")
    with django_assert_max_num_queries(30) as few:
        client.get(url(sent, "accuracy_responses"))
    for i in range(15):
        add_comment(sent, gp_lead, gp, f"Comment {i}.")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url(sent, "accuracy_responses"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url(sent, "accuracy_round"))
