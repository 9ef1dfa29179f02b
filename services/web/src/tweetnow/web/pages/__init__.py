"""The HTML pages people use: they call the same services as the JSON API, and their
scripts call the JSON API for everything they change."""
