"""The seam through which other domains follow their tasks.

A domain that creates tasks (housing's transfers, supplies' deliveries,
hotline's inspections) registers, in its `init_app`, what happens when a task
of its source reaches a status. The field domain calls the handlers inside the
transaction of the step, so the step and its consequence commit together. The
field domain never imports the listener.

Statuses with handlers: `on_site` (for a transfer, the pick-up), `done`,
`failed` and `cancelled`.

Before a task is offered (again), dispatch asks its source whether the task
still has a purpose (`on_purpose`): a transfer whose group already checked in
is closed with that reason instead of going to one more team.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from sqlalchemy.orm import Session

from coordinator.auth.models import User

HOOK_STATUSES = ("on_site", "done", "failed", "cancelled")
_KEY = "birlik_task_hooks"
_PURPOSE = "birlik_task_purpose"


@dataclass(frozen=True)
class TaskStep:
    """What a listener learns of a task's step (not the Task row itself)."""

    task_id: int
    kind: str
    source_type: str
    source_id: int
    status: str
    report: dict[str, Any] | None = None
    reason: str | None = None


Handler = Callable[..., None]  # handler(session=..., step=TaskStep, actor=User | None)


def on_step(app: Flask, source_type: str, status: str, handler: Handler) -> None:
    """Call `handler` whenever a task whose source is `source_type` reaches `status`."""
    if status not in HOOK_STATUSES:
        raise ValueError(f"no hook for status {status!r}; use one of {HOOK_STATUSES}")
    handlers = app.extensions.setdefault(_KEY, {}).setdefault((source_type, status), [])
    if handler not in handlers:
        handlers.append(handler)


def run(session: Session, step: TaskStep, actor: User | None) -> None:
    """Run the handlers registered for this step's source and status."""
    for handler in current_app.extensions.get(_KEY, {}).get((step.source_type, step.status), []):
        handler(session=session, step=step, actor=actor)


# purpose(session=..., source_id=int, kind=str) -> a message (coordinator.i18n.message)
# saying why the task is no longer needed, or None while it still is.
Purpose = Callable[..., dict[str, Any] | None]


def on_purpose(app: Flask, source_type: str, check: Purpose) -> None:
    """Ask `check` whether a task of `source_type` is still needed before it is offered."""
    app.extensions.setdefault(_PURPOSE, {})[source_type] = check


def purpose_gone(session: Session, *, source_type: str | None, source_id: int | None, kind: str) -> dict | None:
    """Why a task's source no longer needs it (a message), or None."""
    check = current_app.extensions.get(_PURPOSE, {}).get(source_type) if source_id is not None else None
    return check(session=session, source_id=source_id, kind=kind) if check else None
