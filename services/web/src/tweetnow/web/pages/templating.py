"""Jinja2 templates, compiled once when the app is built: no file is read per request."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import jinja2

from .static_assets import StaticAssets
from .time_zones import local_input_values, local_time
from .tweet_words import STATUS_WORDS


def when(value: str | datetime | None) -> str:
    """An instant for people, in UTC (the page's script shows it in the reader's zone)."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    return f"{value.day} {value:%b %Y, %H:%M} UTC"


class PageTemplates:
    def __init__(self, assets: StaticAssets) -> None:
        env = jinja2.Environment(
            loader=jinja2.PackageLoader("tweetnow.web", "templates"),
            autoescape=True,
            auto_reload=False,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            cache_size=-1,
        )
        env.globals["static"] = assets.url
        env.globals["status_words"] = STATUS_WORDS
        env.filters["when"] = when
        env.filters["local_time"] = local_time
        env.globals["local_input_values"] = local_input_values
        # Compile every template (partials included) now, into the environment's cache.
        self._templates = {name: env.get_template(name) for name in env.list_templates()}

    def render(self, name: str, **context: Any) -> str:
        return self._templates[name].render(**context)
