"""HTTP for the inventory domain (pages and API)."""

ROUTES: list = []
