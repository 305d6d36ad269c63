"""The only writers of review data: one module per feature, each writer keyword-only and in one transaction."""
