"""Use cases of the inventory domain (flush, never commit): ``spaces`` (parks, phases,
buildings, floors), ``units``, ``statuses`` (following the contracts and holds), ``lineage``
(splits and merges).

Services take the raw values people typed (form strings or JSON values) as a mapping, parse them
with :mod:`parkops.inventory.rules`, check them against the database, and write the change plus
an audit entry. Bad input raises ``ValidationFailed`` whose field errors name the field, before
anything is written; a race the database settles (a unique code taken in the meantime) becomes a
``Conflict`` naming the same field.

Locking, for the rules a CHECK cannot express:
- a unit becomes ``leased`` only while its phase is operating: ``statuses.follow_occupancy``
  reads the phase row ``FOR SHARE``; changing a phase's status takes the row ``FOR UPDATE`` and
  then counts leased units, so the two cannot interleave;
- a status given by hand, a split and a merge lock the units ``FOR UPDATE`` (in id order) before
  asking what takes them; a new contract or hold takes ``FOR KEY SHARE`` on its units (foreign
  key, and the trigger on ``lease_unit_occupancy`` that refuses unavailable and retired units),
  so either waits for the other and then sees it;
- a floor number must not exceed its building's floor count: creating a floor reads the building
  ``FOR SHARE``; lowering the floor count takes it ``FOR UPDATE`` and checks the highest floor.
"""
