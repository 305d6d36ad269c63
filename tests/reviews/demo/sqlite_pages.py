"""The demo on the embedded SQLite default that `make run` uses: migrate a fresh file, seed the
demo, then request the pages across reviews as the demo's users would, and print one JSON line of
what each answered.

A program, not a test: the suite runs on PostgreSQL, so tests/reviews/demo/test_sqlite_pages.py
runs this in a process of its own whose DATABASE_URL names a fresh SQLite file and whose settings
are the project's own (project.settings, as `make run` has them). What PostgreSQL accepts and SQLite
refuses (an ORDER BY inside a UNION, a full-text search) shows up here and nowhere else.
"""

from __future__ import annotations

import io
import json
import os

# (user, path): the pages a demo user opens across reviews, on SQLite.
PAGES = [
    ("business.manager", "/"),
    ("business.manager", "/partnerships/"),
    ("business.manager", "/partnerships/NSCP/oversight/"),
    ("business.manager", "/partnerships/NSCP/oversight/reviews/?of=caseload"),
    ("business.manager", "/partnerships/NSCP/annual-report/{year}/"),
    ("business.manager", "/partnerships/NSCP/annual-report/{year}.xlsx"),
    ("business.manager", "/search/?q=neglect"),
    ("business.manager", "/search/?q=neglect&kind=child_death"),
    ("partnership.scrutineer", "/partnerships/NSCP/annual-report/{year}/"),
    ("partnership.scrutineer", "/partnerships/NSCP/oversight/"),
    ("coordinator", "/search/?q=training"),
    ("coordinator", "/partnerships/NSCP/themes/"),
    ("police.lead", "/search/?q=neglect"),
]


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from reviews.selectors.annual_report import FinancialYear

    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    year = FinancialYear.of(timezone.localdate()).start_year
    answers = []
    clients: dict[str, Client] = {}
    for username, path in PAGES:
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(get_user_model().objects.get(username=username))
        url = path.format(year=year)
        response = clients[username].get(url)
        body = b"" if getattr(response, "streaming", False) else response.content
        answers.append({"user": username, "url": url, "status": response.status_code, "size": len(body)})
    print(json.dumps({"answers": answers}))


if __name__ == "__main__":
    main()
