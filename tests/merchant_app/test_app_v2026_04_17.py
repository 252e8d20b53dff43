"""Specifics of API-Version 2026-04-17 (item 7): capabilities, handlers, 3-D Secure, markdown."""

from __future__ import annotations

import pytest
from acpforge.generated.v2026_04_17.agentic_checkout.client import ACPClientError

from acpforge.merchant.adapters.v2026_04_17 import safe_content

from .appsupport import ADDRESS, THREE_DS, driver


@pytest.fixture
def new(shared_merchant):
    d = driver(shared_merchant[1], "2026-04-17")
    yield d
    d.close()


@pytest.mark.parametrize("declared, expected", [
    (["3ds", "biometric", "address_verification"], ["3ds"]),
    (["biometric"], []),
    (None, []),
])
def test_capabilities_are_the_intersection_of_agent_and_merchant(new, declared, expected):
    caps = {} if declared is None else {"interventions": {"supported": declared}}
    session = new.create([("item_ebook", 1)], capabilities=caps)
    assert session["capabilities"]["interventions"]["supported"] == expected
    assert [h["id"] for h in session["capabilities"]["payment"]["handlers"]] == ["card_tokenized"]


def test_handler_id_must_name_an_advertised_handler(new):
    session = new.create([("item_ebook", 1)])
    token = new.delegate(session)
    with pytest.raises(ACPClientError) as caught:
        new.client.complete_checkout_session(session["id"], new.complete_body(token, handler_id="paypal"))
    assert caught.value.status == 400 and caught.value.body["param"] == "$.payment_data.handler_id"
    assert new.complete(session["id"], token)["status"] == "completed"  # the token was not consumed


def test_three_d_secure_round_trip(new):
    session = new.create([("item_tshirt", 1)], ADDRESS)
    token = new.delegate(session, THREE_DS)
    with pytest.raises(ACPClientError) as caught:
        new.client.complete_checkout_session(session["id"], new.complete_body(token))
    assert caught.value.status == 402
    assert caught.value.body["code"] == "requires_3ds" and caught.value.body["param"] == "$.authentication_result"
    pending = new.get(session["id"])
    assert pending["status"] == "authentication_required"
    assert pending["authentication_metadata"]["directory_server"] == "visa"
    assert pending["capabilities"]["interventions"]["required"] == ["3ds"]
    with pytest.raises(ACPClientError) as again:  # still no result: still refused
        new.client.complete_checkout_session(session["id"], new.complete_body(token))
    assert again.value.body["code"] == "requires_3ds"
    result = {"outcome": "authenticated", "outcome_details": {
        "three_ds_cryptogram": "AAABBWcSNIdjeUZThmNHAAAAAAA=", "electronic_commerce_indicator": "05",
        "transaction_id": "8f3c2a1e-5b7d-4c0e-9a61-2d4f6b8e0c13", "version": "2.2.0"}}
    done = new.complete(session["id"], token, authentication_result=result)
    assert done["status"] == "completed" and "authentication_metadata" not in done


def test_failed_authentication_declines(new):
    session = new.create([("item_tshirt", 1)], ADDRESS)
    token = new.delegate(session, THREE_DS)
    with pytest.raises(ACPClientError) as caught:
        new.client.complete_checkout_session(session["id"], new.complete_body(token, authentication_result={"outcome": "denied"}))
    assert caught.value.body["code"] == "payment_declined"
    assert caught.value.body["param"] == "$.authentication_result"


def test_repeated_item_ids_are_quantities_and_details_are_kept(new):
    details = {"name": "Jane Doe", "email": "jane@example.com", "phone_number": "+14155550100", "address": ADDRESS}
    session = new.create([("item_mug", 3)], None, fulfillment_details=details)
    assert [(li["item"]["id"], li["quantity"]) for li in session["line_items"]] == [("item_mug", 3)]
    assert session["fulfillment_details"]["email"] == "jane@example.com"
    assert session["selected_fulfillment_options"][0]["item_ids"] == [session["line_items"][0]["id"]]


def test_buyer_with_only_an_email_is_enough(new):
    session = new.create([("item_ebook", 1)], buyer={"email": "ada@example.com"})
    assert session["buyer"] == {"email": "ada@example.com"} and session["status"] == "ready_for_payment"


def test_purchase_orders_are_refused_cleanly(new):
    session = new.create([("item_ebook", 1)])
    with pytest.raises(ACPClientError) as caught:
        new.client.complete_checkout_session(session["id"], {"payment_data": {"purchase_order_number": "PO-1"}})
    assert caught.value.status == 400


def test_markdown_with_raw_html_is_refused_as_markdown():
    assert safe_content("markdown", "**ok**") == ("markdown", "**ok**")
    assert safe_content("markdown", "hi <script>x()</script>") == ("plain", "hi x()")
    assert safe_content("plain", "<b>as text</b>") == ("plain", "<b>as text</b>")
