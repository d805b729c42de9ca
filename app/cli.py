"""Command line: ``flask users create`` and ``flask users disable``."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from app.auth.models import User
from app.auth.operations import create_user, disable_user
from app.errors import DomainError
from app.extensions import db
from app.registry.models import Community, Enterprise


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
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"no user {username}")
    disable_user(user)
    db.session.commit()
    click.echo(f"disabled {username}")


def register_cli(app):
    app.cli.add_command(users_cli)
