"""How the reports domain is plugged into the application: :func:`init_app`, called by
``create_app``, answers the campaigns domain's :data:`~app.campaigns.signals.summary_wanted`:
a community's submission (报送) freezes the summary this domain computes and prints
(:func:`app.reports.documents.freeze_summary`)."""
from __future__ import annotations

from flask import Flask

from app.campaigns.signals import summary_wanted
from app.reports.documents import freeze_summary


def init_app(app: Flask) -> None:
    # A strong reference to a module function: one connection per process however many apps.
    summary_wanted.connect(freeze_summary, weak=False)
