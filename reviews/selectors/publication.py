"""How publication reads in the timeliness record: a clock stopped by a decision not to publish, or
by a summary's publication, says so beside its outcome, so the figures count it as such."""

from __future__ import annotations

from reviews.models import Review, ReviewClock
from reviews.models.publication import PublicationDecision


def publication_outcome(review: Review, clock: ReviewClock) -> str:
    """The words added to a publication clock's outcome ("" for every other clock)."""
    if clock.stop_event != "published_on" or clock.stopped_on is None:
        return ""
    if review.publication_declined_on is not None and clock.stopped_on == review.publication_declined_on:
        return ": not published, by decision"
    if review.publication_decision == PublicationDecision.SUMMARY:
        return ": a summary published"
    return ""


def pdf_from_html(html: str) -> bytes:
    """The PDF of a standalone HTML document (the final report version), drawn by WeasyPrint.

    Nothing is fetched: the report carries its stylesheet inside it, and allowing only data: URLs
    means no address in a report's text can make the server call out while the PDF is drawn."""
    from weasyprint import HTML  # type: ignore[import-untyped]
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    fetcher = URLFetcher(allowed_protocols=("data",), allow_redirects=False)
    pdf: bytes = HTML(string=html, url_fetcher=fetcher).write_pdf(pdf_variant="pdf/ua-1")
    return pdf
