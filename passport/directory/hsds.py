"""HSDS 3.0 documents in and out: validating, projecting into rows, nesting for the API.

(Issue 9: the import helper fills this in. `nested_service` and `organisation_document`
are the shapes the API and the export share.)
"""

from __future__ import annotations

from typing import Any

from passport.directory.models import Organisation, Service


def organisation_document(organisation: Organisation) -> dict[str, Any]:
    """The HSDS organization as published, without its services."""
    return dict(organisation.document or {})


def nested_service(service: Service) -> dict[str, Any]:
    """The fully nested HSDS service (compiled/service.json), with its organization."""
    document = dict(service.document or {})
    document["organization"] = organisation_document(service.organisation)
    return document
