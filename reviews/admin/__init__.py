"""The Django admin for reviews, one module per feature; importing them registers their ModelAdmins.

Everything with a lifecycle or an audit trail is read-only here: it changes only through
reviews.services, and the review transitions are offered as admin actions that call them.
"""

from reviews.admin import (  # noqa: F401
    accuracy,
    actions,
    agencyforms,
    child_death,
    chronology,
    clocks,
    contributions,
    documents,
    family,
    findings,
    intake,
    leaks,
    panels,
    partnerships,
    report,
    review,
    roles,
    subjects,
)
