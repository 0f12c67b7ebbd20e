"""Which network addresses a callback URL taken from job data may reach.

Callback URLs are chosen by whoever calls the public API, so a URL pointing into our own network
(loopback, private ranges, cloud metadata) must be refused. Operators can exempt named hosts or
networks (``JOBS_WEBHOOK_ALLOWED_HOSTS``), e.g. a relying party reached over a private link.
Platform addresses are never exempt: no relying party lives there. They are the cloud metadata
services and Azure's host agent (WireServer, ``168.63.129.16``: public-looking, yet it answers
only the virtual machine asking). IPv6 transition addresses that carry an IPv4 address are judged
by it: a 6to4 address (``2002::/16``) wrapping a private IPv4 is refused as that address is;
Teredo (``2001::/32``) tunnels to an IPv4 host that cannot be vetted and is always refused.
"""

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)
AZURE_HOST_AGENT = ipaddress.ip_address("168.63.129.16")
TEREDO = ipaddress.ip_network("2001::/32")


def parse_address(text: str) -> IpAddress | None:
    """The address ``text`` names (an IPv4-mapped IPv6 address as its IPv4), else ``None``."""
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def non_public_kind(address: IpAddress) -> str | None:
    """Why ``address`` is not a public internet address (``None`` when it is one)."""
    if isinstance(address, ipaddress.IPv6Address):
        if address in TEREDO:
            return "a Teredo tunnel address"
        if address.sixtofour is not None:
            wrapped = non_public_kind(address.sixtofour)
            return f"a 6to4 address wrapping {wrapped}" if wrapped else None
    checks = (
        (address in METADATA_ADDRESSES, "a cloud metadata address"),
        (address == AZURE_HOST_AGENT, "the Azure host agent address"),
        (address.is_unspecified, "an unspecified address"),
        (address.is_loopback, "a loopback address"),
        (address.is_link_local, "a link-local address"),
        (address.is_multicast, "a multicast address"),
        (address.is_private, "a private address"),
        (address.is_reserved, "a reserved address"),
        (not address.is_global, "a non-public address"),
    )
    return next((kind for matched, kind in checks if matched), None)


@dataclass(frozen=True)
class AllowList:
    """Host names (exact, case-insensitive) and IP networks exempt from the address refusal."""

    host_names: frozenset[str] = frozenset()
    networks: tuple[IpNetwork, ...] = ()

    @classmethod
    def from_entries(cls, entries: Iterable[str]) -> "AllowList":
        """Parse ``entries`` (host names, IPs or CIDRs); a malformed network is a ValueError."""
        host_names: set[str] = set()
        networks: list[IpNetwork] = []
        for raw in entries:
            entry = raw.strip().lower()
            if not entry:
                continue
            if parse_address(entry.split("/", 1)[0]) is not None:
                networks.append(ipaddress.ip_network(entry, strict=False))
            elif "/" in entry or ":" in entry:
                raise ValueError(f"allowed host entry {raw!r} is neither a host name nor a network")
            else:
                host_names.add(entry.rstrip("."))
        return cls(frozenset(host_names), tuple(networks))

    def exempts(self, host: str, address: IpAddress) -> bool:
        if _platform_address(address):
            return False
        if host.lower().rstrip(".") in self.host_names:
            return True
        return any(address in network for network in self.networks)


def refusal_reason(host: str, addresses: Iterable[IpAddress], allow: AllowList) -> str | None:
    """Why ``host`` must not be contacted when it resolves to ``addresses`` (``None``: go ahead).

    One bad address is enough: an attacker controlling DNS could otherwise mix a public address
    with an internal one and hope the connection picks the latter.
    """
    for address in addresses:
        kind = non_public_kind(address)
        if kind is not None and not allow.exempts(host, address):
            return f"the host resolves to {kind}"
    return None


def _platform_address(address: IpAddress) -> bool:
    """Metadata services and the host agent, also wrapped in 6to4, and any Teredo address."""
    if isinstance(address, ipaddress.IPv6Address):
        if address in TEREDO:
            return True
        if address.sixtofour is not None:
            address = address.sixtofour
    return address in METADATA_ADDRESSES or address == AZURE_HOST_AGENT
