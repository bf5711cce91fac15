"""Content Credentials over HTTP: verification now; signing builds on it."""
