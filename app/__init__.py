"""Anxun (安巡): hazard inspection for safety-production supervision (安全生产 隐患排查治理).

``create_app(config)`` only registers things: extensions, request hooks, blueprints, error
handlers and CLI commands.
"""
from __future__ import annotations

import importlib
from pathlib import Path

from flask import Flask

from app.core import conditional, hooks
from app.core.problems import ProblemDocs, register_error_handlers
from app.extensions import api, compress, db, migrate
from config import BASE_DIR, INSTANCE_DIR, DevelopmentConfig

# The domains are imported by name when an app is built, never at the top of this file: `app`
# is the parent of every package, so what it imports comes along with `import app.core` too.

#: every model, so that Alembic and ``db.create_all`` see the whole schema
SCHEMA_MODULE = "app.models"
# Request hooks of the domains (``init_app(app)``), after app.core.hooks: a request with a NUL is
# refused before the session is loaded.
HOOK_MODULES = ("app.auth.sessions",)
# Domains that act on another's signals subscribe here, in the open (``init_app(app)``): records
# follow their enterprise to another community (app.registry.signals), the 零容忍 rules follow
# the hazard signals (app.hazards.signals), and the time rules run as a periodic job; so does the
# housekeeping (app.maintenance). Activities own photos (app.campaigns); the reports domain
# prints and freezes a campaign submission's summary (app.reports.wiring).
WIRING_MODULES = ("app.hazards.wiring", "app.inspections.wiring", "app.escalation.wiring",
                  "app.plans.wiring", "app.maintenance.wiring", "app.campaigns.wiring",
                  "app.reports.wiring", "app.outreach.wiring")
# Domain blueprints; each module defines ``blp`` (flask-smorest) or ``bp`` (plain Flask).
BLUEPRINT_MODULES = (
    "app.core.health",
    "app.auth.views",
    "app.auth.admin_views",
    "app.registry.views",
    "app.checklists.views",
    "app.inspections.views",
    "app.hazards.views",
    "app.hazards.evidence_views",
    "app.hazards.oversight_views",
    "app.escalation.views",
    "app.plans.views",
    "app.notifications.views",
    "app.reports.views",
    "app.campaigns.views",
    "app.overview.views",
    "app.outreach.public_views",
    "app.outreach.tip_views",
    "app.outreach.bulletin_views",
    "app.choices_api",
    "app.web.views",
)
# Modules exposing ``register_cli(app)``.
CLI_MODULES = ("app.cli", "app.demo.cli", "app.escalation.cli", "app.hazards.cli",
               "app.maintenance.cli", "app.outreach.cli", "app.plans.cli",
               "app.reports.cli")


def create_app(config=None) -> Flask:
    """Build the application from a config class, instance or mapping."""
    app = Flask(__name__, static_folder=str(BASE_DIR / "static"), static_url_path="/static",
                instance_path=str(INSTANCE_DIR))
    if isinstance(config, dict):
        app.config.from_object(DevelopmentConfig)
        app.config.update(config)
    else:
        app.config.from_object(config or DevelopmentConfig)

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.config["SQLALCHEMY_DATABASE_URI"][len("sqlite:///"):]).parent.mkdir(
            parents=True, exist_ok=True)

    importlib.import_module(SCHEMA_MODULE)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))
    # Every error answer is documented as the problem+json it is.
    api.init_app(app, spec_kwargs={"extra_plugins": [ProblemDocs()]})
    # Before the hooks: after-request functions run last-registered first, so compression runs
    # last, on the final answer (the commit hook may still replace it).
    compress.init_app(app)
    hooks.init_app(app)
    for module_name in HOOK_MODULES:
        importlib.import_module(module_name).init_app(app)

    for module_name in BLUEPRINT_MODULES:
        module = importlib.import_module(module_name)
        if hasattr(module, "blp"):
            api.register_blueprint(module.blp)
        if hasattr(module, "bp"):
            app.register_blueprint(module.bp)

    register_error_handlers(app)  # after api.init_app so problem+json replaces its handler
    conditional.init_app(app)  # a 304 is answered as such, not as a problem

    for module_name in WIRING_MODULES:
        importlib.import_module(module_name).init_app(app)

    for module_name in CLI_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        if hasattr(module, "register_cli"):
            module.register_cli(app)
    return app
