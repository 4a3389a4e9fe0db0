"""300 groups race for 100 beds, dispatched by two worker processes at once."""

from concurrent.futures import ThreadPoolExecutor

from rq import Queue
from sqlalchemy import func, select

from coordinator.housing.models import FacilityBeds, PlacementRequest

GROUP = {"contact_phone": "+7 701 555 12 12", "origin": "Almaty", "head_count": 1}


def _tally(db_session):
    db_session.expire_all()
    by_status = dict(
        db_session.execute(
            select(PlacementRequest.status, func.sum(PlacementRequest.head_count)).group_by(PlacementRequest.status)
        ).all()
    )
    beds = db_session.scalar(select(FacilityBeds))
    return by_status, beds


def test_no_bed_is_ever_double_booked(app, make, hq, db_session, burst_workers):
    facility = make.facility("almaty", beds={"standard": 100})

    def post(_):
        client = app.test_client()
        return client.post("/api/v1/placements", json=GROUP, headers=hq.auth).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(post, range(300))) == {201}

    burst_workers(2)
    by_status, beds = _tally(db_session)
    assert by_status == {"assigned": 100, "waiting": 200}
    assert beds.held == 100 and beds.free == 0
    queue = Queue("dispatch", connection=app.extensions["birlik_redis"])
    jobs = [queue.fetch_job(job_id) for job_id in queue.finished_job_registry.get_job_ids()]
    workers = {job.worker_name for job in jobs if job is not None}
    assert len(workers) == 2, "both worker processes should have dispatched"

    client = app.test_client()
    resp = client.put(f"/api/v1/facilities/{facility.id}/beds/standard", json={"total": 300}, headers=hq.auth)
    assert resp.status_code == 200
    burst_workers(2)
    by_status, beds = _tally(db_session)
    assert by_status == {"assigned": 300}
    assert beds.held == 300 and beds.free == 0
