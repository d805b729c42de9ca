"""The PWA shell (安巡 app): ``/``, ``/e/<token>`` (what printed QR codes open), ``/sw.js``,
``/manifest.webmanifest``. The files under ``/static/`` are served by the application's own
static route (``create_app`` points it at the repository's ``static/``).

The app itself is plain ES modules in ``static/`` with no build step. The service worker's
cache name carries a version computed here from the content of the shell files, so that any
change to a shipped file installs a new worker and shows the update prompt on the phones.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Blueprint, Response, request, send_from_directory

bp = Blueprint("web", __name__)

STATIC_DIR = Path(__file__).resolve().parents[2] / "static"

# Precached by the service worker on install: everything the app needs to start and to work
# offline (the QR decoder is included: scanning is done in basements).
SHELL_FILES = (
    "css/app.css",
    "js/app.js",
    "js/router.js",
    "js/tabbar.js",
    "js/banners.js",
    "js/session.js",
    "js/auth.js",
    "js/sync.js",
    "js/warm.js",
    "js/commands.js",
    "js/registry-cache.js",
    "js/tasks-cache.js",
    "js/api.js",
    "js/db.js",
    "js/i18n.js",
    "js/ui.js",
    "js/outbox.js",
    "js/photos.js",
    "js/exif.js",
    "js/choices.js",
    "js/chart.js",
    # The dashboard's map: precached for offline, imported only by the dashboard (not in the
    # first load).
    "js/map.js",
    "js/components/outbox-card.js",
    "js/components/hazard-item.js",
    "js/components/server-file.js",
    "js/components/layout.js",
    "js/components/data-table.js",
    "js/components/campaign-banner.js",
    "js/components/oversight.js",
    "js/components/task-item.js",
    "js/components/checklist.js",
    "js/components/import-screen.js",
    "js/views/login.js",
    "js/views/home.js",
    "js/views/scan.js",
    "js/views/enterprise.js",
    "js/views/inspection.js",
    "js/views/checks.js",
    "js/views/hazards.js",
    "js/views/hazard.js",
    "js/views/oversight.js",
    "js/views/interviews.js",
    "js/views/inbox.js",
    "js/views/dashboard.js",
    "js/views/me.js",
    "js/views/outbox.js",
    "js/views/campaigns.js",
    "js/views/activities.js",
    # Public reports (举报): the gate QR code's page, the form and the tracking page work
    # offline for a stranger too; triage and bulletins (预警) for the people at work.
    "js/views/public.js",
    "js/views/tips.js",
    "js/views/bulletins.js",
    "js/views/tasks.js",
    "js/views/plans.js",
    # Administration: precached like the rest, fetched only when an administrator opens it.
    "js/views/registry.js",
    "js/views/users.js",
    "js/views/checklists.js",
    "i18n/zh-CN.json",
    "i18n/en.json",
    "icons/icon-192.png",
    "icons/icon-512.png",
    "icons/icon-maskable-512.png",
    "icons/favicon.svg",
    "vendor/idb/idb.js",
    "vendor/jsqr/jsQR.js",
)

_version_cache: dict[str, tuple[tuple, str]] = {}


def shell_version() -> str:
    """A short hash of every shell file's bytes (recomputed only when an mtime changes)."""
    files = [STATIC_DIR / name for name in SHELL_FILES] + [STATIC_DIR / "sw.js",
                                                          STATIC_DIR / "manifest.webmanifest"]
    stamp = tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files if f.exists())
    cached = _version_cache.get("v")
    if cached and cached[0] == stamp:
        return cached[1]
    digest = hashlib.sha256()
    for f in files:
        if f.exists():
            digest.update(f.name.encode())
            digest.update(f.read_bytes())
    version = digest.hexdigest()[:12]
    _version_cache["v"] = (stamp, version)
    return version


def _shell() -> Response:
    response = send_from_directory(STATIC_DIR, "index.html", mimetype="text/html", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/")
def index():
    return _shell()


@bp.get("/e/<token>")
def scan_link(token: str):
    """A printed QR code opens the app here; the app reads the token and shows the card."""
    return _shell()


@bp.get("/t/<code>")
def tracking_link(code: str):
    """A tip's tracking code as a link (举报查询): the app shows its state, no login needed."""
    return _shell()


@bp.get("/sw.js")
def service_worker():
    source = (STATIC_DIR / "sw.js").read_text(encoding="utf-8")
    files = ",\n  ".join(f'"/static/{name}"' for name in SHELL_FILES)
    source = (source.replace("__SHELL_VERSION__", shell_version())
              .replace("/*__SHELL_FILES__*/", files))
    response = Response(source, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    # The worker is checked on every start: unchanged, it answers 304 (the shell version names it).
    response.set_etag(shell_version())
    return response.make_conditional(request)


@bp.get("/manifest.webmanifest")
def manifest():
    response = send_from_directory(STATIC_DIR, "manifest.webmanifest",
                                   mimetype="application/manifest+json", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response
