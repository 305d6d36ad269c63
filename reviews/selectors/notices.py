"""Readers of a review's onward notices, beside the clocks they stop."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reviews.models import Notice, Review
from reviews.models.notices import NoticeSpec, notices_for
from reviews.selectors.clocks import ClockRow
from workflows.clocks import Basis

DUTY_TEXT = {
    Basis.STATUTE: "required by statute or national guidance",
    Basis.PRACTICE: "common local practice",
    Basis.UNSURE: "not confirmed",
}
DEADLINE_TEXT = {
    Basis.STATUTE: "deadline set nationally",
    Basis.PRACTICE: "deadline is the partnership's own (common practice)",
    Basis.UNSURE: "deadline not confirmed: the partnership's default",
}


@dataclass(frozen=True)
class NoticeRow:
    spec: NoticeSpec
    # The date it went (or the reply came): the review's stop date for the notice's clock. It may be
    # recorded without a notice row: a serious incident notification dated before notices were kept.
    dated: date | None
    notice: Notice | None
    clock: ClockRow | None

    @property
    def confidence_text(self) -> str:
        """The confidence marks of docs/DOMAIN.md: how sure the duty is, and how sure its deadline."""
        return f"{DUTY_TEXT[self.spec.duty].capitalize()}; {DEADLINE_TEXT[Basis(self.spec.clock.basis)]}."

    @property
    def recordable(self) -> bool:
        return self.notice is None


def notice_rows(review: Review, clocks: list[ClockRow]) -> list[NoticeRow]:
    """The notices this review owes, each with its clock from the rows already read for the page.

    One query, for the notices recorded (none when the review owes no notice).
    """
    specs = notices_for(review)
    if not specs:
        return []
    recorded = {notice.kind: notice for notice in Notice.objects.filter(review=review).select_related("recorded_by")}
    by_key = {row.clock.key: row for row in clocks}
    return [
        NoticeRow(
            spec=spec,
            dated=getattr(review, spec.date_field),
            notice=recorded.get(spec.kind),
            clock=by_key.get(spec.clock.key),
        )
        for spec in specs
    ]
