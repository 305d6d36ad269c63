"""The chair's overrides of the identity-leak check (reviews/selectors/leaks.py).

An override names a hit by its fingerprint (a keyed hash of where it is, what it is, whose it is
and the words matched), never by the identity itself: the row is read by people who may not read
identities, and its reason is checked for identities before it is saved."""

from __future__ import annotations

from django.conf import settings
from django.db import models

# Long enough for every label but a long section heading's, which is cut (reviews/services/leaks.py).
SOURCE_LENGTH = 200


class LeakOverride(models.Model):
    review = models.ForeignKey("reviews.Review", on_delete=models.CASCADE, related_name="leak_overrides")
    fingerprint = models.CharField(max_length=64)
    # Copied from the hit, so the page can say what was overridden once the text has changed.
    source = models.CharField(max_length=SOURCE_LENGTH)
    what = models.CharField(max_length=60)
    pseudonym = models.CharField(max_length=60)
    reason = models.TextField()
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "fingerprint"], name="leakoverride_unique_fingerprint"),
        ]

    def __str__(self) -> str:
        return f"Override of a {self.what} of {self.pseudonym} in {self.source}"
