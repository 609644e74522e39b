"""HTTP for the leases domain (pages and API)."""

ROUTES: list = []
