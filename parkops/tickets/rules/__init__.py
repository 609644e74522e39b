"""Pure rules of the tickets domain: no database, no HTTP; unit tested in tests/unit/tickets."""
