"""``flask backup``, ``flask restore``, ``flask purge``, ``flask media gc``."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from app.extensions import db
from app.maintenance.backup import BackupError, make_backup, restore_backup
from app.maintenance.housekeeping import collect_media_garbage, purge_ended


@click.command("backup")
@click.option("--to", "target", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Directory to write (new or empty); default BACKUP_DIR/anxun-<UTC time>.")
@with_appcontext
def backup_command(target):
    """Back up the database and the photos, consistently, while the server runs."""
    try:
        where, manifest = make_backup(target)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    media = manifest["media"]
    click.echo(f"backup of {manifest['engine']} (schema {manifest['schema_revision']}) in {where}: "
               f"database {manifest['database']['size']} bytes, {media['count']} photo files "
               f"({media['bytes']} bytes)")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True,
              help="Replace a database with rows and write over a media folder with files.")
@with_appcontext
def restore_command(source, force):
    """Restore a backup made by ``flask backup`` into an empty database and media folder."""
    try:
        report = restore_backup(source, force=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"restored {report.engine} database (schema {report.revision}) and "
               f"{report.files} photo files ({report.bytes} bytes) from {source}; run "
               f"`flask db upgrade` if this code is newer than the backup")


@click.command("purge")
@with_appcontext
def purge_command():
    """Delete ended sessions (SESSION_PURGE_AFTER_DAYS) and expired login counters."""
    counts = purge_ended()
    db.session.commit()
    click.echo(f"purged {counts['sessions']} session(s), {counts['login_failures']} login "
               f"counter(s)")


@click.group("media", help="The photo store (MEDIA_DIR).")
def media_cli():
    pass


@media_cli.command("gc")
@click.option("--dry-run", is_flag=True, help="List what would be removed; remove nothing.")
@click.option("--grace", "grace_s", type=click.IntRange(min=0), default=None,
              help="Seconds a file must be untouched (default MEDIA_GC_GRACE_S).")
@with_appcontext
def media_gc_command(dry_run, grace_s):
    """Remove what abandoned uploads left: photo directories no photo names, .part-* files."""
    garbage = collect_media_garbage(grace_s=grace_s, dry_run=dry_run)
    for rel in garbage.directories:
        click.echo(f"  {'would remove' if dry_run else 'removed'} {rel}/")
    for rel in garbage.partial_files:
        click.echo(f"  {'would remove' if dry_run else 'removed'} {rel}")
    click.echo(f"{len(garbage.directories)} abandoned upload director(ies), "
               f"{len(garbage.partial_files)} partial file(s), {garbage.bytes} bytes"
               f"{' (dry run)' if dry_run else ''}")


def register_cli(app):
    for command in (backup_command, restore_command, purge_command, media_cli):
        app.cli.add_command(command)

