"""The API against its own OpenAPI document, fuzzed by schemathesis (issue 12): every operation,
as a park admin, an enterprise user and a government officer, over the demo data. Fails on any
5xx and on any response the document does not describe (status, media type, headers, body).

Bounded here (``PARKOPS_FUZZ_EXAMPLES``, default 2 examples per operation, no coverage phase);
``make fuzz`` runs it with 50 examples and every phase. The figures are printed (``-s``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from parkops.accounts import service as accounts
from parkops.accounts.models import User
from parkops.app import DOMAINS, create_app
from parkops.demo import load_demo
from tests.support import serve_in_thread, with_committed_session

pytestmark = pytest.mark.slow

# A user of each kind the demo data has: park admin, enterprise user, government officer.
ROLES = ("admin", "qiye", "shichang")
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_headers_conformance,response_schema_conformance"
)
EXAMPLES = int(os.environ.get("PARKOPS_FUZZ_EXAMPLES", "2"))
PHASES = os.environ.get("PARKOPS_FUZZ_PHASES", "examples,fuzzing,stateful")


async def _demo_with_tokens(db) -> dict[str, str]:
    await load_demo(db, DOMAINS)
    tokens = {}
    for username in ROLES:
        user_id = await db.scalar(sa.select(User.id).where(User.username == username))
        identity = await accounts.get_identity(db, user_id)
        _token, tokens[username] = await accounts.create_api_token(db, identity, "fuzz")
    return tokens


def _schemathesis(base_url: str, token: str) -> subprocess.CompletedProcess:
    command = [
        str(Path(sys.executable).parent / "st"),
        "run",
        f"{base_url}/schema/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        CHECKS,
        "--phases",
        PHASES,
        "--max-examples",
        str(EXAMPLES),
        "--seed",
        "20261206",
        "--generation-database",
        "none",
        # Signing itself out would end the run for the role: its own token and sessions stay.
        "--exclude-path-regex",
        "^/schema|/tokens/",
        "--request-timeout",
        "120",  # a contract PDF takes seconds on a loaded machine
        "--no-color",
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False)


def _figures(output: str) -> str:
    tested = re.search(r"Tested: (\d+)", output)
    cases = re.search(r"(\d+) generated", output)
    failures = re.search(r"(\d+) found (\d+) unique failures", output)
    return (
        f"operations={tested.group(1) if tested else '?'} "
        f"test_cases={cases.group(1) if cases else '?'} "
        f"failures={failures.group(2) if failures else 0}"
    )


async def test_the_api_answers_what_its_schema_says(committed_database_url, test_settings):
    tokens = await with_committed_session(committed_database_url, _demo_with_tokens)
    settings = test_settings.model_copy(
        update={"database_url": committed_database_url, "db_pool_size": 4}
    )
    outcomes = {}
    with serve_in_thread(create_app(settings)) as base_url:
        for username in ROLES:
            outcomes[username] = _schemathesis(base_url, tokens[username])
            print(f"schemathesis as {username}: {_figures(outcomes[username].stdout)}")
    failed = {name: run.stdout[-6000:] for name, run in outcomes.items() if run.returncode != 0}
    assert not failed, "\n\n".join(f"== as {n}\n{out}" for n, out in failed.items())
