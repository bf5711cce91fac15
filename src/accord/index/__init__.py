"""Indices that find stored signals near a query signal, fast, at millions of entries."""
