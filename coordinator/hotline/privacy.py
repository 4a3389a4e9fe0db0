"""The reporter's privacy: keyed hashes instead of phone numbers and lookup
codes, who may see an identity, and the record of every time someone did.

A reporter's name and contact are shown only to hotline operators and to the
HQ handling the case (the regional HQ of its region; the national HQ once
the case is escalated to it), and only through `reveal`, which records the
view. They never enter an event, the map, an export or any other response.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator import authz
from coordinator.auth.models import User
from coordinator.common.errors import Conflict, Forbidden
from coordinator.hotline.models import Case, ReporterView
from coordinator.i18n import N_, text

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read out over the phone
CODE_LENGTH = 10


def _keyed(purpose: str, text: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{purpose}:{text}".encode(), hashlib.sha256).hexdigest()


def normalise_contact(contact: str | None) -> str | None:
    """A phone number as its digits in the international form (8 7xx... and
    7xx... become 77xx...), an e-mail address in lower case; None for neither."""
    text = (contact or "").strip()
    if "@" in text:
        return text.lower()
    digits = re.sub(r"\D", "", text)
    if len(digits) < 7:
        return None
    if len(digits) == 11 and digits.startswith("8"):
        digits = "7" + digits[1:]
    elif len(digits) == 10 and digits.startswith("7"):
        digits = "7" + digits
    return digits


def reporter_key(contact: str | None) -> str | None:
    """A keyed hash of the normalised contact, to recognise the same reporter
    across channels without storing or comparing the number itself."""
    normal = normalise_contact(contact)
    return _keyed("reporter", normal) if normal else None


def new_lookup_code(seed: str | None = None) -> str:
    """A status-lookup code: random, or derived from a submission key (so a
    resent form gets the same code again without the code being stored)."""
    if seed is None:
        return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    digest = bytes.fromhex(_keyed("code", seed))
    return "".join(CODE_ALPHABET[b % len(CODE_ALPHABET)] for b in digest[:CODE_LENGTH])


def clean_code(code: str) -> str:
    """A code as typed (spaces, dashes, lower case) in its stored form."""
    return re.sub(r"[^A-Z0-9]", "", code.upper())


def format_code(code: str) -> str:
    """A code in groups for reading out: ABCDE-FGHJK."""
    return f"{code[:5]}-{code[5:]}"


def lookup_hash(code: str) -> str:
    """What the report keeps of its lookup code."""
    return _keyed("lookup", clean_code(code))


def submission_hash(key: str) -> str:
    return _keyed("submission", key)


def codes_match(stored: str | None, code: str) -> bool:
    """Constant-time comparison of a typed code with a stored hash."""
    return hmac.compare_digest(stored or "", lookup_hash(code))


def may_see_reporter(user: User, case: Case) -> bool:
    """Hotline operators; the regional HQ of the case's region; the national HQ
    (and admin) once the case has been escalated to it."""
    if user.role == "hotline_operator":
        return True
    if user.role == "hq" and user.region_id is not None:
        return user.region_id == case.region_id
    return authz.is_national(user) and case.escalated_national


def reveal(*, session: Session, user: User, case: Case, via: str) -> list[dict[str, Any]]:
    """The identity and contact of the case's reporters, recording the view;
    raises Forbidden for anyone else."""
    if not may_see_reporter(user, case):
        if authz.is_national(user):
            # A state, not a role, stands in the way: the case is the regional HQ's until escalated.
            raise Conflict(text(N_("The national HQ sees who reported a case once the case is escalated to it.")))
        raise Forbidden(text(N_("Only hotline operators and the HQ handling this case may see who reported it.")))
    session.add(ReporterView(case_id=case.id, user_id=user.id, via=via))
    return [
        {
            "report_id": r.id,
            "channel": r.channel,
            "anonymous": r.anonymous,
            "name": None if r.anonymous else r.reporter_name,
            "contact": None if r.anonymous else r.reporter_contact,
        }
        for r in case.reports
    ]


def views(*, session: Session, case: Case, limit: int = 100) -> list[ReporterView]:
    """Who saw the case's reporters, newest first."""
    query = select(ReporterView).where(ReporterView.case_id == case.id).order_by(ReporterView.id.desc()).limit(limit)
    return list(session.scalars(query))
