"""Specifics of API-Version 2025-09-29 (item 7): fulfillment_address, fulfillment_option_id, payment_provider."""

from __future__ import annotations

import pytest

from .appsupport import ADDRESS, driver


@pytest.fixture
def old(shared_merchant):
    d = driver(shared_merchant[1], "2025-09-29")
    yield d
    d.close()


def test_payment_provider_and_address_fields(old):
    session = old.create([("item_hoodie", 1)], {**ADDRESS, "state": "ca"})
    assert session["payment_provider"] == {"provider": "stripe", "supported_payment_methods": ["card"]}
    assert session["fulfillment_address"]["state"] == "CA"  # normalized
    assert session["fulfillment_option_id"] == "ship_standard"


def test_unknown_fulfillment_option_id_is_a_message_and_keeps_the_selection(old):
    session = old.create([("item_mug", 1)], ADDRESS)
    session = old.update(session["id"], {"fulfillment_option_id": "teleport"})
    assert session["fulfillment_option_id"] == "ship_standard"
    assert ("invalid", "$.fulfillment_option_id") in [(m.get("code"), m.get("param")) for m in session["messages"]]


def test_address_can_be_cleared_with_null(old):
    session = old.create([("item_mug", 1)], ADDRESS)
    session = old.set_address(session["id"], None)
    assert "fulfillment_address" not in session and session["status"] == "not_ready_for_payment"


def test_complete_response_has_the_order_and_get_does_not(old):
    done = old.pay()
    assert set(done["order"]) == {"id", "checkout_session_id", "permalink_url"}
    assert "order" not in old.get(done["id"])


def test_a_card_needing_3ds_cannot_pay_here_and_the_status_stays_in_this_versions_enum(old):
    from acpforge.generated.v2025_09_29.agentic_checkout.client import ACPClientError

    from .appsupport import THREE_DS

    session = old.create([("item_mug", 1)], ADDRESS)
    with pytest.raises(ACPClientError) as caught:
        old.client.complete_checkout_session(session["id"], old.complete_body(old.delegate(session, THREE_DS)))
    assert caught.value.status == 402 and caught.value.body["code"] == "requires_3ds"
    again = old.get(session["id"])  # strict model + JSON Schema: no authentication_required here
    assert again["status"] == "ready_for_payment"
