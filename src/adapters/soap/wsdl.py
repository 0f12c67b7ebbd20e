"""Read what a provisioning call needs from a WSDL (docs/soap.md#wsdl), safely and tolerantly.

Parsed with defusedxml and no DTD at all: no entity expansion (billion laughs), no external
entities, and nothing in the document is ever fetched (imports are not followed, as before).
Tolerant where the original crashed (docs/original-bugs.md#item-12): the action may come from a
2006/05 ``wsaw``, 2007/05 ``wsam`` or 2005/08 ``wsa`` ``Action`` attribute declared anywhere, else
from the binding's ``soapAction``; every portType, service and port is searched, not only the
first; SOAP 1.1 and 1.2 addresses alike.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from domain.errors import UpstreamMisconfigured

ADDRESSING_ACTION_ATTRIBUTES = (
    "{http://www.w3.org/2006/05/addressing/wsdl}Action",
    "{http://www.w3.org/2007/05/addressing/metadata}Action",
    "{http://www.w3.org/2005/08/addressing}Action",
)


@dataclass(frozen=True)
class WsdlDescription:
    """Target namespace, endpoint and the action of each operation the WSDL declares."""

    target_namespace: str
    endpoint: str
    actions: Mapping[str, str]


def parse_wsdl(content: bytes) -> WsdlDescription:
    """Raise ``UpstreamMisconfigured`` (saying why) when the document is unusable."""
    root = _parse(content)
    if _local(root.tag) != "definitions":
        raise UpstreamMisconfigured("WSDL root element is not a WSDL 1.1 definitions element")
    target_namespace = root.get("targetNamespace")
    if not target_namespace:
        raise UpstreamMisconfigured("WSDL has no targetNamespace")
    return WsdlDescription(target_namespace, _endpoint(root), _actions(root))


def _parse(content: bytes) -> Element:
    try:
        return fromstring(content, forbid_dtd=True)
    except DefusedXmlException as error:
        raise UpstreamMisconfigured("WSDL rejected: DTDs and entities are not allowed") from error
    except ParseError as error:
        raise UpstreamMisconfigured(f"WSDL is not well-formed XML ({error.msg})") from error


def _actions(root: Element) -> dict[str, str]:
    binding_actions = _binding_actions(root)
    actions: dict[str, str] = {}
    for operation in _children(root, "portType", "operation"):
        name = operation.get("name")
        if not name or name in actions:
            continue
        action = _input_action(operation) or binding_actions.get(name)
        if action:
            actions[name] = action
    return actions


def _input_action(operation: Element) -> str | None:
    for child in operation:
        if _local(child.tag) == "input":
            return next((child.get(a) for a in ADDRESSING_ACTION_ATTRIBUTES if child.get(a)), None)
    return None


def _binding_actions(root: Element) -> dict[str, str]:
    actions: dict[str, str] = {}
    for operation in _children(root, "binding", "operation"):
        name = operation.get("name")
        soap_operation = next((c for c in operation if _local(c.tag) == "operation"), None)
        action = soap_operation.get("soapAction") if soap_operation is not None else None
        if name and action:
            actions.setdefault(name, action)
    return actions


def _endpoint(root: Element) -> str:
    for port in _children(root, "service", "port"):
        for address in port:
            location = address.get("location")
            if _local(address.tag) == "address" and location:
                if urlsplit(location).scheme not in ("http", "https"):
                    raise UpstreamMisconfigured("WSDL endpoint address is not an http(s) URL")
                return location
    raise UpstreamMisconfigured("WSDL has no service port with an endpoint address")


def _children(root: Element, parent: str, child: str) -> Iterator[Element]:
    for element in root:
        if _local(element.tag) == parent:
            yield from (c for c in element if _local(c.tag) == child)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]
