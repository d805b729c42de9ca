"""``flask escalate [--now ISO]`` and ``flask webhooks send``.

The 零容忍 rules are wired to the hazard signals by :func:`app.escalation.wiring.init_app`.
"""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from app.core.timeutil import local, now_option
from app.escalation import jobs
from app.extensions import db
from app.notifications.models import WebhookDelivery
from app.notifications.webhooks import deliver_due


@click.command("escalate")
@now_option()
@click.option("--no-webhooks", is_flag=True, help="Do not send due webhooks afterwards.")
@with_appcontext
def escalate_command(now, no_webhooks):
    """Apply the 零容忍 time rules (R2 overdue, deadline reminders, interview follow-ups) now."""
    report = jobs.run_time_rules(now, send_webhooks=not no_webhooks)
    when = local(now).isoformat() if now else "now"
    click.echo(f"escalate as of {when}: {len(report['fired'])} rule(s) fired")
    for item in report["fired"]:
        click.echo(f"  {item['rule']} hazard={item['hazard_id']} interview={item['interview_id']}"
                   f" {item['hazard_title']}: {item['detail']}")
    click.echo(f"  reminders={report['reminders']} follow_up_reminders="
               f"{report['follow_up_reminders']} follow_up_overdue={report['follow_up_overdue']}")
    if report["webhooks"] is not None:
        hooks = report["webhooks"]
        click.echo(f"  webhooks delivered={hooks['delivered']} retrying={hooks['retrying']} "
                   f"failed={hooks['failed']}")


@click.group("webhooks", help="Outgoing webhooks (escalations, interviews).")
def webhooks_cli():
    pass


@webhooks_cli.command("send")
@now_option("Treat this ISO 8601 time as now when picking due retries.")
@with_appcontext
def send_webhooks_command(now):
    """Send every pending webhook delivery that is due (with retries and backoff)."""
    counts = deliver_due(now)
    click.echo(f"webhooks delivered={counts['delivered']} retrying={counts['retrying']} "
               f"failed={counts['failed']}")


@webhooks_cli.command("list")
@click.option("--status", type=click.Choice(["pending", "delivered", "failed"]), default=None)
@with_appcontext
def list_webhooks_command(status):
    """List webhook deliveries, newest first."""
    query = select(WebhookDelivery).order_by(WebhookDelivery.created_at.desc()).limit(200)
    if status:
        query = query.where(WebhookDelivery.status == status)
    for d in db.session.scalars(query):
        click.echo(f"{d.id} {d.event} {d.status} attempts={d.attempts} "
                   f"next={d.next_attempt_at.isoformat()} {d.last_error or ''}".rstrip())


def register_cli(app):
    app.cli.add_command(escalate_command)
    app.cli.add_command(webhooks_cli)
