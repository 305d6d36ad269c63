"""Cursor pagination: stable under inserts (no page skips or repeats a row) and one index scan
per page whatever the page's depth, which offsets are not."""

from __future__ import annotations

from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    # A unique, indexed column, newest first: the primary key.
    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
