"""Command line: ``flask users create`` and ``flask seed-demo``."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from app.extensions import db


@click.group("users", help="Manage accounts (用户).")
def users_cli():
    pass


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--password", required=True)
@click.option("--role", required=True, type=click.Choice(["admin", "supervisor", "inspector",
                                                          "officer"]))
@click.option("--display-name", default=None)
@click.option("--enterprise", "enterprise_id", default=None, help="Enterprise id (officers).")
@click.option("--community", "community_ids", multiple=True,
              help="Community id or name (supervisors, inspectors); repeat for several.")
@with_appcontext
def create_user_command(username, password, role, display_name, enterprise_id, community_ids):
    """Create a user bound to an enterprise or to communities."""
    from app.auth.operations import create_user
    from app.errors import DomainError
    from app.registry.models import Community, Enterprise

    enterprise = db.session.get(Enterprise, enterprise_id) if enterprise_id else None
    if enterprise_id and enterprise is None:
        raise click.BadParameter(f"no enterprise {enterprise_id}", param_hint="--enterprise")
    communities = []
    for ref in community_ids:
        community = db.session.get(Community, ref) or db.session.scalar(
            select(Community).where(Community.name == ref))
        if community is None:
            raise click.BadParameter(f"no community {ref}", param_hint="--community")
        communities.append(community)
    try:
        user = create_user(username=username, password=password, role=role,
                           display_name=display_name, enterprise=enterprise,
                           communities=communities)
    except DomainError as exc:
        db.session.rollback()
        fields = ", ".join(exc.errors) or "input"
        raise click.ClickException(f"{exc.detail} ({fields})") from None
    db.session.commit()
    click.echo(f"created {user.role} {user.username} id={user.id}")


@users_cli.command("disable")
@click.argument("username")
@with_appcontext
def disable_user_command(username):
    """Disable an account; its sessions end at once."""
    from app.auth.models import User
    from app.auth.operations import disable_user

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user {username}")
    disable_user(user)
    db.session.commit()
    click.echo(f"disabled {username}")


@click.command("seed-demo")
@click.option("--enterprises", "n_enterprises", default=12, show_default=True, type=int,
              help="Enterprises to create across the communities.")
@click.option("--hazards", "n_hazards", default=0, show_default=True, type=int,
              help="Also generate a year of hazards (dashboards and benchmarks at scale).")
@click.option("--seed", default=2023, show_default=True, type=int, help="Random seed.")
@with_appcontext
def seed_demo_command(n_enterprises, n_hazards, seed):
    """Create the demo 街道 (乌龙街道) once: communities, enterprises, one user per role."""
    from app.demo import seed_demo

    report = seed_demo(n_enterprises=n_enterprises, n_hazards=n_hazards, seed=seed)
    db.session.commit()
    for line in report:
        click.echo(line)


def register_cli(app):
    app.cli.add_command(users_cli)
    app.cli.add_command(seed_demo_command)
