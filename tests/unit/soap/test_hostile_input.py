"""Hostile and edge-case values: escaping, unicode, absent vs null, falsy quirks, bad shapes."""

import pytest

from adapters.soap.body import ABSENT, render_tree
from domain.errors import InvalidPayload
from tests.unit.soap.golden import render

USER = {
    "saUserId": 1,
    "saUsername": "u",
    "firstName": "Fn",
    "lastName": "Ln",
    "emailAddress": "a@b.com",
    "organisationId": 2,
    "wsAccountStatusCode": 1,
    "groupUpdates": [],
}


def body_of(envelope: str) -> str:
    return envelope.split("<soapenv:Body>", 1)[1].split("</soapenv:Body>", 1)[0]


def test_markup_quotes_and_unicode_are_escaped_not_interpreted() -> None:
    fields = {**USER, "firstName": "Zoë </ws:firstName><x> & \"'", "lastName": "李 🚀"}
    body = body_of(render("collect", "ProvisionUser", "CREATE", fields))
    assert (
        "<ws:firstName>Zoë &lt;/ws:firstName&gt;&lt;x&gt; &amp; &quot;&apos;</ws:firstName>" in body
    )
    assert "<ws:lastName>李 🚀</ws:lastName>" in body


def test_characters_xml_cannot_carry_are_dropped() -> None:
    fields = {**USER, "firstName": "A\x00B\x1bC\ud800D\tE"}
    body = body_of(render("collect", "ProvisionUser", "CREATE", fields))
    assert "<ws:firstName>ABCD\tE</ws:firstName>" in body


def test_absent_is_omitted_and_null_is_nil_where_supported() -> None:
    s2s = body_of(render("s2s", "ProvisionUser", "CREATE", {**USER, "saUsername": None}))
    assert '<ws:userName xsi:nil="true" />' in s2s
    without = {k: v for k, v in USER.items() if k != "saUsername"}
    assert "userName" not in body_of(render("s2s", "ProvisionUser", "CREATE", without))
    collect = body_of(render("collect", "ProvisionUser", "CREATE", {**USER, "saUsername": None}))
    assert "userName" not in collect


def test_falsy_values_render_as_empty_elements() -> None:
    fields = {**USER, "organisationId": 0, "saUserId": False, "saUsername": ""}
    body = body_of(render("s2s", "ProvisionUser", "CREATE", fields))
    assert "<ws:organisationId></ws:organisationId>" in body
    assert "<ws:userId></ws:userId><ws:userName></ws:userName>" in body


def test_numbers_print_like_javascript() -> None:
    assert render_tree({"a": 1.0, "b": 2.5, "c": True, "d": -3}, supports_nil=True) == (
        "<ws:a>1</ws:a><ws:b>2.5</ws:b><ws:c>true</ws:c><ws:d>-3</ws:d>"
    )


def test_absent_values_in_a_tree_are_skipped() -> None:
    assert render_tree({"a": ABSENT, "b": None}, supports_nil=False) == ""


@pytest.mark.parametrize(
    ("status", "expected"),
    [(1, "Active"), (1.0, "Active"), (0, "Archived"), ("1", "Archived"), (True, "Archived")],
)
def test_default_user_status_is_active_only_for_the_number_one(
    status: object, expected: str
) -> None:
    body = body_of(
        render("default", "ProvisionUser", "CREATE", {**USER, "wsAccountStatusCode": status})
    )
    assert f"<ws:wsAccountStatusCode>{expected}</ws:wsAccountStatusCode>" in body


def test_default_user_status_absent_is_archived() -> None:
    fields = {k: v for k, v in USER.items() if k != "wsAccountStatusCode"}
    body = body_of(render("default", "ProvisionUser", "CREATE", fields))
    assert "<ws:wsAccountStatusCode>Archived</ws:wsAccountStatusCode>" in body


@pytest.mark.parametrize("formatter", ["collect", "s2s"])
def test_collect_and_s2s_send_user_status_raw(formatter: str) -> None:
    active = body_of(render(formatter, "ProvisionUser", "CREATE", USER))
    assert "<ws:wsAccountStatusCode>1</ws:wsAccountStatusCode>" in active
    deactivated = {**USER, "wsAccountStatusCode": 0}
    body = body_of(render(formatter, "ProvisionUser", "CREATE", deactivated))
    assert "<ws:wsAccountStatusCode></ws:wsAccountStatusCode>" in body


def test_empty_role_list_gives_an_empty_groups_element() -> None:
    body = body_of(render("default", "ProvisionUser", "CREATE", USER))
    assert "<ws:groups></ws:groups>" in body


