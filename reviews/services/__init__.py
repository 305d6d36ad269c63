"""The only writers of review data. Keyword-only, each in one transaction."""

from __future__ import annotations

from reviews.services.clocks import review_clocks_refresh
from reviews.services.lifecycle import review_advance, review_convert_to_cspr
from reviews.services.opening import review_open, review_record_key_dates
from reviews.services.roles import review_role_grant, review_role_revoke
from reviews.services.subjects import SubjectData, subject_add

__all__ = [
    "SubjectData",
    "review_advance",
    "review_clocks_refresh",
    "review_convert_to_cspr",
    "review_open",
    "review_record_key_dates",
    "review_role_grant",
    "review_role_revoke",
    "subject_add",
]
