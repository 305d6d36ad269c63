"""A review's findings: what was found, the learning, its themes, the SMART recommendations and,
for a child death review, the CDR analysis. The chair signs them off; a signed version is kept as
an immutable snapshot with the SHA-256 hash of its canonical JSON (reviews.services.findings).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from reviews.conditions.findings import findings_complete, has_a_chair, review_at_findings
from reviews.models.roles import review_role_permission
from workflows.conditions import Permission
from workflows.models import Chained

if TYPE_CHECKING:
    from reviews.models.review import Review
    from workflows.types import User

# docs/DOMAIN.md "Findings": the common themes tagged for annual reporting. A partnership may keep its
# own list (Theme rows); with none stored, these defaults apply [practice].
DEFAULT_THEMES: list[str] = [
    "Child sexual exploitation",
    "Female genital mutilation",
    "Forced marriage",
    "Honour-based abuse",
    "Trafficking / modern slavery",
    "Neglect",
    "Domestic abuse",
    "Parental mental health",
    "Substance misuse",
    "Physical abuse",
    "Sexual abuse",
    "Emotional abuse",
    "Institutional abuse",
    "Self-harm and suicide",
    "Online harm",
    "Missing from home / education",
]


class Theme(models.Model):
    """One theme of a partnership's own list (replacing the defaults once it has any)."""

    partnership = models.ForeignKey("reviews.Partnership", on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["partnership", "name"], name="theme_unique_per_partnership")]

    def __str__(self) -> str:
        return self.name


class CategoryOfDeath(models.IntegerChoices):
    """The ten CDR categories. Hierarchical: the first that applies is the category [statute]."""

    DELIBERATE = 1, "1. Deliberately inflicted injury, abuse or neglect"
    SUICIDE = 2, "2. Suicide or deliberate self-inflicted harm"
    TRAUMA = 3, "3. Trauma and other external factors"
    MALIGNANCY = 4, "4. Malignancy"
    ACUTE = 5, "5. Acute medical or surgical condition"
    CHRONIC = 6, "6. Chronic medical condition"
    CONGENITAL = 7, "7. Chromosomal, genetic and congenital anomalies"
    PERINATAL = 8, "8. Perinatal/neonatal event"
    INFECTION = 9, "9. Infection"
    SUDDEN_UNEXPLAINED = 10, "10. Sudden unexpected, unexplained death"


class ModifiableFactors(models.TextChoices):
    YES = "yes", "Yes: modifiable factors identified"
    NO = "no", "No modifiable factors identified"
    INSUFFICIENT = "insufficient", "Insufficient information"


# The CDR analysis: factors in four domains (docs/DOMAIN.md).
ANALYSIS_DOMAINS: list[tuple[str, str]] = [
    ("factors_child", "Factors intrinsic to the child"),
    ("factors_family", "Factors in the family and social environment"),
    ("factors_physical", "Factors in the physical environment"),
    ("factors_services", "Factors in service provision"),
]


class Relevance(models.IntegerChoices):
    """How much a domain's factors bear on the death: the national analysis form's levels [statute]."""

    NOT_AVAILABLE = 0, "0. Information not available"
    NONE_OR_UNLIKELY = 1, "1. No factors identified, or factors identified that are unlikely to have contributed"
    MAY_HAVE_CONTRIBUTED = 2, "2. Factors identified that may have contributed to vulnerability, ill health or death"


def relevance_field(domain: str) -> str:
    """The column holding a domain's level of relevance: ``factors_child`` → ``factors_child_relevance``."""
    return f"{domain}_relevance"


class FindingsState(models.TextChoices):
    DRAFT = "draft", "Draft"
    # Sent to the chair, who is told and has a to-do (issue 12); still editable, but the sign-off
    # carries the hash of what the chair read, so a change after they read it is never signed.
    AWAITING_SIGN_OFF = "awaiting_sign_off", "Awaiting the chair's sign-off"
    SIGNED_OFF = "signed_off", "Signed off"


# Drafts the coordinator (or the independent reviewer) may still change.
DRAFT_STATES = (FindingsState.DRAFT, FindingsState.AWAITING_SIGN_OFF)


def _review_of(findings: Findings) -> Review:
    return findings.review


# The chair signs off and reopens the findings; the coordinator sends them for sign-off.
is_chair: Permission[Findings] = review_role_permission("chair_review", _review_of)
is_review_coordinator: Permission[Findings] = review_role_permission("coordinate_review", _review_of)


