"""Search (reviews/selectors/search.py): on PostgreSQL, each searched text keeps its full-text
vector in a generated column with a GIN index, so a search reads stored vectors instead of working
out to_tsvector for every row it looks at (20,000 actions of one coordinator took seconds).

The columns are PostgreSQL's own (GENERATED ALWAYS ... STORED): the models do not declare them, the
database keeps them up to date on every write, and the embedded SQLite of `make run`, which searches
with a plain substring match, has none. Each expression must stay the one search.py's
``VECTOR_COLUMNS`` describes.
"""

from __future__ import annotations

from django.db import migrations

# (table, column, text): the text is what search.py's branch of that table searches.
VECTORS = [
    ("reviews_review", "search_title", "coalesce(title, '')"),
    ("reviews_findings", "search_findings", "coalesce(findings, '')"),
    ("reviews_findings", "search_learning", "coalesce(learning, '')"),
    ("reviews_findings", "search_themes", "coalesce(themes::text, '')"),
    ("reviews_recommendation", "search_text", "coalesce(what, '') || ' ' || coalesce(success_measure, '')"),
    ("reviews_action", "search_text", "coalesce(description, '') || ' ' || coalesce(success_measure, '')"),
    ("reviews_reportsection", "search_text", "coalesce(heading, '') || ' ' || coalesce(body, '')"),
]


def add_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column, text in VECTORS:
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN {column} tsvector "
            f"GENERATED ALWAYS AS (to_tsvector('english'::regconfig, {text})) STORED"
        )
        schema_editor.execute(f"CREATE INDEX {table}_{column}_gin ON {table} USING gin ({column})")


def drop_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column, _ in VECTORS:
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN {column}")


class Migration(migrations.Migration):
    dependencies = [("reviews", "0029_partnership_oversight_standings")]

    operations = [migrations.RunPython(add_vectors, drop_vectors)]
