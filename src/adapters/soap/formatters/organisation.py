"""ProvisionOrganisation formatters (docs/soap.md#formatters, status mapping
docs/soap.md#code-mappings).

Kept as the consumers know them: Default maps DSI status 3 to ``CLOSED_BUT_ACTIVE`` while
Collect/S2S map it to 1 (docs/original-bugs.md#item-18, owners to confirm); S2S sends a single
space for a falsy organisation id and region ``E`` when none is known
(docs/original-bugs.md#item-19).
"""

from adapters.soap.body import Tree
from adapters.soap.envelope import FormattedBody
from adapters.soap.formatters.dialects import COLLECT, DEFAULT, S2S
from adapters.soap.formatters.fields import Field, FieldReader, is_number, loosely_equals

DEFAULT_STATUS_TEXT = {1: "OPEN", 2: "CLOSED", 3: "CLOSED_BUT_ACTIVE", 4: "PROPOSED_TO_OPEN"}


def default_organisation(action: str, fields: FieldReader) -> FormattedBody:
    status = fields.scalar("wsOrganisationStatusCode")
    status_text = next(
        (text for code, text in DEFAULT_STATUS_TEXT.items() if is_number(status, code)), None
    )
    tree: Tree = {
        "ProvisionOrganisation": {
            "por": {
                "action": action,
                "establishmentUrn": fields.scalar("establishmentUrn"),
                "groupUid": fields.scalar("groupUid"),
                "organisationId": fields.scalar("organisationId"),
                "organisationName": fields.scalar("organisationName"),
                "localAuthorityCode": fields.scalar("localAuthorityCode"),
                "wsOrganisationStatusCode": status_text,
                "organisationTypeCode": fields.scalar("organisationTypeCode"),
            }
        }
    }
    return DEFAULT.body(tree)


def collect_organisation(action: str, fields: FieldReader) -> FormattedBody:
    tree: Tree = {
        "ProvisionOrganisation": {
            "por": {
                "action": action,
                "establishmentDfeNumber": fields.text("establishmentDfeNumber"),
                "establishmentUrn": fields.text("establishmentUrn"),
                "localAuthorityCode": fields.text("localAuthorityCode"),
                "orgEdubaseTypeCode": fields.text("orgEdubaseTypeCode"),
                "organisationId": fields.scalar("organisationId"),
                "organisationName": fields.scalar("organisationName"),
                "organisationTypeCode": fields.text("organisationTypeCode"),
                "wsOrganisationStatusCode": _three_is_open(fields),
            }
        }
    }
    return COLLECT.body(tree)


def s2s_organisation(action: str, fields: FieldReader) -> FormattedBody:
    tree: Tree = {
        "ProvisionOrganisation": {
            "por": {
                "action": action,
                "establishmentNumber": fields.text("establishmentNumber"),
                "localAuthorityCode": fields.text("localAuthorityCode"),
                "localAuthorityName": fields.text("localAuthorityName"),
                "organisationId": fields.scalar("organisationId") or " ",
                "organisationName": fields.text("organisationName"),
                "organisationTypeCode": fields.text("organisationTypeCode"),
                "regionCode": fields.scalar("regionCode") or "E",
                "telephoneNumber": fields.text("telephoneNumber"),
                "typeOfEstablishmentCode": fields.text("orgEdubaseTypeCode"),
                "wsOrganisationStatusCode": _three_is_open(fields),
            }
        }
    }
    return S2S.body(tree)


def _three_is_open(fields: FieldReader) -> Field:
    """Collect/S2S: DSI status 3 ("proposed to close", number or text) is sent as 1."""
    status = fields.scalar("wsOrganisationStatusCode")
    return 1 if loosely_equals(status, 3) else status
