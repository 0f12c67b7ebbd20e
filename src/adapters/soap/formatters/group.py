"""ProvisionGroup formatters (docs/soap.md#formatters). The handler computes ``status``
(Active/Archived).

Collect and S2S send ``CollectionGroupParentId`` as the parent id or 0, and 0 renders as an
empty element (docs/original-bugs.md#item-15): kept, consumers read "empty" as "no parent".
"""

from adapters.soap.body import Tree
from adapters.soap.envelope import FormattedBody
from adapters.soap.formatters.dialects import COLLECT, DEFAULT, S2S
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
    return DEFAULT.body(tree)


def collect_group(action: str, fields: FieldReader) -> FormattedBody:
    return COLLECT.body(_collection_group(action, fields))


def s2s_group(action: str, fields: FieldReader) -> FormattedBody:
    return S2S.body(_collection_group(action, fields))


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
