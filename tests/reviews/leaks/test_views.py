"""The leaks page: the coordinator and the chair read every identity found (the coordinator as
written, the chair masked), the chair overrides one with a reason; other roles 403, no role 404.
And the page where the coordinator records the real names of the setting and alleged perpetrators."""

from __future__ import annotations

from html import unescape

import pytest
from django.urls import reverse

from reviews.models import LeakOverride, RestrictedName
from reviews.selectors.leaks import unresolved_hits
from reviews.services.leaks import MESSAGES
from reviews.services.subjects import RESTRICTED_NAME_MESSAGES
from workflows.audit import AuditEvent

pytestmark = pytest.mark.django_db

REPORT = "report v1 §2 Background"
TEXT = "The health visitor saw Oliver Bramwell-Tate at 27 Tanners Yard."


def _leaks_url(review) -> str:
    return reverse("reviews:leaks", args=[review.reference])


def _override_url(review) -> str:
    return reverse("reviews:leak_override", args=[review.reference])


@pytest.fixture
def with_report(identified, report_texts):
    report_texts[REPORT] = TEXT
    return identified


def test_the_coordinator_reads_each_hit_as_written_and_the_look_is_logged(client, with_report, coordinator):
    client.force_login(coordinator)
    response = client.get(_leaks_url(with_report))
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert "2 identities found in 2 outgoing texts; 2 not overridden." in html  # the title and the report
    assert "The health visitor saw Oliver Bramwell-Tate at 27 Tanners Yard." in html
    assert "Real name of Child K" in html and "Address of Child K" in html
    assert "“Child K”" in html
    assert "Override: it may go out as it is" not in html  # the chair's
    assert AuditEvent.objects.filter(verb="access.leaks", actor=coordinator).count() == 1


def test_the_chair_reads_each_hit_masked_with_an_override_form(client, with_report, chair):
    client.force_login(chair)
    response = client.get(_leaks_url(with_report))
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert "The health visitor saw [name] at [address]." in html
    for secret in ("Oliver", "Bramwell", "Tanners"):
        assert secret not in html
    assert html.count("Override: it may go out as it is") == 2


