"""The public Verify page: drop a file, read its credential card (FastAPI, Jinja2, htmx)."""
