"""Reading what agencies upload (chronology spreadsheets) into checked rows, before any write."""
