"""The review pages' forms, one module per feature, on the GOV.UK plumbing in ui.forms."""
