"""Backups of a whole instance, made while it runs, and restores from them.

A backup is a folder: the database's snapshot (``database.sqlite3`` or ``database.pgdump``),
the blobs by content address (``blobs/``), the newest index snapshot (``index/``) and
``manifest.json``, written last, with the SHA-256 of every part.
"""
