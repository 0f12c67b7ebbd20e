"""How each family of legacy consumers speaks SOAP (docs/soap.md#formatters): the SOAP version,
whether ``xsi:nil`` is understood, and the exact content type each was built against."""

from dataclasses import dataclass

from adapters.soap.body import Tree
from adapters.soap.envelope import SOAP_11, SOAP_12, FormattedBody


@dataclass(frozen=True)
class Dialect:
    soap_namespace: str
    supports_nil: bool
    content_type: str

    def body(self, tree: Tree, *extra_namespaces: tuple[str, str]) -> FormattedBody:
        """``tree`` as this dialect sends it, with any namespaces its elements use."""
        return FormattedBody(
            tree,
            self.soap_namespace,
            supports_nil=self.supports_nil,
            content_type=self.content_type,
            extra_namespaces=extra_namespaces,
        )


DEFAULT = Dialect(SOAP_11, supports_nil=True, content_type="text/xml;charset=UTF-8")
COLLECT = Dialect(SOAP_12, supports_nil=False, content_type="application/soap+xml; charset=utf-8")
S2S = Dialect(SOAP_11, supports_nil=True, content_type="text/xml; charset=utf-8")
