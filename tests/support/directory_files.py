"""HSDS 3.0 records to import, built in tests: the smallest valid organization and service,
with whatever a test adds, and files holding them."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any


def new_id() -> str:
    return str(uuid.uuid4())


def organization(name: str = "Riverside Tenants", **fields: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "name": name,
        "description": f"{name}: a test organisation.",
        "email": f"referrals@{uuid.uuid4().hex[:8]}.example.org",
        **fields,
    }


def service(name: str = "Debt advice", **fields: Any) -> dict[str, Any]:
    return {"id": new_id(), "name": name, "status": "active", **fields}


def with_services(org: dict[str, Any], *services: dict[str, Any]) -> dict[str, Any]:
    return {**org, "services": list(services)}


def write(folder: Path, data: Any, name: str = "directory.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def import_records(app: Any, folder: Path, data: Any, **options: Any) -> Any:
    """Import the records through the importer, as `directory import` does."""
    from passport.directory import importer

    with app.app_context():
        return importer.import_file(write(folder, data), **options)
