"""ProvisionUser formatters (docs/soap.md#formatters, status mapping docs/soap.md#code-mappings).

Default maps status to ``Active``/``Archived``; Collect and S2S send the numeric status raw, so a
deactivated user (0) gets an empty element (docs/original-bugs.md#item-16): kept, because those
consumers were built against it. firstName/lastName are sent by Collect only; roles by Default and
Collect.
"""

from adapters.soap.body import Tree
from adapters.soap.envelope import FormattedBody
from adapters.soap.formatters.dialects import COLLECT, DEFAULT, S2S
from adapters.soap.formatters.fields import FieldReader, is_number

CAPGEMINI_COLLECT = (
    "http://schemas.datacontract.org/2004/07/Capgemini.DFE.ProvisioningSvcs.COLLECT.Common"
)


def default_user(action: str, fields: FieldReader) -> FormattedBody:
    status = "Active" if is_number(fields.scalar("wsAccountStatusCode"), 1) else "Archived"
    groups: list[Tree] = [
        {"SaUserGroup": {"id": role_id, "code": code}}
        for role_id, code in fields.roles("groupUpdates")
    ]
    tree: Tree = {
        "ProvisionUser": {
            "pur": {
                "saUserID": fields.scalar("saUserId"),
                "emailAddress": fields.scalar("emailAddress"),
                "organisationId": fields.scalar("organisationId"),
                "wsAccountStatusCode": status,
                "establishmentUrn": fields.scalar("establishmentUrn"),
                "groupUid": fields.scalar("organisationUid"),
                "localAuthorityCode": fields.scalar("localAuthorityCode"),
                "groups": groups,
                "action": action,
            }
        }
    }
    return DEFAULT.body(tree)


def collect_user(action: str, fields: FieldReader) -> FormattedBody:
    groups: list[Tree] = [
        {"cap:group": {"cap:codeField": code, "cap:idField": role_id}}
        for role_id, code in fields.roles("groupUpdates")
    ]
    tree: Tree = {
        "ProvisionUser": {
            "pur": {
                "Groups": {"cap:group": groups},
                "action": action,
                "emailAddress": fields.scalar("emailAddress"),
                "firstName": fields.scalar("firstName"),
                "lastName": fields.scalar("lastName"),
                "organisationId": fields.scalar("organisationId"),
                "userId": fields.scalar("saUserId"),
                "userName": fields.scalar("saUsername"),
                "wsAccountStatusCode": fields.scalar("wsAccountStatusCode"),
            }
        }
    }
    return COLLECT.body(tree, ("cap", CAPGEMINI_COLLECT))


def s2s_user(action: str, fields: FieldReader) -> FormattedBody:
    tree: Tree = {
        "ProvisionUser": {
            "pur": {
                "action": action,
                "emailAddress": fields.scalar("emailAddress"),
                "organisationId": fields.scalar("organisationId"),
                "userId": fields.scalar("saUserId"),
                "userName": fields.scalar("saUsername"),
                "wsAccountStatusCode": fields.scalar("wsAccountStatusCode"),
            }
        }
    }
    return S2S.body(tree)
