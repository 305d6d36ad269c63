"""The pages across reviews answer on the embedded SQLite default of `make run`, with the demo
seeded (tests/reviews/demo/sqlite_pages.py, in a process of its own)."""

from __future__ import annotations

import json

from tests.reviews.demo.sqlite_pages import PAGES
from tests.sqlite_program import run_on_sqlite


def test_the_demo_s_pages_across_reviews_answer_on_sqlite(tmp_path):
    result = run_on_sqlite("tests.reviews.demo.sqlite_pages", tmp_path, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-5000:]
    answers = json.loads(result.stdout.strip().splitlines()[-1])["answers"]
    assert len(answers) == len(PAGES)
    failed = [answer for answer in answers if answer["status"] != 200]
    assert not failed, (failed, result.stderr[-5000:])
