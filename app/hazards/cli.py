"""``flask audit verify``: check the tamper-evident hazard trail (``app.hazards.audit``)."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from app.hazards import audit


@click.group("audit", help="The hazard audit trail (隐患事件链).")
def audit_cli():
    pass


@audit_cli.command("verify")
@click.option("--files", is_flag=True,
              help="Also hash every named photo's stored original (reads them all).")
@with_appcontext
def verify_command(files):
    """Recompute every seal; list each edited, deleted or inserted line (exit code 1 if any)."""
    report = audit.verify(files=files)
    for finding in report.findings:
        click.echo(str(finding))
    click.echo(f"checked {report.events} events of {report.hazards} hazards and "
               f"{report.photos} photos: "
               + ("intact" if report.ok else f"{len(report.findings)} problems"))
    click.echo(f"heads digest {report.digest} (write it down to compare later)")
    if not report.ok:
        sys.exit(1)


def register_cli(app):
    app.cli.add_command(audit_cli)
