"""Taking a job off the queues without a moment in which a worker's death loses it.

RQ moves a job it takes into the queue's intermediate list (LMOVE) only when a
worker listens on a single queue. Ours listen on several (`RQ_QUEUES`,
dispatch before default), and RQ takes those jobs with BLPOP: from then until
the job is in the started registry it exists only in the worker's memory. A
worker SIGKILLed in that moment lost the job; a placement then stayed
`requested` until the periodic sweep of stranded requests minutes later (the
scale-out test caught it: one request of 80).

Here every job is moved into its queue's intermediate list, whichever queue it
came from; `prepare_execution` takes it out in the same Redis transaction that
puts it in the started registry; and a job found in the intermediate list but
not started `INTERMEDIATE_GRACE` later (its worker died) is requeued (RQ's own
cleaning waits a minute, longer than a dispatch is promised)."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

from redis.client import Pipeline
from rq import Queue
from rq.exceptions import DequeueTimeout
from rq.intermediate_queue import IntermediateQueue
from rq.job import Job
from rq.utils import as_text, now

log = logging.getLogger("birlik.worker")
# How long an idle worker blocks on its first queue (dispatch) before it looks
# at the others again: BLMOVE takes one list, so a job on a later queue waits
# up to this long for an idle worker. Dispatch jobs are taken at once.
POLL_SECONDS = 0.2
# A worker moves a job from the intermediate list to the started registry
# within milliseconds; one still there after this long lost its worker.
INTERMEDIATE_GRACE = timedelta(seconds=5)


class BirlikQueue(Queue):
    """RQ's queue, with a dequeue over several queues that moves the job (see
    the module docstring)."""

    @classmethod
    def dequeue_any(cls, queues, timeout, connection, job_class=None, serializer=None, death_penalty_class=None):
        queues = list(queues)
        if len(queues) == 1:  # RQ moves it already
            return super().dequeue_any(
                queues,
                timeout,
                connection=connection,
                job_class=job_class,
                serializer=serializer,
                death_penalty_class=death_penalty_class,
            )
        fetch: dict[str, Any] = {
            "job_class": job_class,
            "serializer": serializer,
            "death_penalty_class": death_penalty_class,
        }
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            for queue in queues:  # in order: the first queue's jobs first
                job_id = connection.lmove(queue.key, queue.intermediate_queue_key)
                if job_id is not None:
                    break
            else:
                if deadline is None:
                    return None  # burst: nothing queued
                left = deadline - time.monotonic()
                if left <= 0:
                    raise DequeueTimeout(timeout, [q.key for q in queues])
                queue = queues[0]
                job_id = connection.blmove(queue.key, queue.intermediate_queue_key, min(POLL_SECONDS, left))
                if job_id is None:
                    continue
            # A job whose hash is gone is skipped; its id is dropped from the
            # intermediate list by the registry cleaning.
            fetched = cls._fetch_dequeued_job(connection, queue.key, as_text(job_id), **fetch)
            if fetched is not None:
                return fetched


class _Intermediate(IntermediateQueue):
    """RQ's intermediate list, cleaned after `INTERMEDIATE_GRACE`, not a minute."""

    def should_be_cleaned_up(self, job_id: str) -> bool:
        first_seen = self.get_first_seen(job_id)
        stuck = first_seen is not None and now() - first_seen > INTERMEDIATE_GRACE
        if stuck:
            log.warning("job %s was taken by a worker that died before starting it: requeued if it has retries left", job_id)
        return stuck


def clean_intermediate(worker, queue: Queue) -> None:
    """Requeue (or fail, if out of retries) the jobs whose worker died
    between taking them and starting them."""
    _Intermediate(queue.key, connection=queue.connection).cleanup(worker, queue)


def started(job: Job, pipeline: Pipeline) -> None:
    """The job is out of its intermediate list (it is starting: the caller
    puts it in the started registry in the same transaction), and forgotten
    by the cleaning: a retry of the same job is timed afresh."""
    intermediate = _Intermediate(Queue(job.origin, connection=job.connection).key, connection=job.connection)
    pipeline.lrem(intermediate.key, 1, job.id)
    pipeline.delete(intermediate.get_first_seen_key(job.id))
