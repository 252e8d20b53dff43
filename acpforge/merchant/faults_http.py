"""Test-only faults implemented by the version adapters (never enable them outside tests).

Registered in the core ``REGISTRY`` (layer ``adapter``) at import time, so
``Faults([...])`` accepts them and a typo is still an error.  Each breaks
exactly one behaviour that the certifier or the fuzzer probes.
"""

from __future__ import annotations

from acpforge.merchant.core.faults import REGISTRY

__all__ = [
    "ADAPTER_FAULTS",
    "COMPLETION_STATUS_WRONG",
    "FLOAT_AMOUNTS",
    "MALFORMED_ADDRESS_500",
    "WEBHOOK_WRONG_SECRET",
    "WRONG_COMPLETION_STATUS",
]

WEBHOOK_WRONG_SECRET = "webhook_wrong_secret"
COMPLETION_STATUS_WRONG = "completion_status_wrong"
FLOAT_AMOUNTS = "float_amounts"
MALFORMED_ADDRESS_500 = "malformed_address_500"

#: The status the ``completion_status_wrong`` fault answers a successful completion with.
WRONG_COMPLETION_STATUS = 202

ADAPTER_FAULTS: dict[str, str] = {
    WEBHOOK_WRONG_SECRET: "order webhooks are signed with a secret other than the configured one",
    COMPLETION_STATUS_WRONG: f"a successful completion answers {WRONG_COMPLETION_STATUS} instead of the spec's status",
    FLOAT_AMOUNTS: "amounts in session responses are JSON floats (2500.0) instead of integers",
    MALFORMED_ADDRESS_500: "an invalid fulfillment address makes create/update answer 500",
}
for _name, _description in ADAPTER_FAULTS.items():
    REGISTRY.register(_name, _description, "adapter")
