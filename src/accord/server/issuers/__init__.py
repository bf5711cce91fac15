"""Issuers: organizations whose Content Credentials this instance signs."""
