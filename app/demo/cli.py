"""Command line: ``flask seed-demo``."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.demo.seed import seed_demo
from app.extensions import db


@click.command("seed-demo")
@click.option("--enterprises", "n_enterprises", default=12, show_default=True, type=int,
              help="Enterprises to create across the communities.")
@click.option("--hazards", "n_hazards", default=None, type=int,
              help="Generate a year of hazards (dashboards and benchmarks at scale); default "
                   "240 on a fresh database, none once the demo exists.")
@click.option("--seed", default=2023, show_default=True, type=int, help="Random seed.")
@with_appcontext
def seed_demo_command(n_enterprises, n_hazards, seed):
    """Create the demo 街道 (乌龙街道) once: communities, enterprises, one user per role, a
    year of hazards and this year's 安全生产月 with its activities."""
    report = seed_demo(n_enterprises=n_enterprises, n_hazards=n_hazards, seed=seed)
    db.session.commit()
    for line in report:
        click.echo(line)


def register_cli(app):
    app.cli.add_command(seed_demo_command)
