"""Build-time tooling: builders and updaters of the bundled resources (never run by a patient job)."""
