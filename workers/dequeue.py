"""Taking a job off the queues without a moment in which a worker's death loses it.

RQ moves a job it takes into the queue's intermediate list (LMOVE) only when a
worker listens on a single queue. Ours listen on several (`RQ_QUEUES`,
dispatch before default), and RQ takes those jobs with BLPOP: from then until
the job is in the started registry it exists only in the worker's memory. A
worker SIGKILLed in that moment lost the job; a placement then stayed
`requested` until the periodic sweep of stranded requests minutes later (the
scale-out test caught it: one request of 80).

Here every job is moved into its queue's intermediate list, whichever queue it
came from; `started` takes it out in the same Redis transaction that puts it
in the started registry; and a job a worker's cleaning finds in an
intermediate list on two passes `INTERMEDIATE_GRACE` apart never started (its
worker died): it goes back to the front of its queue, its retries untouched,
in one Redis step (`Intermediate`). RQ's own cleaning waits a minute, longer
than a dispatch is promised, and treats the job as failed: a retry used up,
or, for a job without retries (an import), the job marked failed unrun.

A worker that stalls longer than the grace between taking a job and starting
it runs it while another worker runs it again: jobs are idempotent."""

from __future__ import annotations

import logging
import time
from typing import Any

from redis import Redis
from redis.client import Pipeline
from rq import Queue
from rq.exceptions import DequeueTimeout
from rq.job import Job
from rq.utils import as_text

log = logging.getLogger("birlik.worker")
# How long an idle worker blocks on its first queue (dispatch) before it looks
# at the others again: BLMOVE takes one list, so a job on a later queue waits
# up to this long for an idle worker. Dispatch jobs are taken at once.
POLL_SECONDS = 0.2
# Redis before 7.0.8 reads a blocking timeout under a millisecond as 0: forever.
SHORTEST_BLOCK = 0.01
# A worker moves a job from the intermediate list to the started registry
# within milliseconds; one still there after this long lost its worker.
INTERMEDIATE_GRACE = 5.0
OLDEST_REDIS = (6, 2)  # LMOVE, BLMOVE

# Back to the front of its queue only if it is still in the intermediate list
# (a worker may have started it meanwhile), and only if the job still exists.
_REQUEUE = """
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 1 and redis.call('EXISTS', KEYS[3]) == 1 then
  redis.call('LPUSH', KEYS[2], ARGV[1])
  return 1
end
return 0
"""


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
                if left < SHORTEST_BLOCK:
                    raise DequeueTimeout(timeout, [q.key for q in queues])
                queue = queues[0]
                job_id = connection.blmove(queue.key, queue.intermediate_queue_key, min(POLL_SECONDS, left))
                if job_id is None:
                    continue
            fetched = cls._fetch_dequeued_job(connection, queue.key, as_text(job_id), **fetch)
            if fetched is not None:
                return fetched
            connection.lrem(queue.intermediate_queue_key, 1, job_id)  # its job is gone: nothing to run


def started(job: Job, pipeline: Pipeline) -> None:
    """The job is out of its intermediate list (the caller puts it in the
    started registry in the same transaction)."""
    key = Queue(job.origin, connection=job.connection).intermediate_queue_key
    pipeline.lrem(key, 1, job.id)


class Intermediate:
    """A worker's cleaning of the intermediate lists. It remembers when it
    first saw each job there; a job still there `INTERMEDIATE_GRACE` later
    is put back on its queue. In memory, per worker: nothing is left in Redis
    to mislead a later pass about a job id seen again."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], float] = {}

    def clean(self, queue: Queue) -> int:
        """Requeue the jobs of `queue` whose worker died between taking and
        starting them; returns how many."""
        conn: Redis = queue.connection
        key = queue.intermediate_queue_key
        there = {as_text(job_id) for job_id in conn.lrange(key, 0, -1)}
        at = time.monotonic()
        # Forget what left the list (started, or requeued by another worker).
        self._seen = {k: t for k, t in self._seen.items() if k[0] != key or k[1] in there}
        requeued = 0
        for job_id in there:
            first = self._seen.setdefault((key, job_id), at)
            if at - first < INTERMEDIATE_GRACE:
                continue
            del self._seen[(key, job_id)]
            if conn.eval(_REQUEUE, 3, key, queue.key, Job.key_for(job_id), job_id):
                log.warning("job %s was taken by a worker that died before starting it: requeued", job_id)
                requeued += 1
        return requeued


def supported(conn: Redis) -> bool:
    """Whether this Redis has what taking jobs needs (LMOVE: 6.2)."""
    version = str(conn.info("server").get("redis_version", "0"))
    return tuple(int(p) for p in version.split(".")[:2] if p.isdigit()) >= OLDEST_REDIS
