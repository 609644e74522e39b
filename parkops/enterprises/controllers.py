"""HTTP for the enterprises domain (pages and API)."""

ROUTES: list = []
