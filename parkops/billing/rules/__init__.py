"""Pure rules of the billing domain: no database, no HTTP; unit tested in tests/unit/billing."""
