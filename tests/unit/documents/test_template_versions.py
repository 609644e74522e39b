"""A PDF template's version must change whenever its files change.

Stored documents record the template version they were made with, so a change to the wording or
layout without a version bump would make two different documents claim the same version. When
this test fails: bump the template's ``version`` and record the new ``fingerprint`` printed in
the failure, both in the template's ``PdfTemplate`` (the lease contract's is in
``parkops/documents/render.py``).
"""

from __future__ import annotations

from parkops.documents.render import TEMPLATES, template_fingerprint


def test_the_lease_contract_records_its_fingerprint():
    assert TEMPLATES["lease_contract"].fingerprint


def test_template_files_match_their_recorded_fingerprint():
    for name, spec in TEMPLATES.items():
        if spec.fingerprint is None:
            continue  # not opted in (yet)
        current = template_fingerprint(spec)
        assert current == spec.fingerprint, (
            f"{name}: its files changed since version {spec.version} was recorded. Set "
            f'version={spec.version + 1}, fingerprint="{current}" in its PdfTemplate.'
        )


def test_fingerprint_follows_every_file(tmp_path):
    spec = TEMPLATES["lease_contract"]
    for name in spec.files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    before = template_fingerprint(spec, tmp_path)
    (tmp_path / spec.files[-1]).write_text("y")
    assert template_fingerprint(spec, tmp_path) != before
