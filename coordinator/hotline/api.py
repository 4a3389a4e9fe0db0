"""API: intake from the operator's form and other channels, the case queue,
each case's steps, duplicates, evidence, bulk triage and the breach figures."""

from __future__ import annotations

from flask import request
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from coordinator import database
from coordinator.api import pagination
from coordinator.authz import allow
from coordinator.common.errors import DomainError, Invalid, NotFound
from coordinator.events import versions
from coordinator.extensions import db
from coordinator.hotline import (
    breaches,
    cases,
    duplicates,
    evidence,
    inspections,
    intake,
    privacy,
    sla,
    suggest,
    workflow,
)
from coordinator.hotline.models import Case
from coordinator.hotline.schemas import (
    EMPLOYER_NAMES,
    BreachFiguresOut,
    BreachFiguresQuery,
    BulkIn,
    BulkOut,
    CandidateOut,
    CaseDetail,
    CaseOut,
    CasesQuery,
    CloseIn,
    CommentIn,
    DraftIn,
    EvidenceOut,
    HotlineReportIn,
    LinkIn,
    PauseIn,
    PlaceOut,
    ReferIn,
    ReporterOut,
    ReportFiled,
    ResolveIn,
    SuggestQuery,
    TriageIn,
    UpdateIn,
)
from coordinator.i18n import N_, text

blp = Blueprint("api_hotline", __name__, url_prefix="/hotline", description="Hotline reports and cases")
INTAKE_ROLES = ("admin", "hotline_operator")
ROLES = cases.CASE_ROLES


def _out(case: Case) -> Case:
    case.sla = sla.state(case)  # type: ignore[attr-defined]
    return case


def _case(case_id: int, lock: bool = False) -> Case:
    return cases.get(session=db.session, user=current_user, case_id=case_id, lock=lock)


def detail(case: Case) -> Case:
    """A case with everything its page shows (never its reporters)."""
    session = db.session
    _out(case)
    case.clocks = [  # type: ignore[attr-defined]
        {
            **{k: getattr(c, k) for k in ("stage", "budget_minutes", "started_at", "due_at", "paused_at")},
            **{k: getattr(c, k) for k in ("warned_at", "breached_at", "stopped_at")},
            "state": sla.clock_state(c),
        }
        for c in sla.clocks(session=session, case=case)
    ]
    case.steps = cases.steps(session=session, case=case)  # type: ignore[attr-defined]
    case.links = [  # type: ignore[attr-defined]
        {
            "id": link.id,
            "case_id": link.case_id,
            "other_id": link.other_id if link.case_id == case.id else link.case_id,
            "other_number": (link.other if link.case_id == case.id else link.case).number,
            "reasons": link.reasons,
            "score": link.score,
            "status": link.status,
        }
        for link in duplicates.suggestions(session=session, case=case)
    ]
    case.inspections = inspections.for_case(session=session, case=case)  # type: ignore[attr-defined]
    case.evidence = evidence.for_case(session=session, case=case)  # type: ignore[attr-defined]
    return case


@blp.route("/reports", methods=["POST"])
@allow(*INTAKE_ROLES)
@blp.arguments(HotlineReportIn)
@blp.response(201, ReportFiled)
def file_report(body):
    """File a report (operator's form: channel "phone"; another channel: "api").
    The case is committed before the answer, which carries the case number and
    the reporter's status-lookup code (given once; only its hash is kept)."""
    report = intake.file_report(session=db.session, actor_id=current_user.id, issue_code=True, **body)
    database.commit_keeping(db.session)
    return intake.describe(report)


@blp.route("/duplicates/check", methods=["POST"])
@allow(*ROLES)
@blp.arguments(DraftIn)
@blp.response(200, CandidateOut(many=True))
def check_duplicates(body):
    """Possible duplicates of a report being typed: same employer, site or
    reporter (the contact is hashed, never compared or returned)."""
    return duplicates.check_draft(
        session=db.session,
        user=current_user,
        employer=body["employer_name"],
        lat=body.get("lat") if body.get("lon") is not None else None,
        lon=body.get("lon") if body.get("lat") is not None else None,
        contact=body.get("contact"),
    )


@blp.route("/employers", methods=["GET"])
@allow(*ROLES)
@blp.arguments(SuggestQuery, location="query")
@blp.alt_response(200, schema=EMPLOYER_NAMES, success=True)  # a bare list: no marshmallow schema to dump it
def employers(args):
    """Known employers whose name resembles what was typed."""
    return suggest.employers(session=db.session, q=args["q"])


