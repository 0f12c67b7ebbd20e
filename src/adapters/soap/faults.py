"""Find a SOAP Fault in a response body: a Fault in a 200 is not a success
(docs/original-bugs.md#item-10).

SOAP 1.1 puts the code in ``faultcode`` and the text in ``faultstring``; SOAP 1.2 in
``Code/Value`` and ``Reason/Text``. The code is reduced to its local name and first dotted part
(``soap:Client.Auth`` → ``Client``). Bodies that are not XML (or are MTOM multipart) have no
detectable fault.
"""

from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from adapters.soap.envelope import SOAP_11, SOAP_12

_FAULT_11 = f"{{{SOAP_11}}}Fault"
_FAULT_12 = f"{{{SOAP_12}}}Fault"


@dataclass(frozen=True)
class SoapFault:
    code: str
    text: str


def find_fault(content: bytes) -> SoapFault | None:
    if not content.strip():
        return None
    try:
        root = fromstring(content, forbid_dtd=True)
    except (DefusedXmlException, ParseError):
        return None
    for element in root.iter():
        if element.tag == _FAULT_11:
            return SoapFault(
                _code(element.findtext("faultcode")), element.findtext("faultstring") or ""
            )
        if element.tag == _FAULT_12:
            return _fault_12(element)
    return None


def _fault_12(fault: Element) -> SoapFault:
    code = fault.findtext(f"{{{SOAP_12}}}Code/{{{SOAP_12}}}Value")
    text = fault.findtext(f"{{{SOAP_12}}}Reason/{{{SOAP_12}}}Text")
    return SoapFault(_code(code), text or "")


def _code(qname: str | None) -> str:
    return (qname or "").strip().rpartition(":")[2].split(".")[0]
