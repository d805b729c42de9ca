"""Command line: ``flask reports …`` writes the ledgers and the campaign summary to files, for a
scheduled job that sends them on (the whole 街道, as an administrator sees it)."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import click
from flask import current_app
from flask.cli import with_appcontext
from marshmallow import ValidationError

from app.errors import DomainError
from app.escalation.counting import all_facts
from app.extensions import db
from app.hazards import rollups
from app.inspections import visits
from app.reports import ledger
from app.reports.documents import campaign_summary
from app.reports.schemas import LedgerArgs

#: The scope a command works in: everything, like an administrator.
EVERYTHING = SimpleNamespace(id=None, role="admin", community_ids=[], enterprise_id=None)


@click.group("reports", help="Ledgers (台账) and summaries to files.")
def reports_cli():
    pass


def _base_url(base_url: str | None) -> None:
    if base_url:
        current_app.config["PUBLIC_BASE_URL"] = base_url.rstrip("/")
    if not current_app.config.get("PUBLIC_BASE_URL"):
        raise click.UsageError("QR codes need the app's address: set PUBLIC_BASE_URL or pass "
                               "--base-url https://…")


@reports_cli.command("hazard-ledger")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False),
              help="File to write; .xlsx or .csv")
@click.option("--community", "community_id", default=None, help="Community id")
@click.option("--from", "found_from", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="First day found (Asia/Shanghai)")
@click.option("--to", "found_to", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Last day found (Asia/Shanghai, included)")
@with_appcontext
def hazard_ledger_command(out_path, community_id, found_from, found_to):
    """The hazard ledger (隐患台账) of the whole 街道, or of one community and period."""
    raw = {k: v for k, v in (("community_id", community_id),
                             ("found_from", found_from and found_from.date().isoformat()),
                             ("found_to", found_to and found_to.date().isoformat())) if v}
    try:
        args = LedgerArgs().load(raw)
    except ValidationError as exc:
        raise click.BadParameter(str(exc.messages)) from None
    path = Path(out_path)
    if path.suffix.lower() == ".csv":
        query = ledger.hazard_ledger_query(EVERYTHING, args)
        with path.open("wb") as f:
            for chunk in ledger.hazard_ledger_csv(query):
                f.write(chunk)
    elif path.suffix.lower() == ".xlsx":
        with ledger.hazard_ledger_xlsx(EVERYTHING, args) as spool, path.open("wb") as f:
            f.write(spool.read())
    else:
        raise click.BadParameter("the file must end in .xlsx or .csv", param_hint="--out")
    click.echo(f"wrote {path}")


@reports_cli.command("campaign-summary")
@click.option("--from", "date_from", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "date_to", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--community", "community_id", default=None, help="Community id")
@click.option("--title", default=None, help="Campaign name (default 安全生产月)")
@click.option("--due", "report_due", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Date the summary is due upward (default the 25th of the last month)")
@click.option("--base-url", default=None, help="The app's public address, for the QR code")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False))
@with_appcontext
def campaign_summary_command(date_from, date_to, community_id, title, report_due, base_url,
                             out_path):
    """The campaign summary PDF (活动总结), e.g. 安全生产月 from 1 to 30 June."""
    _base_url(base_url)
    first, last = date_from.date(), date_to.date()
    if last < first:
        raise click.BadParameter("--to is before --from", param_hint="--to")
    try:
        pdf, name = campaign_summary(EVERYTHING, date_from=first, date_to=last,
                                     community_id=community_id, title=title,
                                     report_due=report_due.date() if report_due else None)
    except DomainError as exc:
        raise click.ClickException(exc.detail) from None
    Path(out_path).write_bytes(pdf)
    click.echo(f"wrote {out_path} ({name})")


@click.group("rollups", help="The dashboard's rollups (app.hazards.rollups, "
                              "app.inspections.visits): check, rebuild.")
def rollups_cli():
    pass


@rollups_cli.command("check")
@with_appcontext
def rollups_check_command():
    """Compare the stored rollups with counts made from the rows now; exit 1 when they differ."""
    stored, wanted = rollups.stored(), rollups.computed(others=all_facts())
    stored[visits.EnterpriseVisit.__tablename__] = visits.stored()
    wanted[visits.EnterpriseVisit.__tablename__] = visits.computed()
    wrong = 0
    for table, rows in wanted.items():
        have = stored.get(table, {})
        for key in sorted(set(rows) | set(have), key=str):
            if rows.get(key) != have.get(key):
                wrong += 1
                if wrong <= 20:
                    click.echo(f"{table} {key}: stored {have.get(key)}, rows say {rows.get(key)}")
    click.echo(f"{wrong} rollup rows differ from the rows" if wrong else "rollups match the rows")
    if wrong:
        raise SystemExit(1)


@rollups_cli.command("rebuild")
@with_appcontext
def rollups_rebuild_command():
    """Count every rollup again from the hazards, escalations, interviews and inspections."""
    written = rollups.rebuild(others=all_facts()) + visits.rebuild()
    db.session.commit()
    click.echo(f"rollups rebuilt: {written} rows")


def register_cli(app):
    app.cli.add_command(reports_cli)
    app.cli.add_command(rollups_cli)

