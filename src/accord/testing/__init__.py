"""Conformance suites for plugin authors: subclass them in your own tests."""
