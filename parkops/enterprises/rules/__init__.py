"""The enterprises domain's pure rules (no database), unit tested in ``tests/unit/enterprises``."""
