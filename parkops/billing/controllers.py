"""HTTP for the billing domain (pages and API)."""

ROUTES: list = []
