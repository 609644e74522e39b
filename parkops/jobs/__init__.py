"""Durable background jobs: the tasks ParkOps queues in PostgreSQL and the worker that runs them
(``parkops worker``, or inside ``parkops serve`` on the embedded development database).

The queue is procrastinate's, in the application's own database: no other server. Work is
queued with :func:`parkops.core.jobs.defer` in the transaction that asks for it; periodic work
is queued by the workers themselves, once per slot across all of them.
"""
