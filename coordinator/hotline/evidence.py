"""Evidence files of a case: the type is sniffed from the content (never the
name), the size is limited, and the file is stored under the data folder
(`VAR_DIR/evidence/`) by its SHA-256, so the same file is kept once."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.common.errors import DomainError, Invalid, NotFound
from coordinator.hotline import settings, workflow
from coordinator.hotline.models import Case, Evidence
from coordinator.i18n import N_, text

SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"%PDF-", "application/pdf", ".pdf"),
)
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "application/pdf": ".pdf"}


class TooLarge(DomainError):
    status = 413


class UnsupportedType(DomainError):
    status = 415


def sniff(data: bytes) -> str | None:
    """The file's type from its first bytes: JPEG, PNG, WebP or PDF; None for anything else."""
    for magic, content_type, _ in SIGNATURES:
        if data.startswith(magic):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def clean_name(name: str | None, content_type: str) -> str:
    """A file name safe to show and to offer for download."""
    base = re.sub(r"[\x00-\x1f\x7f/\\]+", "_", os.path.basename(name or "")).strip(" ._") or "evidence"
    stem, _ = os.path.splitext(base)
    return (stem[:140] or "evidence") + EXTENSIONS[content_type]


def folder() -> Path:
    return Path(current_app.config["VAR_DIR"]) / "evidence"


def path_of(evidence: Evidence) -> Path:
    return folder() / evidence.sha256[:2] / evidence.sha256


def _write(data: bytes, digest: str) -> None:
    target = folder() / digest[:2] / digest
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(data)
    partial.replace(target)  # atomic: a reader never sees half a file


def check(data: bytes, *, field: str = "file") -> str:
    """The sniffed type of an acceptable file; raises Invalid, TooLarge or UnsupportedType."""
    limit = settings.value("HOTLINE_EVIDENCE_MAX_BYTES")
    if not data:
        raise Invalid(text(N_("The file is empty.")), field=field)
    if len(data) > limit:
        raise TooLarge(
            text(N_("The file is %(size)s bytes; the limit is %(limit)s."), size=len(data), limit=limit), field=field
        )
    content_type = sniff(data)
    if content_type is None:
        raise UnsupportedType(text(N_("Only JPEG, PNG or WebP photos and PDF documents are kept.")), field=field)
    return content_type


def store(
    *,
    session: Session,
    case: Case,
    data: bytes,
    filename: str | None,
    user_id: int | None,
    inspection_id: int | None = None,
) -> Evidence:
    """Keep a file for a case (checked as `check` does), with a step and an event."""
    content_type = check(data)
    digest = hashlib.sha256(data).hexdigest()
    _write(data, digest)
    item = Evidence(
        case_id=case.id,
        inspection_id=inspection_id,
        filename=clean_name(filename, content_type),
        content_type=content_type,
        size=len(data),
        sha256=digest,
        uploaded_by_id=user_id,
    )
    session.add(item)
    session.flush()
    workflow.record_step(session, case, "evidence", actor_id=user_id, note=item.filename)
    workflow.emit(
        session, case, "case.evidence_added", actor_id=user_id, extra={"evidence_id": item.id, "type": content_type}
    )
    return item


def from_data_url(value: str) -> bytes:
    """The bytes of a `data:...;base64,` photo as the field app sends it; raises Invalid."""
    _, _, payload = value.partition("base64,")
    try:
        return base64.b64decode(payload or value, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid(text(N_("A photo is not valid base64 data.")), field="photos") from None


def for_case(*, session: Session, case: Case) -> list[Evidence]:
    return list(session.scalars(select(Evidence).where(Evidence.case_id == case.id).order_by(Evidence.id)))


def get(*, session: Session, case: Case, evidence_id: int) -> Evidence:
    item = session.get(Evidence, evidence_id)
    if item is None or item.case_id != case.id:
        raise NotFound(
            text(N_("No file %(evidence_id)s on case %(number)s."), evidence_id=evidence_id, number=case.number)
        )
    return item
