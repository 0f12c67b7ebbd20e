"""Test data shaped like the platform APIs' answers (docs/platform-apis.md#original-calls)."""

from typing import Any

from domain.model import JobContext

CONTEXT = JobContext(queue="sync-test", job_id="1")

COLLECT_APP = "6A9C1E3B-0000-4000-8000-00000000C011"
S2S_APP = "6a9c1e3b-0000-4000-8000-000000000525"
UNSUBSCRIBED_APP = "6a9c1e3b-0000-4000-8000-0000000000ff"


def service(
    service_id: str,
    *,
    name: str = "A service",
    parent_id: str | None = None,
    wsdl: str | None = "https://legacy.example/svc?wsdl",
    **params: Any,
) -> dict[str, Any]:
    """A ``GET /services`` entry; ``params`` become ``relyingParty.params``."""
    all_params = dict(params)
    if wsdl is not None:
        all_params["wsWsdlUrl"] = wsdl
    return {
        "id": service_id,
        "name": name,
        "parentId": parent_id,
        "relyingParty": {"client_id": f"client-{service_id[-4:]}", "params": all_params},
    }


def subscribed_services(flag: str) -> list[dict[str, Any]]:
    """One COLLECT and one S2S application subscribed to ``flag``, one not subscribed."""
    return [
        service(
            COLLECT_APP,
            name="Collect",
            **{flag: "true", "wsProvisionUserFormatterType": "collect"},
        ),
        service(UNSUBSCRIBED_APP, name="Not subscribed", **{flag: "false"}),
        service(
            S2S_APP,
            name="S2S",
            **{flag: "true", "wsProvisionOrganisationFormatterType": "s2s"},
        ),
    ]
