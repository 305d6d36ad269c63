"""{% fixed_url %}: the same address as {% url %}, under whatever prefix the service is mounted at."""

from __future__ import annotations

from django.template import Context, Template
from django.urls import reverse, set_script_prefix

from ui.templatetags.fixed_urls import fixed_url


def render(source: str) -> str:
    return Template("{% load fixed_urls %}" + source).render(Context({}))


def test_it_gives_the_address_url_gives():
    for name in ("reviews:dashboard", "reviews:my_requests", "notifications:inbox", "logout"):
        assert render(f"{{% fixed_url '{name}' %}}") == render(f"{{% url '{name}' %}}") == reverse(name)
    assert render("{% fixed_url 'reviews:panels' as there %}[{{ there }}]") == f"[{reverse('reviews:panels')}]"


def test_it_follows_the_script_prefix_rather_than_the_first_one_it_saw():
    assert fixed_url("reviews:dashboard") == "/"
    try:
        set_script_prefix("/safeguarding/")
        assert fixed_url("reviews:dashboard") == "/safeguarding/"
        assert fixed_url("reviews:my_requests") == "/safeguarding/my-requests/"
    finally:
        set_script_prefix("/")
    assert fixed_url("reviews:dashboard") == "/"
