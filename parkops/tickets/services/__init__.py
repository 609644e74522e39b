"""Use cases of the tickets domain (flush, never commit): filing, the workflow actions, notes and
files, the ticket page's view, the catalogue, the working-day calendar, notifications,
supervision, statistics and the handling record."""
