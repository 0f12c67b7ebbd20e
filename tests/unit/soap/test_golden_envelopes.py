"""The nine formatters, byte for byte (docs/soap.md#golden). The first four expected strings are
the original's own output (envelope parts as docs/soap.md#envelope gives them); the rest follow
the element trees of docs/soap.md#formatters."""

from adapters.soap.envelope import Addressing, UsernameToken
from tests.unit.soap.golden import render

SOAP11_HEAD = (
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"'
    ' xmlns:ws="http://tns.example/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
)
SOAP12_HEAD = (
    '<soapenv:Envelope xmlns:soapenv="http://www.w3.org/2003/05/soap-envelope"'
    ' xmlns:ws="http://tns.example/">'
)

ORIGINAL_DEFAULT_USER = '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ws="http://tns.example/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><ws:ProvisionUser><ws:pur><ws:saUserID>98765</ws:saUserID><ws:emailAddress>a@b.com</ws:emailAddress><ws:organisationId>4567</ws:organisationId><ws:wsAccountStatusCode>Active</ws:wsAccountStatusCode><ws:establishmentUrn>100001</ws:establishmentUrn><ws:groupUid xsi:nil="true" /><ws:localAuthorityCode></ws:localAuthorityCode><ws:groups><ws:SaUserGroup><ws:id>123</ws:id><ws:code>ROLE_A</ws:code></ws:SaUserGroup><ws:SaUserGroup><ws:id></ws:id><ws:code>R&amp;&lt;&gt;&quot;&apos;</ws:code></ws:SaUserGroup></ws:groups><ws:action>CREATE</ws:action></ws:pur></ws:ProvisionUser></soapenv:Body></soapenv:Envelope>'  # noqa: E501
ORIGINAL_COLLECT_USER = '<soapenv:Envelope xmlns:soapenv="http://www.w3.org/2003/05/soap-envelope" xmlns:ws="http://tns.example/" xmlns:cap="http://schemas.datacontract.org/2004/07/Capgemini.DFE.ProvisioningSvcs.COLLECT.Common"><soapenv:Body><ws:ProvisionUser><ws:pur><ws:Groups><cap:group></cap:group></ws:Groups><ws:action>UPDATE</ws:action><ws:emailAddress>a@b.com</ws:emailAddress><ws:firstName>Fn</ws:firstName><ws:lastName>Ln</ws:lastName><ws:organisationId>4567</ws:organisationId><ws:wsAccountStatusCode></ws:wsAccountStatusCode></ws:pur></ws:ProvisionUser></soapenv:Body></soapenv:Envelope>'  # noqa: E501
ORIGINAL_COLLECT_GROUP_BODY = "<soapenv:Body><ws:ProvisionCollectionGroup><ws:pcg><ws:CollectionGroupParentId></ws:CollectionGroupParentId><ws:action>CREATE</ws:action><ws:collectionGroupCode>CODE</ws:collectionGroupCode><ws:collectionGroupDescription></ws:collectionGroupDescription><ws:collectionGroupId>55</ws:collectionGroupId><ws:collectionGroupName>Name</ws:collectionGroupName><ws:wsCollectionGroupStatusCode>Active</ws:wsCollectionGroupStatusCode></ws:pcg></ws:ProvisionCollectionGroup></soapenv:Body></soapenv:Envelope>"  # noqa: E501
ORIGINAL_SECURE_GROUP = '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ws="http://tns.example/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:wsa="http://www.w3.org/2005/08/addressing"><soapenv:Header><wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"><wsu:Timestamp wsu:Id="TS-6A0347A5F3EA4423935AA04DB9872D51"><wsu:Created>2026-11-29T02:04:16.227Z</wsu:Created><wsu:Expires>2026-11-29T02:05:16.227Z</wsu:Expires></wsu:Timestamp><wsse:UsernameToken wsu:Id="UsernameToken-9F1FFE4E526A429CB425129A2DAD2207"><wsse:Username>us&amp;er</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">p&lt;w&gt;</wsse:Password></wsse:UsernameToken></wsse:Security><wsa:To>https://ep.example/svc?a=1&b=2</wsa:To><wsa:Action>http://tns.example/IService/ProvisionGroup</wsa:Action></soapenv:Header><soapenv:Body><ws:ProvisionGroup><ws:pgr><ws:id>55</ws:id><ws:code>CODE</ws:code><ws:name>Name</ws:name><ws:status>Active</ws:status><ws:parentId xsi:nil="true" /><ws:parentCode xsi:nil="true" /><ws:action>UPDATE</ws:action></ws:pgr></ws:ProvisionGroup></soapenv:Body></soapenv:Envelope>'  # noqa: E501