@blp.route("/places", methods=["GET"])
@allow(*ROLES)
@blp.arguments(SuggestQuery, location="query")
@blp.response(200, PlaceOut(many=True))
def places(args):
    """Settlements of the gazetteer whose name starts like what was typed."""
    return suggest.places(args["q"])


@blp.route("/cases", methods=["GET"])
@allow(*ROLES)
@blp.arguments(CasesQuery, location="query")
@blp.response(200, CaseOut(many=True), headers=pagination.LINK_HEADER | versions.ETAG_HEADER)
@blp.alt_response(304, **versions.NOT_MODIFIED_DOC)
@versions.conditional(per_minute=True)
def list_cases(args):
    """Cases in scope: open ones by default, new first, then by SLA due time."""
    rows = cases.queue(
        session=db.session,
        user=current_user,
        status=args.get("status"),
        severity=args.get("severity"),
        category=args.get("category"),
        region_id=args.get("region_id"),
        sla_state=args.get("sla"),
        q=args.get("q"),
        **pagination.params(args),
    )
    return [_out(c) for c in pagination.rows(rows, args)]


@blp.route("/cases/<int:case_id>", methods=["GET"])
@allow(*ROLES)
@blp.response(200, CaseDetail)
def get_case(case_id):
    """One case: reports (without who filed them), clocks, steps, suggested links, inspections, files."""
    return detail(_case(case_id))


@blp.route("/cases/<int:case_id>/reporters", methods=["GET"])
@allow(*ROLES)
@blp.response(200, ReporterOut(many=True))
def reporters(case_id):
    """Who reported the case and how to reach them: hotline operators and the
    HQ handling the case only; every view is recorded."""
    database.will_write(db.session)  # the view is recorded
    shown = privacy.reveal(session=db.session, user=current_user, case=_case(case_id), via="api")
    db.session.commit()
    return shown


def _act(case_id: int, action, **kwargs) -> Case:
    case = _case(case_id, lock=True)
    action(session=db.session, user=current_user, case=case, **kwargs)
    db.session.commit()
    return _out(case)


@blp.route("/cases/<int:case_id>/triage", methods=["POST"])
@allow(*ROLES)
@blp.arguments(TriageIn)
@blp.response(200, CaseOut)
def triage(body, case_id):
    """Decide severity and region (the HQ it goes to): new -> triaged."""
    return _act(case_id, workflow.triage, **body)


@blp.route("/cases/<int:case_id>/update", methods=["POST"])
@allow(*ROLES)
@blp.arguments(UpdateIn)
@blp.response(200, CaseOut)
def update(body, case_id):
    """Change severity (clocks take the new budgets), region or handler."""
    return _act(case_id, workflow.update, **body)


@blp.route("/cases/<int:case_id>/inspection", methods=["POST"])
@allow(*ROLES)
@blp.response(201, CaseOut)
def request_inspection(case_id):
    """Ask for an inspection: a task offered to an inspection team."""
    return _act(case_id, inspections.request)


@blp.route("/cases/<int:case_id>/resolve", methods=["POST"])
@allow(*ROLES)
@blp.arguments(ResolveIn)
@blp.response(200, CaseOut)
def resolve(body, case_id):
    """The violation was put right."""
    return _act(case_id, workflow.resolve, **body)


@blp.route("/cases/<int:case_id>/refer", methods=["POST"])
@allow(*ROLES)
@blp.arguments(ReferIn)
@blp.response(200, CaseOut)
def refer(body, case_id):
    """Referred to the labour inspectorate or the prosecutor, with their reference."""
    return _act(case_id, workflow.refer, **body)


@blp.route("/cases/<int:case_id>/close", methods=["POST"])
@allow(*ROLES)
@blp.arguments(CloseIn)
@blp.response(200, CaseOut)
def close(body, case_id):
    """Close a resolved or referred case."""
    return _act(case_id, workflow.close, **body)


@blp.route("/cases/<int:case_id>/pause", methods=["POST"])
@allow(*ROLES)
@blp.arguments(PauseIn)
@blp.response(200, CaseOut)
def pause(body, case_id):
    """Wait on the reporter or the employer: only the resolution clock stops."""
    return _act(case_id, workflow.pause, **body)


@blp.route("/cases/<int:case_id>/resume", methods=["POST"])
@allow(*ROLES)
@blp.response(200, CaseOut)
def resume(case_id):
    """Restart the resolution clock."""
    return _act(case_id, workflow.resume)


