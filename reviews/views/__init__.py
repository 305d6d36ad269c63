"""The web UI: thin views that fetch through the selectors, validate a form and call one service."""
