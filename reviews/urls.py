from __future__ import annotations

from django.urls import path

from reviews.views.dashboard import dashboard
from reviews.views.key_dates import review_key_dates
from reviews.views.opening import review_new
from reviews.views.review_page import review_detail, review_transition
from reviews.views.roles import review_roles_view
from reviews.views.subjects import subject_add_view, subject_identity

app_name = "reviews"
urlpatterns = [
    path("", dashboard, name="dashboard"),
    # Before <reference>/ so "new" is never read as a reference.
    path("reviews/new/", review_new, name="review_new"),
    path("reviews/<str:reference>/", review_detail, name="review"),
    path("reviews/<str:reference>/transition/<slug:name>/", review_transition, name="review_transition"),
    path("reviews/<str:reference>/dates/", review_key_dates, name="review_dates"),
    path("reviews/<str:reference>/subjects/add/", subject_add_view, name="subject_add"),
    path("reviews/<str:reference>/subjects/<int:subject_id>/identity/", subject_identity, name="subject_identity"),
    path("reviews/<str:reference>/roles/", review_roles_view, name="review_roles"),
]
