"""The target of a generated conformance test: where to send cases and how."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import schemathesis


@dataclass
class Target:
    base_url: str
    token: str | None = None

    def load_schema(self, path: Path) -> Any:
        schema = schemathesis.openapi.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
        schema.config.update(base_url=self.base_url) if hasattr(schema.config, "update") else None
        return schema

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def call_and_validate(self, case: Any) -> Any:
        return case.call_and_validate(base_url=self.base_url.rstrip("/"), headers=self.headers())
