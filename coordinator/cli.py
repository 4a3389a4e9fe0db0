"""Flask CLI commands: migrate, seed, simulate, run a worker, manage users."""

from __future__ import annotations

from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import Flask, current_app
from flask.cli import with_appcontext

from coordinator.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def alembic_config() -> Config:
    return Config(str(ROOT / "alembic.ini"))


def upgrade_database() -> None:
    """Bring the database schema to the newest migration."""
    command.upgrade(alembic_config(), "head")


@click.command("db-upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Apply every pending database migration."""
    upgrade_database()
    click.echo("Database is up to date.")


@click.command("db-revision")
@with_appcontext
@click.argument("message")
def db_revision(message: str) -> None:
    """Autogenerate a migration from the models (for developers)."""
    command.revision(alembic_config(), message=message, autogenerate=True)


@click.command("seed-demo")
@with_appcontext
@click.option("--password", default="birlik-demo", show_default=True, help="Password of every demo user.")
def seed_demo(password: str) -> None:
    """Build the demo country (idempotent: an existing demo is kept)."""
    from coordinator.demo.seed import seed

    created, logins = seed(session=db.session, password=password)
    db.session.commit()
    click.echo("Seeded the demo data." if created else "Demo data already present; kept it.")
    click.echo(f"Logins (password: {password}):")
    for role, username in logins:
        click.echo(f"  {role:<18} {username}")


@click.command("simulate")
@with_appcontext
@click.option("--rate", default=1.0, show_default=True, help="Scenario actions per second.")
@click.option("--steps", default=0, show_default=True, help="Stop after this many actions (0: run until Ctrl-C).")
@click.option("--seed", "rng_seed", default=None, type=int, help="Random seed for a repeatable run.")
def simulate(rate: float, steps: int, rng_seed: int | None) -> None:
    """Keep the demo alive: HQ reports and team movements at a steady rate."""
    from coordinator.demo.simulate import run

    run(rate=rate, steps=steps, rng_seed=rng_seed, echo=click.echo)


@click.command("worker")
@with_appcontext
@click.option("--burst", is_flag=True, help="Exit when the queues are empty.")
def worker(burst: bool) -> None:
    """Run an RQ worker with the scheduler and the periodic jobs."""
    from workers.runner import run_worker

    run_worker(current_app._get_current_object(), burst=burst)


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.argument("role")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--region", "region_code", default=None, help="Region code, for a regional HQ user.")
def create_user(username: str, role: str, password: str, region_code: str | None) -> None:
    """Create a user with a role."""
    from coordinator.auth import service
    from coordinator.common.errors import DomainError
    from coordinator.geo.service import region_by_code

    region = region_by_code(session=db.session, code=region_code) if region_code else None
    if region_code and region is None:
        raise click.BadParameter(f"unknown region code {region_code!r}", param_hint="--region")
    try:
        service.create_user(
            session=db.session, username=username, password=password, role=role, region_id=region.id if region else None
        )
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"Created {role} user {username}.")


@click.command("verify-ledger")
@with_appcontext
def verify_ledger() -> None:
    """Prove every cached stock balance equals the sum of its moves (exit 1 on any drift)."""
    from sqlalchemy import func, select

    from coordinator.supplies import ledger
    from coordinator.supplies.models import StockBalance, StockMove

    drift = ledger.verify(session=db.session)
    balances = db.session.scalar(select(func.count(StockBalance.id)))
    moves = db.session.scalar(select(func.count(StockMove.id)))
    for row in drift:
        click.echo(
            f"DRIFT warehouse {row['warehouse_id']} lot {row['lot_id']}: cached on hand {row['cached_on_hand']}, "
            f"held {row['cached_held']}; the moves say {row['moves_on_hand']}, held {row['moves_held']}"
        )
    if drift:
        raise click.ClickException(f"{len(drift)} of {balances} balances differ from their {moves} moves.")
    click.echo(f"Ledger exact: {balances} balances equal the sums of their {moves} moves.")


def init_app(app: Flask) -> None:
    for cmd in (db_upgrade, db_revision, seed_demo, simulate, worker, create_user, verify_ledger):
        app.cli.add_command(cmd)
