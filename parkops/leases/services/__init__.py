"""Use cases of the leases domain: contracts and their lifecycle, terms amendments, renewals,
terminations with a settlement statement, reservations (holds), and keeping unit statuses in
step with all of it.

Services flush, never commit; the request (or CLI command) owns the transaction. Bad input
raises ``ValidationFailed`` with field errors before anything is written.

**No double-letting.** A contract takes its units from submission on, a hold from its creation:
one ``lease_unit_occupancy`` row per unit and date range. The exclusion constraints on that
table (see ``models``) are the guarantee, under any concurrency; ``occupancy._conflicts`` runs first
only so the message can name the unit and the contract or hold in the way. When two requests
race past that check, the second insert waits for the first transaction and then fails on the
constraint; ``occupancy.occupy`` turns that into the same 409 with the same message.

**Expired holds count for nothing.** A hold past ``held_until`` is ignored by every read. Its
occupancy rows are switched off by ``parkops leases expire-holds`` (and the daily
``refresh-status``), and, so that a stale row never blocks a contract, by any request that is
about to take the same units (``occupancy.release_expired_holds``).

**Numbers.** A contract gets its number on approval: ``<prefix>-<year>-<seq>`` per park and
year, from a counter row locked ``FOR UPDATE`` in the approving transaction; numbers are
consecutive and, because a rolled-back approval rolls back the counter too, without gaps.

**Schedules.** Before approval the schedule is computed on the fly from the terms (shown on the
contract page); approval freezes it into ``lease_schedule_lines``. An amendment from a date adds
a terms version; lines of periods that started before that date stay exactly as they were, the
later ones are superseded (kept, marked) and replaced by lines computed from the new terms.
"""
