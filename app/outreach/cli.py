"""``flask tips remind [--now ISO]``: remind supervisors of tips left untriaged."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.core.timeutil import now_option
from app.outreach.jobs import run_outreach


@click.group("tips", help="Public reports (举报).")
def tips_cli():
    pass


@tips_cli.command("remind")
@now_option()
@with_appcontext
def remind_command(now):
    """Remind supervisors of tips untriaged for longer than TIP_TRIAGE_DAYS (once per tip)."""
    report = run_outreach(now)
    click.echo(f"tips: reminders={report['reminders']} "
               f"rate_counters_forgotten={report['rate_counters']}")


def register_cli(app):
    app.cli.add_command(tips_cli)
