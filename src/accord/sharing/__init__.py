"""Sharing with other platforms: the STIX 2.1 mapping of bank entries (library, no server)."""
