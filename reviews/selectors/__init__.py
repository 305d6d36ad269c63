"""The readers of review data, one module per feature: querysets and page rows, never writes."""
