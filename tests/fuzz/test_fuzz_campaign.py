"""The 1,000-example campaign against the reference merchant, per supported version (slow).

Deselected unless asked for (tests/conftest.py): ``pytest -m slow tests/fuzz/test_fuzz_campaign.py`` (or
``ACPFORGE_SLOW=1``).  ``ACPFORGE_CAMPAIGN_OUT=DIR`` keeps the reports (JUnit XML, report.json).
Zero failures are required: every finding is printed with its reproduction.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from acpforge.fuzz.runner import FuzzOptions, run
from acpforge.versions import SUPPORTED

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("ACPFORGE_CAMPAIGN_EXAMPLES", "1000"))


@pytest.mark.parametrize("version", SUPPORTED)
def test_thousand_examples_per_operation_find_nothing(version, fresh_merchant, tmp_path):
    base_url, token = fresh_merchant
    out = Path(os.environ.get("ACPFORGE_CAMPAIGN_OUT", tmp_path)) / version
    report = run(FuzzOptions(base_url=base_url, token=token, versions=(version,), max_examples=EXAMPLES,
                             seed=int(os.environ.get("ACPFORGE_CAMPAIGN_SEED", "1000")), flows=EXAMPLES // 10,
                             out=out))
    print(f"{version}: {report.requests} requests in {report.duration:.0f}s, {report.flows} flows "
          f"({report.flows_sold_out} out of stock), {report.tokens_minted} tokens, "
          f"{len(report.failures)} failure(s), {len(report.errors)} error(s)")
    details = "\n\n".join(f"{f.summary()}\n{f.message}\n{f.python}" for f in report.failures)
    assert report.ok, details + "\n".join(report.errors)