@blp.route("/cases/<int:case_id>/comments", methods=["POST"])
@allow(*ROLES)
@blp.arguments(CommentIn)
@blp.response(201, CaseOut)
def comment(body, case_id):
    """A note on the case."""
    return _act(case_id, workflow.comment, **body)


@blp.route("/cases/<int:case_id>/links/<int:link_id>/accept", methods=["POST"])
@allow(*ROLES)
@blp.response(200, CaseOut)
def accept_link(case_id, link_id):
    """Link a suggested duplicate: the newer case joins the older one (returned)."""
    remaining = duplicates.link(session=db.session, user=current_user, case=_case(case_id, lock=True), link_id=link_id)
    db.session.commit()
    return _out(remaining)


@blp.route("/cases/<int:case_id>/links/<int:link_id>/dismiss", methods=["POST"])
@allow(*ROLES)
@blp.response(200, CaseOut)
def dismiss_link(case_id, link_id):
    """Not the same thing: the cases stay apart."""
    return _act(case_id, duplicates.dismiss, link_id=link_id)


def _by_number_or_id(body) -> Case:
    if body.get("case_id") is not None:
        return _case(body["case_id"], lock=True)
    if body.get("number"):
        found = db.session.scalar(select(Case).where(Case.number == body["number"].strip().upper()))
        if found is None:
            raise NotFound(text(N_("No case numbered %(number)s."), number=body["number"]))
        cases.require(current_user, found)
        return found
    raise Invalid(text(N_("Give the number of the case to link.")), field="number")


@blp.route("/cases/<int:case_id>/link", methods=["POST"])
@allow(*ROLES)
@blp.arguments(LinkIn)
@blp.response(200, CaseOut)
def link_case(body, case_id):
    """Link another case into this one by hand."""
    into = _case(case_id, lock=True)
    remaining = duplicates.link_cases(session=db.session, user=current_user, into=into, case=_by_number_or_id(body))
    db.session.commit()
    return _out(remaining)


@blp.route("/cases/<int:case_id>/evidence", methods=["POST"])
@allow(*ROLES)
@blp.response(201, EvidenceOut)
def upload_evidence(case_id):
    """Keep a file (multipart field "file"): JPEG, PNG, WebP or PDF, sniffed from its content."""
    upload = request.files.get("file")
    if upload is None:
        raise Invalid(text(N_("Attach the file as the multipart field 'file'.")), field="file")
    item = evidence.store(
        session=db.session,
        case=_case(case_id, lock=True),
        data=upload.read(),
        filename=upload.filename,
        user_id=current_user.id,
    )
    db.session.commit()
    return item


BULK_ACTIONS = {
    "triage": lambda case, body: workflow.triage(
        session=db.session, user=current_user, case=case, severity=body.get("severity"), region_id=body.get("region_id")
    ),
    "update": lambda case, body: workflow.update(
        session=db.session,
        user=current_user,
        case=case,
        severity=body.get("severity"),
        region_id=body.get("region_id"),
        assignee_id=body.get("assignee_id"),
    ),
    "inspect": lambda case, body: inspections.request(session=db.session, user=current_user, case=case),
}


@blp.route("/cases/bulk", methods=["POST"])
@allow(*ROLES)
@blp.arguments(BulkIn)
@blp.response(200, BulkOut)
def bulk(body):
    """One action on many cases: triage (severity, region), update (severity,
    region, handler), inspect, or link (all into the oldest). Each case
    succeeds or fails on its own; failures say why."""
    ids = sorted(set(body["case_ids"]))
    done, failed, into = [], {}, None
    for case_id in ids:
        try:
            with db.session.begin_nested():
                case = _case(case_id, lock=True)
                if body["action"] != "link":
                    BULK_ACTIONS[body["action"]](case, body)
                elif into is None:
                    into = case  # the oldest: the others join it
                else:
                    duplicates.link_cases(session=db.session, user=current_user, into=into, case=case)
            done.append(case_id)
        except DomainError as exc:
            failed[str(case_id)] = exc.message
    db.session.commit()
    return {"done": done, "failed": failed, "into": into.id if into else None}


@blp.route("/breaches", methods=["GET"])
@allow(*ROLES)
@blp.arguments(BreachFiguresQuery, location="query")
@blp.response(200, BreachFiguresOut)
def breach_figures(args):
    """Open cases in scope by SLA state, stage, region and category, and the breached clocks."""
    return breaches.dashboard(session=db.session, user=current_user, **args)