class Findings(FSMModelMixin, models.Model):
    """One per review, drafted by the coordinator (or the independent reviewer) in the findings stage."""

    review = models.OneToOneField("reviews.Review", on_delete=models.CASCADE, related_name="findings")
    state = FSMField(default=FindingsState.DRAFT, choices=FindingsState.choices, protected=True)
    findings = models.TextField(blank=True, help_text="What the review found.")
    learning = models.TextField(blank=True, help_text="The learning for the partnership and its agencies.")
    themes = models.JSONField(default=list, blank=True, help_text="Theme names, as on the partnership's list.")

    # The CDR analysis (child death reviews only).
    factors_child = models.TextField(blank=True)
    factors_family = models.TextField(blank=True)
    factors_physical = models.TextField(blank=True)
    factors_services = models.TextField(blank=True)
    factors_child_relevance = models.PositiveSmallIntegerField(choices=Relevance.choices, null=True, blank=True)
    factors_family_relevance = models.PositiveSmallIntegerField(choices=Relevance.choices, null=True, blank=True)
    factors_physical_relevance = models.PositiveSmallIntegerField(choices=Relevance.choices, null=True, blank=True)
    factors_services_relevance = models.PositiveSmallIntegerField(choices=Relevance.choices, null=True, blank=True)
    category_of_death = models.PositiveSmallIntegerField(choices=CategoryOfDeath.choices, null=True, blank=True)
    category_rationale = models.TextField(blank=True, help_text="Why this category: the first of the ten that applies.")
    modifiable_factors = models.CharField(max_length=20, choices=ModifiableFactors.choices, blank=True)

    # The latest sign-off; every signed version is also a SignedFindings row.
    version = models.PositiveIntegerField(default=0, help_text="How many times these findings were signed off.")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    reopen_reason = models.TextField(blank=True)

    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name_plural = "findings"

    def __str__(self) -> str:
        return f"Findings of {self.review}"

    @property
    def is_signed_off(self) -> bool:
        return bool(self.state == FindingsState.SIGNED_OFF)

    @property
    def needs_analysis(self) -> bool:
        from reviews.models.review import ReviewKind

        return self.review.kind == ReviewKind.CHILD_DEATH

    @transition(
        field=state,
        source=FindingsState.DRAFT,
        target=FindingsState.AWAITING_SIGN_OFF,
        conditions=[review_at_findings, findings_complete, has_a_chair],
        permission=is_review_coordinator,
        custom={"label": "Send for sign-off", "doing": "send the findings to the chair for sign-off"},
    )
    def send_for_sign_off(self) -> None:
        pass

    @transition(
        field=state,
        # From a draft too: an independent reviewer who drafted the findings signs them off at once.
        source=DRAFT_STATES,
        target=FindingsState.SIGNED_OFF,
        conditions=[review_at_findings, findings_complete],
        permission=is_chair,
        custom={"label": "Sign off the findings"},
    )
    def sign_off(self, by: User, content_hash: str) -> None:
        """``content_hash``: of the content being signed, worked out by the service under the lock."""
        self.signed_by = by
        self.signed_at = timezone.now()
        self.content_hash = content_hash
        self.version += 1
        self.reopen_reason = ""

    @transition(
        field=state,
        source=FindingsState.SIGNED_OFF,
        target=FindingsState.DRAFT,
        conditions=[review_at_findings],
        permission=is_chair,
        custom={"label": "Reopen the findings", "needs_reason": True},
    )
    def reopen(self, reason: str) -> None:
        self.reopen_reason = reason


class Recommendation(models.Model):
    """SMART: what is to change, which agency owns it, by when, and how success is measured."""

    findings = models.ForeignKey(Findings, on_delete=models.CASCADE, related_name="recommendations")
    number = models.PositiveSmallIntegerField()
    what = models.TextField("what is to change")
    owner_agency = models.ForeignKey("reviews.Agency", on_delete=models.PROTECT, related_name="recommendations")
    due_by = models.DateField("by when")
    success_measure = models.TextField("how success is measured")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["findings", "number"], name="recommendation_unique_number"),
        ]

    def __str__(self) -> str:
        return f"Recommendation {self.number}"


class SignedFindings(Chained):
    """One signed version, exactly as signed. Never changed or deleted: the model refuses, and on
    PostgreSQL and SQLite a trigger makes the database refuse as well (migration 0004). Written
    only through workflows.chain.chain_append, so whoever can lift the trigger still cannot change
    or remove a signed version without ``manage.py verify_audit`` showing it."""

    findings = models.ForeignKey(Findings, on_delete=models.PROTECT, related_name="signed_versions")
    version = models.PositiveIntegerField()
    content = models.JSONField(help_text="The signed content, as hashed.")
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the canonical JSON of the content.")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["findings", "-version"]
        verbose_name_plural = "signed findings"
        constraints = [
            models.UniqueConstraint(fields=["findings", "version"], name="signedfindings_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.findings.review} findings, version {self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValidationError("A signed version of the findings can never be changed.")
        # django-stubs types pk as the primary key's int, though it is None until the row is saved.
        super().save(*args, **kwargs)  # type: ignore[unreachable]

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ValidationError("A signed version of the findings can never be deleted.")
