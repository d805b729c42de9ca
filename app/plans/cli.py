"""``flask plans verify-draws``: run every recorded draw again from its record (双随机、一公开)."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from app.extensions import db
from app.plans.models import PlanEvent
from app.plans.operations import rerun


@click.group("plans", help="Inspection plans and their random draws (检查计划, 双随机).")
def plans_cli():
    pass


@plans_cli.command("verify-draws")
@click.argument("plan_id", required=False)
@with_appcontext
def verify_draws_command(plan_id):
    """Run each draw again (of PLAN_ID, or of every plan) from its recorded seed, eligible
    enterprises and pool; list any whose result differs (exit code 1 if one does)."""
    query = select(PlanEvent).where(PlanEvent.action.in_(("draw", "redraw")))
    if plan_id:
        query = query.where(PlanEvent.plan_id == plan_id)
    checked = differ = 0
    for event in db.session.scalars(query.order_by(PlanEvent.plan_id, PlanEvent.at)):
        checked += 1
        if rerun(event.data) != event.data["tasks"]:
            differ += 1
            click.echo(f"plan {event.plan_id} draw {event.data.get('draw_no')} "
                       f"(seed {event.data.get('seed')}): the record does not give its result")
    click.echo(f"checked {checked} draws: " + ("all reproduced" if not differ
                                                 else f"{differ} differ"))
    if differ:
        sys.exit(1)


def register_cli(app):
    app.cli.add_command(plans_cli)
