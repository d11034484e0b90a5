"""Without Zoom's document the fake still routes and reads requests, from a summary that matches the document."""

from __future__ import annotations

import httpx
from classbot_fakes.zoom import FakeZoom, load_essentials, load_spec
from classbot_fakes.zoom.app import HANDLERS
from classbot_fakes.zoom.spec import Operation


def _shape(operation: Operation) -> tuple[object, ...]:
    parameters = sorted(
        (p.name, p.location, p.required, str(p.schema.get("type", "string"))) for p in operation.parameters
    )
    return (
        operation.operation_id,
        operation.rate_limit_label,
        operation.body_schema is not None,
        operation.body_required,
        parameters,
    )


def test_the_summary_has_every_implemented_operation_as_the_document_describes_it() -> None:
    document, essentials = load_spec(), load_essentials()
    summarised = essentials.operations()

    assert sorted(op.operation_id for op in summarised) == sorted(HANDLERS)
    for operation in summarised:
        described = document.operation(operation.method, operation.template)
        assert _shape(operation) == _shape(described), f"{operation.method} {operation.template}"


def test_without_the_document_meetings_are_created_and_nothing_is_checked() -> None:
    with FakeZoom(validate=False) as zoom:
        teacher = zoom.add_user(email="ann@example.com")
        token = zoom.issue_tokens(teacher)["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=zoom.api_url, headers=headers, timeout=10) as api:
            created = api.post("/users/me/meetings", json={"topic": "Chess", "type": 2, "agenda": 7})
            fetched = api.get(f"/meetings/{created.json()['id']}")

    assert created.status_code == 201  # an integer agenda: the document would have refused it
    assert fetched.json()["topic"] == "Chess"


def test_with_the_document_the_same_request_is_refused(fake_zoom: FakeZoom) -> None:
    teacher = fake_zoom.add_user(email="ann@example.com")
    token = fake_zoom.issue_tokens(teacher)["access_token"]
    with httpx.Client(base_url=fake_zoom.api_url, headers={"Authorization": f"Bearer {token}"}, timeout=10) as api:
        refused = api.post("/users/me/meetings", json={"topic": "Chess", "type": 2, "agenda": 7})

    assert refused.status_code == 400
    assert refused.json()["errors"] == [{"field": "agenda", "message": "Invalid field."}]
