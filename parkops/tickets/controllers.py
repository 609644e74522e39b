"""HTTP for the tickets domain (pages and API)."""

ROUTES: list = []
