"""The evidence producers an assessment runs."""
