"""Falcon resources: X's OAuth and v2 endpoints, the pages, and the test hooks."""
