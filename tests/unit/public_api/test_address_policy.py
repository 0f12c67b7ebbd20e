"""Which addresses a relying-party callback may reach (SSRF guard)."""

import ipaddress

import pytest

from adapters.webhook.address_policy import AllowList, parse_address, refusal_reason


def addresses(*texts: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    parsed = [parse_address(text) for text in texts]
    assert all(address is not None for address in parsed)
    return [address for address in parsed if address is not None]


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("169.254.169.254", "a cloud metadata address"),
        ("fd00:ec2::254", "a cloud metadata address"),
        ("0.0.0.0", "an unspecified address"),
        ("::", "an unspecified address"),
        ("127.0.0.1", "a loopback address"),
        ("::1", "a loopback address"),
        ("169.254.1.1", "a link-local address"),
        ("fe80::1", "a link-local address"),
        ("224.0.0.1", "a multicast address"),
        ("10.1.2.3", "a private address"),
        ("172.16.0.1", "a private address"),
        ("192.168.1.1", "a private address"),
        ("fd12:3456::1", "a private address"),
        ("::ffff:10.0.0.1", "a private address"),
        ("240.0.0.1", "a private address"),
        ("100.64.0.1", "a non-public address"),
        ("168.63.129.16", "the Azure host agent address"),
        ("::ffff:168.63.129.16", "the Azure host agent address"),
        ("2002:7f00:1::", "a 6to4 address wrapping a loopback address"),
        ("2002:a00:1::1", "a 6to4 address wrapping a private address"),
        ("2002:a9fe:a9fe::", "a 6to4 address wrapping a cloud metadata address"),
        ("2002:a83f:8110::", "a 6to4 address wrapping the Azure host agent address"),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "a Teredo tunnel address"),
    ],
)
def test_internal_addresses_are_refused(address: str, kind: str) -> None:
    reason = refusal_reason("rp.example", addresses(address), AllowList())
    assert reason == f"the host resolves to {kind}"


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "2606:4700::1", "::ffff:8.8.8.8", "2002:808:808::1"]
)
def test_public_addresses_pass(address: str) -> None:
    assert refusal_reason("rp.example", addresses(address), AllowList()) is None


def test_one_internal_address_among_public_ones_is_enough_to_refuse() -> None:
    reason = refusal_reason("rp.example", addresses("8.8.8.8", "127.0.0.1"), AllowList())
    assert reason == "the host resolves to a loopback address"


def test_allow_list_exempts_named_hosts_and_networks_but_never_metadata() -> None:
    allow = AllowList.from_entries([" RP.Internal ", "10.0.0.0/8", "", "::1", "169.254.0.0/16"])

    assert refusal_reason("rp.internal", addresses("192.168.0.5"), allow) is None
    assert refusal_reason("other", addresses("10.9.9.9", "::1"), allow) is None
    assert refusal_reason("other", addresses("192.168.0.5"), allow) is not None
    assert refusal_reason("rp.internal", addresses("169.254.169.254"), allow) == (
        "the host resolves to a cloud metadata address"
    )
    assert refusal_reason("other", addresses("169.254.1.1"), allow) is None


def test_platform_addresses_are_never_exempt_however_written() -> None:
    allow = AllowList.from_entries(
        ["rp.internal", "168.63.129.0/24", "2002::/16", "2001::/32", "169.254.0.0/16"]
    )
    for address in ("168.63.129.16", "2002:a83f:8110::", "2002:a9fe:a9fe::", "2001:0:1::1"):
        assert refusal_reason("rp.internal", addresses(address), allow) is not None, address
    assert refusal_reason("rp.internal", addresses("2002:a00:1::1"), allow) is None


@pytest.mark.parametrize("entry", ["10.0.0.0/33", "a/b", "fe80::zz"])
def test_malformed_allow_list_entries_are_rejected(entry: str) -> None:
    with pytest.raises(ValueError, match=r"allowed host entry|not a valid|does not appear"):
        AllowList.from_entries([entry])
