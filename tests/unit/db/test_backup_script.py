"""The restore script loses only SET lines for parameters the target server does not know."""

from __future__ import annotations

from parkops.db.backup import drop_unknown_settings

SCRIPT = b"""\\restrict abc
SET statement_timeout = 0;
SET transaction_timeout = 0;
SET client_encoding = 'UTF8';
SELECT pg_catalog.set_config('search_path', '', false);
COPY public.notes (body) FROM stdin;
SET transaction_timeout = 0;
\\.
SET default_table_access_method = heap;
"""


def test_unknown_settings_are_dropped_outside_copy_data_only():
    known = {"statement_timeout", "client_encoding", "default_table_access_method"}
    lines = SCRIPT.splitlines(keepends=True)
    kept = b"".join(drop_unknown_settings(lines, known))
    # The statement goes; the row of data that reads the same is restored as it was.
    assert kept == SCRIPT.replace(b"SET transaction_timeout = 0;\nSET client", b"SET client")
    assert kept.count(b"SET transaction_timeout = 0;\n") == 1


def test_everything_is_kept_when_the_server_knows_every_setting():
    known = {"statement_timeout", "transaction_timeout", "client_encoding"}
    known.add("default_table_access_method")
    lines = SCRIPT.splitlines(keepends=True)
    assert b"".join(drop_unknown_settings(lines, known)) == SCRIPT
