"""Checkout sessions over real HTTP, every behaviour for every API-Version (items 3, 6, 8)."""

from __future__ import annotations

import httpx
import pytest
from acpforge.generated.v2025_09_29.agentic_checkout.client import ACPClientError

from .appsupport import ADDRESS, API_KEY, DECLINE, VERSIONS


def _codes(session):
    return [(m.get("code"), m.get("param")) for m in session["messages"] if m["type"] == "error"]


def test_create_without_address_offers_no_shipping_and_asks_for_one(drv):
    session = drv.create([("item_tshirt", 2)])
    assert session["status"] == "not_ready_for_payment"
    assert session["fulfillment_options"] == []
    assert ("missing", drv.address_param) in _codes(session)


def test_create_with_address_prices_shipping_and_tax(drv):
    session = drv.create([("item_tshirt", 2)], ADDRESS)
    assert session["status"] == "ready_for_payment"
    assert {o["id"] for o in session["fulfillment_options"]} == {"ship_standard", "ship_express"}
    totals = {t["type"]: t["amount"] for t in session["totals"]}
    assert totals["tax"] > 0 and totals["fulfillment"] > 0
    assert drv.selected_option(session) == "ship_standard"


def test_address_added_later_then_option_changed_recomputes_totals(drv):
    session = drv.create([("item_mug", 1)])
    session = drv.set_address(session["id"], ADDRESS)
    assert session["status"] == "ready_for_payment"
    before = {t["type"]: t["amount"] for t in session["totals"]}
    session = drv.update(session["id"], drv.select_body(session, "ship_express"))
    after = {t["type"]: t["amount"] for t in session["totals"]}
    assert drv.selected_option(session) == "ship_express"
    assert after["fulfillment"] > before["fulfillment"] and after["total"] > before["total"]


def test_invalid_address_is_a_message_not_an_error(drv):
    from .appsupport import BAD_ADDRESS

    session = drv.create([("item_mug", 1)], BAD_ADDRESS)
    assert session["status"] == "not_ready_for_payment"
    params = [p for _, p in _codes(session)]
    assert f"{drv.address_param}.state" in params and f"{drv.address_param}.postal_code" in params


def test_out_of_stock_item_keeps_the_session_not_ready(drv):
    session = drv.create([("item_sold_out", 1)], ADDRESS)
    assert session["status"] == "not_ready_for_payment"
    assert ("out_of_stock", "$.line_items[0]") in _codes(session)


def test_unknown_item_is_a_flat_400_with_param(drv):
    with pytest.raises(ACPClientError) as caught:
        drv.client.create_checkout_session(drv.create_body([("no_such_item", 1)], None))
    assert caught.value.status == 400
    body = caught.value.body
    assert set(body) <= {"type", "code", "message", "param"} and body["type"] == "invalid_request"
    assert body["param"] in ("$.items[0].id", "$.line_items[0].id")


def _headers(drv):
    return {"Authorization": f"Bearer {API_KEY}", "API-Version": drv.version, "Idempotency-Key": "k-" + drv.version}


def test_missing_required_field_raw(drv):
    body = drv.create_body([("item_mug", 1)], None)
    field = "items" if drv.version == "2025-09-29" else "line_items"
    body.pop(field)
    response = httpx.post(f"{drv.base_url}/checkout_sessions", json=body,
                          headers={**_headers(drv), "Idempotency-Key": f"missing-{drv.version}"})
    assert response.status_code == 400
    assert response.json() == {"type": "invalid_request", "code": "missing", "message": f"$.{field} is required",
                               "param": f"$.{field}"}


def test_get_unknown_session_is_404(drv):
    with pytest.raises(ACPClientError) as caught:
        drv.client.get_checkout_session("cs_does_not_exist")
    assert caught.value.status == 404 and caught.value.body["code"] == "not_found"