def test_collect_roles_nest_inside_one_wrapper() -> None:
    fields = {**USER, "groupUpdates": [{"id": 1, "code": "A"}, {"id": 2, "code": None}]}
    body = body_of(render("collect", "ProvisionUser", "CREATE", fields))
    assert (
        "<ws:Groups><cap:group><cap:group><cap:codeField>A</cap:codeField>"
        "<cap:idField>1</cap:idField></cap:group><cap:group><cap:idField>2</cap:idField>"
        "</cap:group></cap:group></ws:Groups>"
    ) in body


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (1, "<ws:wsOrganisationStatusCode>OPEN</ws:wsOrganisationStatusCode>"),
        (2, "<ws:wsOrganisationStatusCode>CLOSED</ws:wsOrganisationStatusCode>"),
        (3, "<ws:wsOrganisationStatusCode>CLOSED_BUT_ACTIVE</ws:wsOrganisationStatusCode>"),
        (4, "<ws:wsOrganisationStatusCode>PROPOSED_TO_OPEN</ws:wsOrganisationStatusCode>"),
        (5, '<ws:wsOrganisationStatusCode xsi:nil="true" />'),
        ("1", '<ws:wsOrganisationStatusCode xsi:nil="true" />'),
        (None, '<ws:wsOrganisationStatusCode xsi:nil="true" />'),
    ],
)
def test_default_organisation_status_codes(status: object, expected: str) -> None:
    body = body_of(
        render("default", "ProvisionOrganisation", "CREATE", {"wsOrganisationStatusCode": status})
    )
    assert expected in body


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (3, "<ws:wsOrganisationStatusCode>1</ws:wsOrganisationStatusCode>"),
        ("3", "<ws:wsOrganisationStatusCode>1</ws:wsOrganisationStatusCode>"),
        (0, "<ws:wsOrganisationStatusCode></ws:wsOrganisationStatusCode>"),
        (9, "<ws:wsOrganisationStatusCode>9</ws:wsOrganisationStatusCode>"),
    ],
)
@pytest.mark.parametrize("formatter", ["collect", "s2s"])
def test_collect_and_s2s_send_three_as_one(formatter: str, status: object, expected: str) -> None:
    fields = {"wsOrganisationStatusCode": status}
    assert expected in body_of(render(formatter, "ProvisionOrganisation", "CREATE", fields))


def test_s2s_organisation_defaults_for_missing_values() -> None:
    fields = {"organisationId": 0, "regionCode": None, "wsOrganisationStatusCode": None}
    body = body_of(render("s2s", "ProvisionOrganisation", "CREATE", fields))
    assert "<ws:organisationId> </ws:organisationId>" in body
    assert "<ws:regionCode>E</ws:regionCode>" in body
    assert "<ws:establishmentNumber></ws:establishmentNumber>" in body
    assert '<ws:wsOrganisationStatusCode xsi:nil="true" />' in body


def test_collect_organisation_omits_null_name_and_id() -> None:
    fields = {"organisationId": None, "organisationName": None}
    body = body_of(render("collect", "ProvisionOrganisation", "CREATE", fields))
    assert "organisationId" not in body
    assert "organisationName" not in body
    assert "wsOrganisationStatusCode" not in body
    assert "<ws:establishmentUrn></ws:establishmentUrn>" in body


@pytest.mark.parametrize("formatter", ["collect", "s2s"])
def test_collection_group_parent_zero_or_null_is_empty(formatter: str) -> None:
    for parent in (0, None):
        fields = {"id": 0, "code": "C", "name": "N", "status": "Archived", "parentId": parent}
        body = body_of(render(formatter, "ProvisionGroup", "CREATE", fields))
        assert "<ws:CollectionGroupParentId></ws:CollectionGroupParentId>" in body
        assert "<ws:collectionGroupId></ws:collectionGroupId>" in body


@pytest.mark.parametrize("formatter", ["default", "collect"])
@pytest.mark.parametrize("roles", [None, "ROLE", [["id", 1]]])
def test_roles_must_be_a_list_of_objects(formatter: str, roles: object) -> None:
    with pytest.raises(InvalidPayload, match="groupUpdates"):
        render(formatter, "ProvisionUser", "CREATE", {**USER, "groupUpdates": roles})


def test_roles_absent_fail_rather_than_strip_every_role() -> None:
    fields = {k: v for k, v in USER.items() if k != "groupUpdates"}
    with pytest.raises(InvalidPayload, match="groupUpdates"):
        render("default", "ProvisionUser", "CREATE", fields)


def test_nested_values_are_refused_without_echoing_them() -> None:
    fields = {**USER, "firstName": {"<evil>": "x@y.com"}}
    with pytest.raises(InvalidPayload, match="'firstName'") as caught:
        render("collect", "ProvisionUser", "CREATE", fields)
    assert "evil" not in str(caught.value)
    assert "x@y.com" not in str(caught.value)


def test_unknown_field_names_fail_naming_them() -> None:
    with pytest.raises(InvalidPayload, match="orgName"):
        render("default", "ProvisionOrganisation", "CREATE", {"orgName": "x"})
