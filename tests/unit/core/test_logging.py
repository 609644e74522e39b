"""Structured logs carry the request id."""

from __future__ import annotations

import json
import logging

from parkops.core.context import request_id_var
from parkops.core.logging import JsonFormatter, _RequestIdFilter


def test_json_log_lines_carry_the_request_id():
    record = logging.LogRecord(
        "parkops.test", logging.INFO, __file__, 1, "hello %s", ("世界",), None
    )
    token = request_id_var.set("req-12345678")
    try:
        _RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    line = json.loads(JsonFormatter().format(record))
    assert line["msg"] == "hello 世界"
    assert line["request_id"] == "req-12345678"
    assert line["level"] == "INFO"