@pytest.mark.parametrize("who", ["panel_member", "police_lead", "scrutineer"])
def test_other_roles_are_refused(client, with_report, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(_leaks_url(with_report))
    assert response.status_code == 403
    assert "Oliver" not in response.content.decode()
    assert client.post(_override_url(with_report), {"fingerprint": "x", "reason": "y"}).status_code == 403


def test_without_a_role_the_review_does_not_exist(client, with_report, outsider):
    client.force_login(outsider)
    assert client.get(_leaks_url(with_report)).status_code == 404
    assert client.post(_override_url(with_report), {"fingerprint": "x", "reason": "y"}).status_code == 404


def test_the_coordinator_may_not_override(client, with_report, coordinator):
    client.force_login(coordinator)
    hit = unresolved_hits(with_report)[0]
    response = client.post(_override_url(with_report), {"fingerprint": hit.fingerprint, "reason": "Fine."})
    assert response.status_code == 403
    assert not LeakOverride.objects.exists()


def test_the_chair_overrides_a_hit_with_a_reason(client, with_report, chair):
    client.force_login(chair)
    name_hit, address_hit = unresolved_hits(with_report)
    response = client.post(
        _override_url(with_report), {"fingerprint": address_hit.fingerprint, "reason": "The address is public record."}
    )
    assert response.status_code == 302
    assert response["Location"] == _leaks_url(with_report)
    assert LeakOverride.objects.get().fingerprint == address_hit.fingerprint
    html = unescape(client.get(_leaks_url(with_report)).content.decode())
    assert "2 identities found in 2 outgoing texts; 1 not overridden." in html
    assert "The address is public record." in html
    assert html.count("Override: it may go out as it is") == 1
    assert [hit.fingerprint for hit in unresolved_hits(with_report)] == [name_hit.fingerprint]


def test_an_override_without_a_reason_is_sent_back_with_its_message(client, with_report, chair):
    client.force_login(chair)
    hit = unresolved_hits(with_report)[0]
    response = client.post(_override_url(with_report), {"fingerprint": hit.fingerprint, "reason": ""})
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert f'<a href="#override-reason">{MESSAGES["reason"]}</a>' in html
    assert not LeakOverride.objects.exists()
    response = client.post(_override_url(with_report), {"fingerprint": hit.fingerprint, "reason": "Oliver agreed."})
    html = unescape(response.content.decode())
    assert response.status_code == 400
    assert MESSAGES["reason_identity"] in html
    assert "Oliver agreed.</textarea>" in html  # what the chair typed stays, for them to change
    assert not LeakOverride.objects.exists()


def test_the_page_costs_the_same_queries_for_3_or_30_hits(
    client, with_report, coordinator, report_texts, django_assert_max_num_queries
):
    client.force_login(coordinator)
    report_texts[REPORT] = " ".join(["Oliver"] * 2)
    with django_assert_max_num_queries(100) as few:
        assert client.get(_leaks_url(with_report)).status_code == 200
    report_texts[REPORT] = " ".join(["Oliver"] * 29)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(_leaks_url(with_report)).status_code == 200


# --- the real names of the setting and alleged perpetrators ---------------------------------------


def _names_url(review) -> str:
    return reverse("reviews:restricted_names", args=[review.reference])


def test_the_coordinator_records_a_real_name(client, review, coordinator):
    client.force_login(coordinator)
    response = client.post(
        _names_url(review), {"what": "setting", "pseudonym": "Nursery Z", "real_name": "Little Acorns Day Nursery"}
    )
    assert response.status_code == 302
    name = RestrictedName.objects.get()
    assert (name.pseudonym, name.real_name, name.what, name.recorded_by) == (
        "Nursery Z",
        "Little Acorns Day Nursery",
        "setting",
        coordinator,
    )
    event = AuditEvent.objects.get(verb="restricted_name.added")
    assert event.detail == {"pseudonym": "Nursery Z", "what": "setting"}
    page = client.get(_names_url(review))
    assert "Little Acorns Day Nursery" in page.content.decode()
    assert AuditEvent.objects.filter(verb="access.restricted_names").count() == 1
    removed = client.post(reverse("reviews:restricted_name_remove", args=[review.reference, name.pk]))
    assert removed.status_code == 302 and not RestrictedName.objects.exists()
    assert AuditEvent.objects.get(verb="restricted_name.removed").detail == {"pseudonym": "Nursery Z"}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"what": "", "pseudonym": "K", "real_name": "Kevin Marsh"}, "what", RESTRICTED_NAME_MESSAGES["what"]),
        (
            {"what": "perpetrator", "pseudonym": "", "real_name": "Kevin Marsh"},
            "pseudonym",
            RESTRICTED_NAME_MESSAGES["pseudonym"],
        ),
        (
            {"what": "perpetrator", "pseudonym": "K", "real_name": ""},
            "real_name",
            RESTRICTED_NAME_MESSAGES["real_name"],
        ),
        (
            {"what": "perpetrator", "pseudonym": "K", "real_name": "Ke"},
            "real_name",
            RESTRICTED_NAME_MESSAGES["real_name_short"],
        ),
        (
            {"what": "perpetrator", "pseudonym": "Child A", "real_name": "Kevin Marsh"},
            "pseudonym",
            "Child A is already used on this review.",
        ),
    ],
)
def test_a_real_name_with_a_mistake_is_sent_back(client, review, coordinator, data, field, message):
    client.force_login(coordinator)
    response = client.post(_names_url(review), data)
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert f'<a href="#id_{field}">{message}</a>' in html
    assert not RestrictedName.objects.exists()
    if data["real_name"]:
        assert f'value="{data["real_name"]}"' in html  # what was typed stays


def test_only_those_who_may_read_identities_see_the_real_names(client, identified, chair, outsider):
    client.force_login(chair)
    response = client.get(_names_url(identified))
    assert response.status_code == 403
    assert "Little Acorns" not in response.content.decode()
    client.force_login(outsider)
    assert client.get(_names_url(identified)).status_code == 404
