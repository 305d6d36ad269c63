from __future__ import annotations

from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Safeguarding reviews"

    def ready(self) -> None:
        # Tell notifications about the review's deadlines (it never imports reviews itself).
        from reviews.services import deadlines

        deadlines.register()
        # What a webhook payload may say of a review (notifications asks for deadline events).
        from reviews.services import webhooks

        webhooks.register()
        # The overview report's versions are outgoing texts the identity-leak check reads.
        from reviews.selectors.leaks import register_outgoing
        from reviews.selectors.report import report_outgoing_texts

        register_outgoing(report_outgoing_texts)
