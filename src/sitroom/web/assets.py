"""The dashboard's files: sitroom's own (``static/``) and third-party ones installed by npm.

``make setup`` runs ``npm ci`` in this folder (``package.json`` and ``package-lock.json`` are
committed; ``node_modules/`` is not). The server hands out only the files named in
:data:`VENDOR_FILES`, never the rest of ``node_modules``.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "STATIC_DIR",
    "STATIC_FILES",
    "VENDOR_DIR",
    "VENDOR_FILES",
    "media_type",
    "static_path",
    "vendor_path",
]

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
#: Where ``npm ci`` puts the front-end packages; ``$SITROOM_WEB_VENDOR`` overrides it.
VENDOR_DIR = Path(os.environ.get("SITROOM_WEB_VENDOR") or WEB_DIR / "node_modules")

#: The dashboard's own files, by URL name under ``/static/``.
STATIC_FILES: frozenset[str] = frozenset(
    {"index.html", "app.js", "style.css", "docs.html", "docs.js", "favicon.svg"}
)

#: URL name under ``/vendor/`` → path inside ``node_modules``.
VENDOR_FILES: dict[str, str] = {
    "leaflet/leaflet.js": "leaflet/dist/leaflet.js",
    "leaflet/leaflet.css": "leaflet/dist/leaflet.css",
    "leaflet.markercluster/leaflet.markercluster.js": "leaflet.markercluster/dist/leaflet.markercluster.js",
    "leaflet.markercluster/MarkerCluster.css": "leaflet.markercluster/dist/MarkerCluster.css",
    "topojson-client/topojson-client.min.js": "topojson-client/dist/topojson-client.min.js",
    "world-atlas/countries-50m.json": "world-atlas/countries-50m.json",
    "swagger-ui/swagger-ui-bundle.js": "swagger-ui-dist/swagger-ui-bundle.js",
    "swagger-ui/swagger-ui.css": "swagger-ui-dist/swagger-ui.css",
}

_MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
}


def media_type(path: Path) -> str:
    return _MEDIA_TYPES.get(path.suffix, "application/octet-stream")


def static_path(name: str) -> Path | None:
    """The file of one of the dashboard's own assets, or ``None`` when the name is not one."""
    return STATIC_DIR / name if name in STATIC_FILES else None


def vendor_path(name: str, vendor_dir: Path | None = None) -> Path | None:
    """The installed file of a whitelisted third-party asset, or ``None`` (unknown or not installed)."""
    relative = VENDOR_FILES.get(name)
    if relative is None:
        return None
    path = (vendor_dir or VENDOR_DIR) / relative
    return path if path.is_file() else None
