"""The leases domain's pure rules: no database, no I/O; the services apply them."""
