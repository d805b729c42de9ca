"""``flask tips remind [--now ISO]``: remind supervisors of tips left untriaged."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.core.timeutil import parse_iso
from app.outreach.jobs import run_outreach


def _parse_now(_ctx, _param, value):
    if value is None:
        return None
    try:
        return parse_iso(value)
    except ValueError:
        raise click.BadParameter("an ISO 8601 time, e.g. 2024-06-01T09:00:00+08:00") from None


@click.group("tips", help="Public reports (举报).")
def tips_cli():
    pass


@tips_cli.command("remind")
@click.option("--now", callback=_parse_now, default=None,
              help="Evaluate as of this ISO 8601 time (default: the current time).")
@with_appcontext
def remind_command(now):
    """Remind supervisors of tips untriaged for longer than TIP_TRIAGE_DAYS (once per tip)."""
    report = run_outreach(now)
    click.echo(f"tips: reminders={report['reminders']} "
               f"rate_counters_forgotten={report['rate_counters']}")


def register_cli(app):
    app.cli.add_command(tips_cli)
