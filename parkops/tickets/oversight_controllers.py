"""HTTP for supervision and statistics of the ticket desk (pages and API)."""

ROUTES: list = []
