"""The seam through which the domain that made a task tells what came of it.

A finished task's history shows what the work produced: a delivery's proof at
each stop, an inspection's checklist and photos, a transfer's pick-up and
arrival. Those records belong to the domain that made the task, so that domain
registers, in its `init_app`, a reader for its source type; the field domain
asks it for the reports of a page of tasks at once and never imports it.

A reader is `reader(session=..., tasks=[TaskRef, ...]) -> {task_id: data}`
returning JSON-able data; `template` names the partial that renders one
report on the history page (it receives `report`, the data).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from sqlalchemy.orm import Session

_KEY = "birlik_task_reports"


@dataclass(frozen=True)
class TaskRef:
    """What a reader learns of a task (not the Task row itself)."""

    task_id: int
    kind: str
    source_id: int
    status: str


@dataclass(frozen=True)
class Provider:
    reader: Callable[..., dict[int, dict[str, Any]]]
    template: str


def provide(app: Flask, source_type: str, reader: Callable[..., dict[int, dict[str, Any]]], template: str) -> None:
    """Register the reader of reports for tasks whose source is `source_type`."""
    app.extensions.setdefault(_KEY, {})[source_type] = Provider(reader, template)


def read(session: Session, tasks: Iterable[Any]) -> dict[int, dict[str, Any]]:
    """Each task's report from its source's provider, as
    `{task_id: {"source_type", "template", "data"}}`; a task whose source has
    no provider (or no source) is absent."""
    providers: dict[str, Provider] = current_app.extensions.get(_KEY, {})
    by_source: dict[str, list[TaskRef]] = defaultdict(list)
    for t in tasks:
        if t.source_type in providers and t.source_id is not None:
            by_source[t.source_type].append(TaskRef(t.id, t.kind, t.source_id, t.status))
    out: dict[int, dict[str, Any]] = {}
    for source_type, refs in by_source.items():
        provider = providers[source_type]
        for task_id, data in provider.reader(session=session, tasks=refs).items():
            out[task_id] = {"source_type": source_type, "template": provider.template, "data": data}
    return out
