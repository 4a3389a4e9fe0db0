"""Alembic environment: runs inside the Flask app, using its engine."""

from alembic import context
from flask import current_app, has_app_context

from coordinator.extensions import db


def _run(app) -> None:
    with app.app_context():
        with db.engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=db.metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()


if has_app_context():
    _run(current_app._get_current_object())
else:
    from coordinator import create_app

    _run(create_app())
