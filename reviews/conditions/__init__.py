"""Named predicates on transitions, one module per feature: each returns None when met, or why not."""
