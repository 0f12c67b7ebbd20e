"""WSDL discovery: WCF single-WSDL style, tolerance for other addressing styles, hostile XML."""

import pytest

from adapters.soap.wsdl import parse_wsdl
from domain.errors import UpstreamMisconfigured


def wsdl(
    *,
    namespaces: str = 'xmlns:wsaw="http://www.w3.org/2006/05/addressing/wsdl"',
    input_attribute: str = 'wsaw:Action="http://tns.example/IService/{op}"',
    operations: tuple[str, ...] = ("ProvisionUser", "ProvisionGroup", "ProvisionOrganisation"),
    binding_action: str = "",
    address: str = '<soap:address location="https://ep.example/svc.svc"/>',
) -> bytes:
    port_ops = "".join(
        f'<wsdl:operation name="{op}"><wsdl:input {input_attribute.format(op=op)}'
        f' message="tns:{op}Request"/></wsdl:operation>'
        for op in operations
    )
    binding_ops = "".join(
        f'<wsdl:operation name="{op}"><soap:operation soapAction="{binding_action.format(op=op)}"/>'
        "</wsdl:operation>"
        for op in operations
        if binding_action
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"'
        ' xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"'
        ' xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/"'
        f' xmlns:tns="http://tns.example/" {namespaces} targetNamespace="http://tns.example/">'
        f'<wsdl:portType name="IService">{port_ops}</wsdl:portType>'
        f'<wsdl:binding name="B" type="tns:IService">{binding_ops}</wsdl:binding>'
        '<wsdl:service name="Service"><wsdl:port name="P" binding="tns:B">'
        f"{address}</wsdl:port></wsdl:service></wsdl:definitions>"
    ).encode()


def test_wcf_style_wsdl() -> None:
    description = parse_wsdl(wsdl())
    assert description.target_namespace == "http://tns.example/"
    assert description.endpoint == "https://ep.example/svc.svc"
    assert description.actions == {
        "ProvisionUser": "http://tns.example/IService/ProvisionUser",
        "ProvisionGroup": "http://tns.example/IService/ProvisionGroup",
        "ProvisionOrganisation": "http://tns.example/IService/ProvisionOrganisation",
    }


def test_without_addressing_namespace_the_binding_soap_action_is_used() -> None:
    description = parse_wsdl(wsdl(namespaces="", input_attribute="", binding_action="urn:act:{op}"))
    assert description.actions["ProvisionUser"] == "urn:act:ProvisionUser"


def test_addressing_namespace_missing_and_no_binding_action_means_no_action() -> None:
    assert parse_wsdl(wsdl(namespaces="", input_attribute="")).actions == {}


def test_2007_metadata_namespace_is_accepted() -> None:
    description = parse_wsdl(
        wsdl(
            namespaces='xmlns:wsam="http://www.w3.org/2007/05/addressing/metadata"',
            input_attribute='wsam:Action="urn:wsam:{op}"',
        )
    )
    assert description.actions["ProvisionGroup"] == "urn:wsam:ProvisionGroup"


def test_soap12_address() -> None:
    address = '<soap12:address location="http://ep.example/v12"/>'
    assert parse_wsdl(wsdl(address=address)).endpoint == "http://ep.example/v12"


def test_missing_operation_is_simply_not_listed() -> None:
    description = parse_wsdl(wsdl(operations=("ProvisionUser",)))
    assert set(description.actions) == {"ProvisionUser"}


@pytest.mark.parametrize(
    ("address", "complaint"),
    [("", "no service port"), ('<soap:address location="file:///etc/passwd"/>', "http")],
)
def test_unusable_endpoint(address: str, complaint: str) -> None:
    with pytest.raises(UpstreamMisconfigured, match=complaint):
        parse_wsdl(wsdl(address=address))


def test_external_entity_is_rejected_and_not_fetched() -> None:
    hostile = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]>'
        b'<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" targetNamespace="&x;"/>'
    )
    with pytest.raises(UpstreamMisconfigured, match="DTDs and entities"):
        parse_wsdl(hostile)


def test_billion_laughs_is_rejected() -> None:
    lol = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    hostile = (
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY l0 "lol">{lol}]>'
        '<definitions targetNamespace="&l9;"/>'
    ).encode()
    with pytest.raises(UpstreamMisconfigured, match="DTDs and entities"):
        parse_wsdl(hostile)


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        (b"<html><body>login</body></html>", "not a WSDL 1.1"),
        (b"<definitions/>", "targetNamespace"),
        (b"<definitions", "not well-formed"),
    ],
)
def test_not_a_usable_wsdl(content: bytes, complaint: str) -> None:
    with pytest.raises(UpstreamMisconfigured, match=complaint):
        parse_wsdl(content)
