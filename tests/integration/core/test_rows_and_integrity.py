"""The shared helpers for a row by key (``get_or_404``) and for a violated constraint
(``flush_or_field_error``), on real tables."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from parkops.core.errors import Conflict, NotFound, ValidationFailed
from parkops.core.integrity import UNIQUE_VIOLATION, flush_or_field_error, sqlstate
from parkops.core.rows import get_or_404
from parkops.tickets.models import Department


def _department(code: str) -> Department:
    return Department(code=code, name="测试部门", name_en="Test department")


async def test_get_or_404_returns_the_row_or_the_message(db):
    row = _department("rows_found")
    db.add(row)
    await db.flush()
    assert await get_or_404(db, Department, row.id) is row
    with pytest.raises(NotFound) as caught:
        await get_or_404(db, Department, row.id + 1000, "No such department")
    assert caught.value.message == "No such department"


async def test_get_or_404_does_not_send_ids_no_bigint_holds(db):
    for ident in (2**63, -(2**63) - 1, 10**30):
        with pytest.raises(NotFound):
            await get_or_404(db, Department, ident, "No such department")


async def test_a_named_violation_becomes_the_fields_error(db):
    db.add(_department("dup_code"))
    await db.flush()
    db.add(_department("dup_code"))
    with pytest.raises(Conflict) as caught:
        await flush_or_field_error(
            db, {"uq_departments_code": ("code", "taken")}, message="Not saved."
        )
    assert caught.value.status_code == 409
    assert caught.value.message == "Not saved."
    assert caught.value.field_errors == {"code": "taken"}


async def test_the_error_type_can_be_chosen(db):
    db.add(_department("dup_422"))
    await db.flush()
    db.add(_department("dup_422"))
    with pytest.raises(ValidationFailed) as caught:
        await flush_or_field_error(
            db, {"uq_departments_code": ("code", "taken")}, error=ValidationFailed
        )
    assert caught.value.status_code == 422


async def test_a_violation_not_named_propagates(db):
    db.add(_department("dup_other"))
    await db.flush()
    db.add(_department("dup_other"))
    with pytest.raises(IntegrityError) as caught:
        await flush_or_field_error(db, {"uq_some_other_constraint": ("code", "taken")})
    assert sqlstate(caught.value) == UNIQUE_VIOLATION
