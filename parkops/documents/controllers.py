"""HTTP for the documents domain (pages and API)."""

ROUTES: list = []
