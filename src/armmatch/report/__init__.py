"""Report: the assignment record and what renders it (JSON, TSV, JSONL, HTML)."""
