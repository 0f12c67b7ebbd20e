"""The platform APIs' JSON records mapped onto the domain's directory types, and back for the
invitations this service writes (fields: docs/platform-apis.md#original-calls).

One mapping for the HTTP adapter and the in-memory fake (which holds what the APIs would
answer), so both give the use cases the same values. Tolerant as the original was: a field of
the wrong shape reads as absent, a list entry that cannot be read is left out. A field the API
left out stays absent (``DirectoryRecord.is_present``), a ``null`` stays ``None``, and a value
only passed on keeps its JSON type.
"""

from collections.abc import Mapping
from typing import Any

from domain import directory
from domain.errors import UpstreamRejected
from domain.model import Application, JsonObject


def _present(raw: JsonObject, fields: Mapping[str, str]) -> dict[str, Any]:
    """``{domain field: raw[json key]}`` for each ``{domain field: json key}`` the record has."""
    return {name: raw[key] for name, key in fields.items() if key in raw}


def _object(value: Any) -> JsonObject:
    return value if isinstance(value, Mapping) else {}


def _objects(value: Any) -> list[JsonObject]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


_USER_FIELDS = {
    "first_name": "given_name",
    "last_name": "family_name",
    "email": "email",
    "status": "status",
}


def user_or_none(raw: JsonObject) -> directory.DirectoryUser | None:
    """A directories API user; ``None`` without a ``sub`` (it could not be told apart)."""
    sub = raw.get("sub")
    if not isinstance(sub, str) or not sub:
        return None
    return directory.DirectoryUser(id=sub, **_present(raw, _USER_FIELDS))


def user(raw: JsonObject) -> directory.DirectoryUser:
    """One user the API found: without a ``sub`` it is a broken answer, refused."""
    found = user_or_none(raw)
    if found is None:
        raise UpstreamRejected("directories API returned a user without 'sub'")
    return found


def users(raw: list[Any]) -> list[directory.DirectoryUser]:
    """The users of a list answer that can be read, in order."""
    return [found for item in _objects(raw) if (found := user_or_none(item)) is not None]


def organisation(raw: JsonObject) -> directory.DirectoryOrganisation:
    """An organisations API organisation (``category.id`` and ``localAuthority.code`` inlined)."""
    fields = _present(
        raw,
        {
            "name": "name",
            "urn": "urn",
            "uid": "uid",
            "legacy_id": "legacyId",
            "establishment_number": "establishmentNumber",
        },
    )
    if isinstance(raw.get("id"), str):
        fields["id"] = raw["id"]
    fields |= _present(_object(raw.get("category")), {"category_id": "id"})
    fields |= _present(_object(raw.get("localAuthority")), {"local_authority_code": "code"})
    return directory.DirectoryOrganisation(**fields)


def memberships(raw: list[Any]) -> list[directory.Membership]:
    """``associated-with-user`` entries: the organisation and the user's legacy identity."""
    return [
        directory.Membership(
            organisation=organisation(_object(entry.get("organisation"))),
            **_present(
                entry, {"legacy_user_id": "numericIdentifier", "legacy_username": "textIdentifier"}
            ),
        )
        for entry in _objects(raw)
    ]


def service_access(raw: list[Any]) -> list[directory.ServiceAccess]:
    """The access API's entries; one without an organisation id grants nothing to push."""
    return [
        directory.ServiceAccess(
            service_id=entry["serviceId"] if isinstance(entry.get("serviceId"), str) else None,
            organisation_id=entry["organisationId"],
            roles=tuple(
                directory.RoleReference(
                    **_present(role, {"numeric_id": "numericId", "code": "code"})
                )
                for role in _objects(entry.get("roles"))
            ),
        )
        for entry in _objects(raw)
        if isinstance(entry.get("organisationId"), str)
    ]


def organisation_request(raw: JsonObject) -> directory.OrganisationRequest:
    """``org_id`` and ``user_id`` (``None`` when missing or empty) and the ``reason`` text."""
    reason = raw.get("reason")
    return directory.OrganisationRequest(
        organisation_id=str(raw["org_id"]) if raw.get("org_id") else None,
        user_id=str(raw["user_id"]) if raw.get("user_id") else None,
        reason=None if reason is None else str(reason),
    )


def application_or_none(raw: JsonObject) -> Application | None:
    """An applications API service; ``None`` without a string ``id``. Only text parameters are
    kept (subscription flags are the text ``"true"``)."""
    service_id = raw.get("id")
    if not isinstance(service_id, str):
        return None
    relying_party = _object(raw.get("relyingParty"))
    params = _object(relying_party.get("params"))
    name, parent_id, secret = raw.get("name"), raw.get("parentId"), relying_party.get("api_secret")
    return Application(
        id=service_id,
        name=name if isinstance(name, str) else "",
        parent_id=parent_id if isinstance(parent_id, str) else None,
        params={key: value for key, value in params.items() if isinstance(value, str)},
        api_secret=str(secret) if secret else None,
    )


def application(raw: JsonObject) -> Application:
    """One service the API found: without an ``id`` it is a broken answer, refused."""
    found = application_or_none(raw)
    if found is None:
        raise UpstreamRejected("applications API returned a service without 'id'")
    return found


def applications(raw: list[Any]) -> list[Application]:
    """The services of a list answer that have an id, in order."""
    return [found for item in _objects(raw) if (found := application_or_none(item)) is not None]


_CALLBACK_FIELDS = {"source_id": "sourceId", "callback": "callback", "client_id": "clientId"}


def invitation(raw: JsonObject) -> directory.Invitation:
    """A directories API invitation: its id (required) and the callbacks stored on it."""
    if not raw.get("id"):
        raise UpstreamRejected("directories API returned a invitation without 'id'")
    callbacks = tuple(
        directory.InvitationCallback(
            **_present(entry, _CALLBACK_FIELDS),
            kept={k: v for k, v in entry.items() if k not in _CALLBACK_FIELDS.values()},
        )
        for entry in _objects(raw.get("callbacks"))
    )
    return directory.Invitation(id=str(raw["id"]), callbacks=callbacks)


def callback_json(callback: directory.InvitationCallback) -> dict[str, Any]:
    """A callback as the directories API stores it: the properties it had, nothing added."""
    sent = {
        key: getattr(callback, name)
        for name, key in _CALLBACK_FIELDS.items()
        if callback.is_present(name)
    }
    return {**sent, **callback.kept}


def new_invitation_json(new: directory.NewInvitation) -> dict[str, Any]:
    """``POST /invitations``: properties left ``None`` are left out (``overrides`` keeps its
    two keys, ``null`` when unset)."""
    origin = _without_none({"clientId": new.client_id, "redirectUri": new.redirect_uri})
    return {
        **_without_none({"firstName": new.first_name, "lastName": new.last_name}),
        "email": new.email,
        **({"origin": origin} if origin else {}),
        "selfStarted": new.self_started,
        "callbacks": [callback_json(callback) for callback in new.callbacks],
        "overrides": {"subject": new.subject_override, "body": new.body_override},
    }


def _without_none(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}
