"""Run the checklist against one target and collect results and evidence."""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

import httpx

from acpforge import serving

from .context import Context
from .dialects import dialect as dialect_for
from .evidence import Exchange, Recorder
from .profile import Profile
from .receiver import PATH, Receiver
from .results import ItemResult, Skip
from .scenarios import SCENARIOS, Scenario


@dataclass
class Report:
    api_version: str
    target: str
    expect: str
    started_at: str
    items: list[ItemResult]
    exchanges: list[Exchange]
    duration_s: float = 0.0
    waived: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(i.status == "passed" for i in self.items if i.required)

    def summary(self) -> dict:
        return {
            "passed": self.passed,
            "api_version": self.api_version,
            "target": self.target,
            "expect": self.expect,
            "started_at": self.started_at,
            "duration_s": round(self.duration_s, 2),
            "waived": self.waived,
            "items": [i.to_json() for i in self.items],
        }


def _register_receiver(ctx: Context) -> None:
    hooks = ctx.profile.webhooks
    if hooks.register != "post":
        return
    url = ctx.profile.url(hooks.register_url)
    response = ctx.http.post(url, json={"url": ctx.receiver_url}, headers=hooks.register_headers)
    if response.status_code >= 300:
        raise RuntimeError(f"registering the webhook receiver at {url} failed: HTTP {response.status_code}")


def run(
    profile: Profile,
    *,
    expect: str = "either",
    only: tuple[str, ...] = (),
    skip: tuple[str, ...] = (),
    on_item: Callable[[ItemResult], None] | None = None,
    on_start: Callable[[Scenario], None] | None = None,
) -> Report:
    """Certify ``profile.base_url``; ``on_item`` is called as each item finishes (progress)."""
    started = time.perf_counter()
    recorder = Recorder(scenario="setup")
    ctx = Context(profile, dialect_for(profile.api_version), recorder, expect, verify=profile.tls.ca_bundle or True)
    receiver_server = None
    items: list[ItemResult] = []
    try:
        if profile.webhooks.secret:
            ctx.receiver = Receiver(ctx.dialect, profile.webhooks.secret, recorder)
            receiver_server = serving.start(ctx.receiver.app, profile.webhooks.receiver_host, profile.webhooks.receiver_port)
            ctx.receiver_url = (profile.webhooks.public_url or receiver_server.base_url) + PATH
            try:
                _register_receiver(ctx)
            except (RuntimeError, httpx.HTTPError) as exc:
                ctx.state["receiver_error"] = str(exc)
        for scenario in SCENARIOS:
            if (only and scenario.id not in only) or scenario.id in skip:
                continue
            item = ItemResult(scenario.id, scenario.title, scenario.section, scenario.required)
            if on_start:
                on_start(scenario)
            recorder.scenario = scenario.id
            began = time.perf_counter()
            try:
                if scenario.id == "order_events" and "receiver_error" in ctx.state:
                    item.check("webhook receiver registered with the merchant", False, ctx.state["receiver_error"])
                else:
                    scenario.run(ctx, item)
            except Skip as reason:
                if item.status != "failed":
                    item.status = "skipped"
                item.note(f"skipped: {reason}")
            except Exception as exc:  # noqa: BLE001 - a crash is a failed item with its reason
                frame = traceback.extract_tb(exc.__traceback__)[-1]
                item.check("scenario ran to completion", False, f"{type(exc).__name__}: {exc} (at {frame.name}:{frame.lineno})")
            item.duration_s = time.perf_counter() - began
            item.exchanges = recorder.indices(scenario.id)
            items.append(item)
            if on_item:
                on_item(item)
    finally:
        ctx.http.close()
        if receiver_server is not None:
            receiver_server.stop()
    return Report(
        api_version=profile.api_version,
        target=profile.base_url,
        expect=expect,
        started_at=datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        items=items,
        exchanges=recorder.exchanges,
        duration_s=time.perf_counter() - started,
        waived=list(skip),
    )