GROUP = {"id": 55, "code": "CODE", "name": "Name", "status": "Active"}


def test_default_user_matches_the_original() -> None:
    fields = {
        "saUserId": 98765,
        "saUsername": "legacy-name",
        "firstName": "Fn",
        "lastName": "Ln",
        "emailAddress": "a@b.com",
        "organisationId": 4567,
        "wsAccountStatusCode": 1,
        "establishmentUrn": "100001",
        "localAuthorityCode": "",
        "groupUpdates": [{"id": 123, "code": "ROLE_A"}, {"id": 0, "code": "R&<>\"'"}],
        "organisationUid": None,
    }
    assert render("default", "ProvisionUser", "CREATE", fields) == ORIGINAL_DEFAULT_USER


def test_collect_user_matches_the_original() -> None:
    fields = {
        "firstName": "Fn",
        "lastName": "Ln",
        "emailAddress": "a@b.com",
        "organisationId": 4567,
        "wsAccountStatusCode": 0,
        "groupUpdates": [],
        "saUserId": None,
    }
    assert render("collect", "ProvisionUser", "UPDATE", fields) == ORIGINAL_COLLECT_USER


def test_collect_group_without_parent_matches_the_original() -> None:
    fields = {**GROUP, "parentId": None, "parentCode": None}
    rendered = render("collect", "ProvisionGroup", "CREATE", fields)
    assert rendered == SOAP12_HEAD + ORIGINAL_COLLECT_GROUP_BODY


def test_default_group_with_security_and_addressing_matches_the_original_escaped() -> None:
    fields = {**GROUP, "parentId": None, "parentCode": None}
    rendered = render(
        "default",
        "ProvisionGroup",
        "UPDATE",
        fields,
        token=UsernameToken("us&er", "p<w>"),
        addressing=Addressing(
            "https://ep.example/svc?a=1&b=2", "http://tns.example/IService/ProvisionGroup"
        ),
    )
    # The one deliberate difference (docs/original-bugs.md#item-17): wsa:To is escaped.
    expected = ORIGINAL_SECURE_GROUP.replace("?a=1&b=2", "?a=1&amp;b=2")
    assert rendered == expected


def test_s2s_user() -> None:
    fields = {
        "saUserId": 98765,
        "saUsername": None,
        "firstName": "Fn",
        "emailAddress": "a@b.com",
        "organisationId": 4567,
        "wsAccountStatusCode": 1,
        "groupUpdates": [{"id": 1, "code": "X"}],
    }
    assert render("s2s", "ProvisionUser", "CREATE", fields) == (
        SOAP11_HEAD + "<soapenv:Body><ws:ProvisionUser><ws:pur>"
        "<ws:action>CREATE</ws:action><ws:emailAddress>a@b.com</ws:emailAddress>"
        "<ws:organisationId>4567</ws:organisationId><ws:userId>98765</ws:userId>"
        '<ws:userName xsi:nil="true" /><ws:wsAccountStatusCode>1</ws:wsAccountStatusCode>'
        "</ws:pur></ws:ProvisionUser></soapenv:Body></soapenv:Envelope>"
    )


ORGANISATION = {
    "establishmentDfeNumber": "2021234",
    "establishmentUrn": "100001",
    "establishmentNumber": "1234",
    "groupUid": "G-1",
    "localAuthorityCode": "202",
    "localAuthorityName": "Camden",
    "orgEdubaseTypeCode": "02",
    "organisationId": 4567,
    "organisationName": "Some School",
    "organisationTypeCode": "001",
    "wsOrganisationStatusCode": 1,
    "regionCode": "H",
    "telephoneNumber": "020 7946 0000",
}


def test_default_organisation() -> None:
    assert render("default", "ProvisionOrganisation", "CREATE", ORGANISATION) == (
        SOAP11_HEAD + "<soapenv:Body><ws:ProvisionOrganisation><ws:por>"
        "<ws:action>CREATE</ws:action><ws:establishmentUrn>100001</ws:establishmentUrn>"
        "<ws:groupUid>G-1</ws:groupUid><ws:organisationId>4567</ws:organisationId>"
        "<ws:organisationName>Some School</ws:organisationName>"
        "<ws:localAuthorityCode>202</ws:localAuthorityCode>"
        "<ws:wsOrganisationStatusCode>OPEN</ws:wsOrganisationStatusCode>"
        "<ws:organisationTypeCode>001</ws:organisationTypeCode>"
        "</ws:por></ws:ProvisionOrganisation></soapenv:Body></soapenv:Envelope>"
    )