def test_completion_creates_an_order_the_merchant_keeps(drv, shared_merchant):
    done = drv.pay()
    assert done["status"] == "completed"
    order = done["order"]
    assert order["checkout_session_id"] == done["id"] and order["id"].startswith("ord_")
    assert drv.client.last_response.status_code == 200
    kept = shared_merchant[0].core.orders.get(order["id"])
    assert kept.checkout_session_id == done["id"]
    page = httpx.get(order["permalink_url"])
    assert page.status_code == 200 and order["id"] in page.text
    assert drv.get(done["id"])["status"] == "completed"


def test_declined_card_leaves_the_session_payable_and_says_why(drv):
    session = drv.create([("item_tshirt", 1)], ADDRESS)
    token = drv.delegate(session, DECLINE)
    with pytest.raises(ACPClientError) as caught:
        drv.client.complete_checkout_session(session["id"], drv.complete_body(token))
    assert caught.value.status == 402
    assert caught.value.body["code"] == "payment_declined" and "declined" in caught.value.body["message"]
    again = drv.get(session["id"])
    assert again["status"] == "ready_for_payment"
    assert ("payment_declined", drv.token_param) in _codes(again)
    # a good card afterwards still pays
    assert drv.complete(session["id"], drv.delegate(again))["status"] == "completed"


def test_completed_or_canceled_sessions_refuse_completion_and_cancel(drv):
    done = drv.pay()
    for call in (lambda: drv.client.cancel_checkout_session(done["id"]),
                 lambda: drv.client.complete_checkout_session(done["id"], drv.complete_body("vt_x"))):
        with pytest.raises(ACPClientError) as caught:
            call()
        assert caught.value.status == 405 and caught.value.body["code"] == "session_completed"
    session = drv.create([("item_mug", 1)], ADDRESS)
    assert drv.cancel(session["id"])["status"] == "canceled"
    with pytest.raises(ACPClientError) as caught:
        drv.client.complete_checkout_session(session["id"], drv.complete_body(drv.delegate(session)))
    assert caught.value.status == 405 and caught.value.body["code"] == "session_canceled"


def test_completing_a_session_that_is_not_ready_is_400(drv):
    session = drv.create([("item_tshirt", 1)])
    with pytest.raises(ACPClientError) as caught:
        drv.client.complete_checkout_session(session["id"], drv.complete_body("vt_unused"))
    assert caught.value.status == 400
    assert caught.value.body["param"] == drv.address_param


def test_legal_links_are_present_and_served_as_html(drv):
    session = drv.create([("item_ebook", 1)])
    links = {link["type"]: link["url"] for link in session["links"]}
    assert {"terms_of_use", "privacy_policy"} <= set(links)
    extra = "seller_shop_policies" if drv.version == "2025-09-29" else "return_policy"
    assert extra in links
    for url in links.values():
        page = httpx.get(url)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "<h1>" in page.text


@pytest.mark.parametrize("version", [None, "2025-01-01"])
def test_missing_or_unsupported_api_version_is_400(shared_merchant, version):
    headers = {"Authorization": f"Bearer {API_KEY}", "Idempotency-Key": "v-check"}
    if version:
        headers["API-Version"] = version
    response = httpx.post(f"{shared_merchant[1]}/checkout_sessions", json={"items": []}, headers=headers)
    assert response.status_code == 400
    assert response.json()["supported_versions"] == list(VERSIONS)


def test_one_process_serves_both_versions_from_one_core(shared_merchant):
    from .appsupport import driver

    old, new = driver(shared_merchant[1], VERSIONS[0]), driver(shared_merchant[1], VERSIONS[1])
    created = new.create([("item_ebook", 1)])
    assert old.get(created["id"])["id"] == created["id"]  # same core, other version's shape
    health = httpx.get(f"{shared_merchant[1]}/healthz").json()
    assert health == {"status": "ok", "versions": list(VERSIONS)}


def test_unauthenticated_requests_are_401(shared_merchant):
    response = httpx.get(f"{shared_merchant[1]}/checkout_sessions/cs_x", headers={"API-Version": VERSIONS[0]})
    assert response.status_code == 401 and response.json()["type"] == "unauthorized"
