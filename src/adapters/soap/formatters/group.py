"""ProvisionGroup formatters (catalogue §3.7). The handler computes ``status`` (Active/Archived).

Collect and S2S send ``CollectionGroupParentId`` as the parent id or 0, and 0 renders as an
empty element (§6 item 15): kept, consumers read "empty" as "no parent".
"""

from adapters.soap.body import Tree
from adapters.soap.envelope import SOAP_11, SOAP_12, FormattedBody
from adapters.soap.formatters.fields import FieldReader


def default_group(action: str, fields: FieldReader) -> FormattedBody:
    tree: Tree = {
        "ProvisionGroup": {
            "pgr": {
                "id": fields.scalar("id"),
                "code": fields.scalar("code"),
                "name": fields.scalar("name"),
                "status": fields.scalar("status"),
                "parentId": fields.scalar("parentId"),
                "parentCode": fields.scalar("parentCode"),
                "action": action,
            }
        }
    }
    return FormattedBody(tree, SOAP_11, supports_nil=True, content_type="text/xml;charset=UTF-8")


def collect_group(action: str, fields: FieldReader) -> FormattedBody:
    return FormattedBody(
        _collection_group(action, fields),
        SOAP_12,
        supports_nil=False,
        content_type="application/soap+xml; charset=utf-8",
    )


def s2s_group(action: str, fields: FieldReader) -> FormattedBody:
    return FormattedBody(
        _collection_group(action, fields),
        SOAP_11,
        supports_nil=True,
        content_type="text/xml; charset=utf-8",
    )


def _collection_group(action: str, fields: FieldReader) -> Tree:
    return {
        "ProvisionCollectionGroup": {
            "pcg": {
                "CollectionGroupParentId": fields.scalar("parentId") or 0,
                "action": action,
                "collectionGroupCode": fields.scalar("code"),
                "collectionGroupDescription": "",
                "collectionGroupId": fields.scalar("id"),
                "collectionGroupName": fields.scalar("name"),
                "wsCollectionGroupStatusCode": fields.scalar("status"),
            }
        }
    }