def test_collect_organisation() -> None:
    assert render("collect", "ProvisionOrganisation", "UPDATE", ORGANISATION) == (
        SOAP12_HEAD + "<soapenv:Body><ws:ProvisionOrganisation><ws:por>"
        "<ws:action>UPDATE</ws:action>"
        "<ws:establishmentDfeNumber>2021234</ws:establishmentDfeNumber>"
        "<ws:establishmentUrn>100001</ws:establishmentUrn>"
        "<ws:localAuthorityCode>202</ws:localAuthorityCode>"
        "<ws:orgEdubaseTypeCode>02</ws:orgEdubaseTypeCode>"
        "<ws:organisationId>4567</ws:organisationId>"
        "<ws:organisationName>Some School</ws:organisationName>"
        "<ws:organisationTypeCode>001</ws:organisationTypeCode>"
        "<ws:wsOrganisationStatusCode>1</ws:wsOrganisationStatusCode>"
        "</ws:por></ws:ProvisionOrganisation></soapenv:Body></soapenv:Envelope>"
    )


def test_s2s_organisation() -> None:
    assert render("s2s", "ProvisionOrganisation", "CREATE", ORGANISATION) == (
        SOAP11_HEAD + "<soapenv:Body><ws:ProvisionOrganisation><ws:por>"
        "<ws:action>CREATE</ws:action>"
        "<ws:establishmentNumber>1234</ws:establishmentNumber>"
        "<ws:localAuthorityCode>202</ws:localAuthorityCode>"
        "<ws:localAuthorityName>Camden</ws:localAuthorityName>"
        "<ws:organisationId>4567</ws:organisationId>"
        "<ws:organisationName>Some School</ws:organisationName>"
        "<ws:organisationTypeCode>001</ws:organisationTypeCode>"
        "<ws:regionCode>H</ws:regionCode>"
        "<ws:telephoneNumber>020 7946 0000</ws:telephoneNumber>"
        "<ws:typeOfEstablishmentCode>02</ws:typeOfEstablishmentCode>"
        "<ws:wsOrganisationStatusCode>1</ws:wsOrganisationStatusCode>"
        "</ws:por></ws:ProvisionOrganisation></soapenv:Body></soapenv:Envelope>"
    )


def test_default_group_without_header() -> None:
    fields = {**GROUP, "parentId": 7, "parentCode": "PARENT"}
    assert render("default", "ProvisionGroup", "CREATE", fields) == (
        SOAP11_HEAD + "<soapenv:Body><ws:ProvisionGroup><ws:pgr>"
        "<ws:id>55</ws:id><ws:code>CODE</ws:code><ws:name>Name</ws:name>"
        "<ws:status>Active</ws:status><ws:parentId>7</ws:parentId>"
        "<ws:parentCode>PARENT</ws:parentCode><ws:action>CREATE</ws:action>"
        "</ws:pgr></ws:ProvisionGroup></soapenv:Body></soapenv:Envelope>"
    )


def test_s2s_group_is_the_collect_tree_in_a_soap11_envelope() -> None:
    fields = {**GROUP, "parentId": 7, "parentCode": "PARENT"}
    assert render("s2s", "ProvisionGroup", "UPDATE", fields) == (
        SOAP11_HEAD + "<soapenv:Body><ws:ProvisionCollectionGroup><ws:pcg>"
        "<ws:CollectionGroupParentId>7</ws:CollectionGroupParentId>"
        "<ws:action>UPDATE</ws:action><ws:collectionGroupCode>CODE</ws:collectionGroupCode>"
        "<ws:collectionGroupDescription></ws:collectionGroupDescription>"
        "<ws:collectionGroupId>55</ws:collectionGroupId>"
        "<ws:collectionGroupName>Name</ws:collectionGroupName>"
        "<ws:wsCollectionGroupStatusCode>Active</ws:wsCollectionGroupStatusCode>"
        "</ws:pcg></ws:ProvisionCollectionGroup></soapenv:Body></soapenv:Envelope>"
    )
