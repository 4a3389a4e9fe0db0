"""The seam through which other domains follow their tasks.

A domain that creates tasks (housing's transfers, supplies' deliveries,
hotline's inspections) registers, in its `init_app`, what happens when a task
of its source reaches a status. The field domain calls the handlers inside the
transaction of the step, so the step and its consequence commit together. The
field domain never imports the listener.

Statuses with handlers: `on_site` (for a transfer, the pick-up), `done`,
`failed` and `cancelled`.
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
