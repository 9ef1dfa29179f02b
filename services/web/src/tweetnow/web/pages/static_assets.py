"""Static files (CSS, JS, icons), held in memory and served under content-hashed URLs.

``/static/app.<hash>.css`` never changes, so browsers keep it for a year
without asking again. Any other name of a known file (the plain name, or an
old hash during a rolling deploy) gets the current content and must be
revalidated (ETag). Text files are also kept gzipped for clients that take it.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import PurePosixPath

import falcon

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

CONTENT_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    ".png": "image/png",
}
#: Smaller files are not worth compressing.
GZIP_MIN_BYTES = 1024
_HASHED = re.compile(r"^(?P<stem>.+)\.[0-9a-f]{12}(?P<suffix>\.[A-Za-z0-9]+)$")


@dataclass(frozen=True)
class Asset:
    name: str
    hashed_name: str
    body: bytes
    gzipped: bytes | None
    content_type: str
    etag: str


def _asset(name: str, body: bytes) -> Asset:
    digest = hashlib.sha256(body).hexdigest()[:12]
    suffix = PurePosixPath(name).suffix
    content_type = CONTENT_TYPES.get(suffix, "application/octet-stream")
    compressible = content_type.startswith(("text/", "image/svg"))
    gzipped = None
    if compressible and len(body) >= GZIP_MIN_BYTES:
        gzipped = gzip.compress(body, compresslevel=9, mtime=0)
    return Asset(
        name=name,
        hashed_name=f"{name.removesuffix(suffix)}.{digest}{suffix}",
        body=body,
        gzipped=gzipped,
        content_type=content_type,
        etag=f'"{digest}"',
    )


class StaticAssets:
    def __init__(self, contents: Mapping[str, bytes]) -> None:
        self._by_name = {name: _asset(name, body) for name, body in contents.items()}
        self._by_hashed = {a.hashed_name: a for a in self._by_name.values()}

    @classmethod
    def from_package(cls, generated: Mapping[str, bytes] | None = None) -> StaticAssets:
        """The package's static/ folder, read once, plus files generated at start-up."""
        folder = files("tweetnow.web").joinpath("static")
        contents = {
            entry.name: entry.read_bytes()
            for entry in folder.iterdir()
            if entry.is_file() and PurePosixPath(entry.name).suffix in CONTENT_TYPES
        }
        return cls({**contents, **(generated or {})})

    def url(self, name: str) -> str:
        """The content-hashed URL of a static file (KeyError for an unknown name)."""
        return f"/static/{self._by_name[name].hashed_name}"

    def lookup(self, requested: str) -> tuple[Asset, bool] | None:
        """The asset a URL name stands for, and whether that name is its current hash."""
        asset = self._by_hashed.get(requested)
        if asset is not None:
            return asset, True
        hashed = _HASHED.match(requested)
        plain = hashed.group("stem") + hashed.group("suffix") if hashed else requested
        asset = self._by_name.get(plain)
        return (asset, False) if asset is not None else None


def _accepts_gzip(req: falcon.Request) -> bool:
    accepted = req.get_header("Accept-Encoding") or ""
    return any(
        part.split(";")[0].strip() == "gzip" and "q=0" not in part.replace(" ", "")
        for part in accepted.lower().split(",")
    )


class StaticFile:
    def __init__(self, assets: StaticAssets) -> None:
        self.assets = assets

    def on_get(self, req: falcon.Request, resp: falcon.Response, name: str) -> None:
        found = self.assets.lookup(name)
        if found is None:
            raise falcon.HTTPNotFound(description=f"No static file {name!r}.")
        asset, current = found
        resp.cache_control = [IMMUTABLE if current else REVALIDATE]
        resp.set_header("ETag", asset.etag)
        resp.vary = ["Accept-Encoding"]
        if asset.etag in (req.get_header("If-None-Match") or ""):
            resp.status = falcon.HTTP_304
            return
        resp.content_type = asset.content_type
        if asset.gzipped is not None and _accepts_gzip(req):
            resp.set_header("Content-Encoding", "gzip")
            resp.data = asset.gzipped
        else:
            resp.data = asset.body

    on_head = on_get
