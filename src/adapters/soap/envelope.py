"""The SOAP envelope around a body tree, byte for byte as the original wrote it
(docs/soap.md#envelope).

Kept: namespace order, ``Header`` only when there is security or addressing content, a
UsernameToken with a PasswordText password and a Timestamp of 60 s (ids ``TS-``/``UsernameToken-``
plus 32 upper-case hex digits), raw ``SOAPAction``-style actions. Fixed
(docs/original-bugs.md#item-17): ``wsa:To``, ``wsa:Action`` and the namespace URIs are XML-escaped,
so an endpoint with ``&`` in its query no longer makes the envelope malformed. Clock and id
generator are injected so golden tests are deterministic.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from adapters.soap.body import Tree, escape, render_tree

SOAP_11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP_12 = "http://www.w3.org/2003/05/soap-envelope"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
WSA = "http://www.w3.org/2005/08/addressing"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
WSS_PLAIN_CREDENTIAL_TYPE = (
    "http://docs.oasis-open.org/wss/2004/01/"
    "oasis-200401-wss-username-token-profile-1.0#PasswordText"
)
TIMESTAMP_LIFETIME = timedelta(seconds=60)

Clock = Callable[[], datetime]
IdGenerator = Callable[[], str]


def utc_now() -> datetime:
    return datetime.now(UTC)


def random_token_id() -> str:
    """A random UUID without dashes, upper-case, as the original's ``wsu:Id`` suffixes."""
    return uuid.uuid4().hex.upper()


@dataclass(frozen=True)
class FormattedBody:
    """What a formatter decides: the tree and how its envelope and HTTP request look."""

    tree: Tree
    soap_namespace: str
    supports_nil: bool
    content_type: str
    extra_namespaces: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class UsernameToken:
    """WS-Security credentials; sent only when the application configures a username."""

    username: str
    password: str


@dataclass(frozen=True)
class Addressing:
    """WS-Addressing ``To`` (the endpoint) and ``Action`` (the operation's action)."""

    to: str
    action: str


def render_envelope(
    body: FormattedBody,
    *,
    target_namespace: str,
    token: UsernameToken | None = None,
    addressing: Addressing | None = None,
    clock: Clock = utc_now,
    new_id: IdGenerator = random_token_id,
) -> str:
    """The complete envelope string: no XML declaration, no whitespace between tags."""
    namespaces = [("soapenv", body.soap_namespace), ("ws", target_namespace)]
    if body.supports_nil:
        namespaces.append(("xsi", XSI))
    if addressing is not None:
        namespaces.append(("wsa", WSA))
    namespaces.extend(body.extra_namespaces)
    declarations = "".join(f' xmlns:{alias}="{escape(uri)}"' for alias, uri in namespaces)
    header = _header(token, addressing, clock, new_id)
    tree = render_tree(body.tree, supports_nil=body.supports_nil)
    return (
        f"<soapenv:Envelope{declarations}>{header}"
        f"<soapenv:Body>{tree}</soapenv:Body></soapenv:Envelope>"
    )


def _header(
    token: UsernameToken | None, addressing: Addressing | None, clock: Clock, new_id: IdGenerator
) -> str:
    if token is None and addressing is None:
        return ""
    parts = ["<soapenv:Header>"]
    if token is not None:
        parts.append(_security(token, clock, new_id))
    if addressing is not None:
        parts.append(f"<wsa:To>{escape(addressing.to)}</wsa:To>")
        parts.append(f"<wsa:Action>{escape(addressing.action)}</wsa:Action>")
    parts.append("</soapenv:Header>")
    return "".join(parts)


def _security(token: UsernameToken, clock: Clock, new_id: IdGenerator) -> str:
    created = clock().astimezone(UTC)
    expires = created + TIMESTAMP_LIFETIME
    return (
        f'<wsse:Security xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}">'
        f'<wsu:Timestamp wsu:Id="TS-{new_id()}">'
        f"<wsu:Created>{iso_millis(created)}</wsu:Created>"
        f"<wsu:Expires>{iso_millis(expires)}</wsu:Expires>"
        "</wsu:Timestamp>"
        f'<wsse:UsernameToken wsu:Id="UsernameToken-{new_id()}">'
        f"<wsse:Username>{escape(token.username)}</wsse:Username>"
        f'<wsse:Password Type="{WSS_PLAIN_CREDENTIAL_TYPE}">'
        f"{escape(token.password)}</wsse:Password>"
        "</wsse:UsernameToken>"
        "</wsse:Security>"
    )


def iso_millis(moment: datetime) -> str:
    """JavaScript's ``Date.toISOString()``: UTC, milliseconds, ``Z``."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
