"""An independent billing oracle: the money a contract should produce, recomputed from
docs/DOMAIN.md and the lease terms with small, obviously-correct code. It imports nothing from
``parkops.billing`` or ``parkops.leases`` (tests/unit/test_oracle_independence.py checks that),
so a bug there cannot hide by being copied here. What it decides where DOMAIN.md is silent is
in ``choices.py``."""
