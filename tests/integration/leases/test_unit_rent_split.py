"""A contract's monthly rent divided over its units adds up to the rent (issue 10, defect 2)."""

from __future__ import annotations

from parkops.leases import contract_document
from tests.integration.leases.factories import create_contract, create_units


async def test_the_premises_table_splits_the_rent_by_largest_remainder(db):
    units = await create_units(db, 3)  # three units of 2,000 m²
    contract = await create_contract(
        db, units=units, status="active", rent_basis="fixed_monthly", rent_rate="10000"
    )
    context = await contract_document.build_context(db, contract)
    # 10,000.00 a month over three equal units: 3,333.34 + 3,333.33 + 3,333.33 (each rounded
    # on its own gave 3 x 3,333.33 = 9,999.99).
    assert [u.monthly_rent_fen for u in context.units] == [333_334, 333_333, 333_333]
    assert context.monthly_rent_fen == 1_000_000
