"""Falcon resources, one module per part of the API."""
