"""How the campaigns domain is plugged into the application: :func:`init_app`, called by
``create_app``, registers activities as owners of photos (``POST /api/v1/photos`` with
``activity_id``; :mod:`app.photos.owners`)."""
from __future__ import annotations

from flask import Flask

from app.campaigns.photos import OWNER
from app.photos import owners


def init_app(app: Flask) -> None:
    owners.register(OWNER)
