"""What counts as personal data or a secret, and how it is blanked out of text.

The one list behind failure reasons, log lines and what operators see (dashboard, CLI), so the
three cannot drift apart. Keys are judged by name; free text by pattern: e-mail addresses
(``%40``-encoded too), credentials in URLs, URL query strings, bearer tokens, JWTs,
``password=``-style pairs and any literal secret the caller names.

Every pattern is anchored on a literal (``@``, ``://``, ``eyJ``...) with bounded quantifiers, and
text is cut to a bounded length *before* it is searched, so the cost is linear and capped
whatever the input (an unbounded e-mail pattern once took minutes on a 5 MB field).
"""

import re
from collections.abc import Iterable

REDACTED = "[redacted]"
EMAIL = "[email]"
MAX_TEXT_CHARS = 16_384
"""Longest text searched at once; anything beyond is cut off (with ``TRUNCATED``) first."""
TRUNCATED = "…[truncated]"

SECRET_KEY = re.compile(
    r"passw(?:or)?d|pwd|secret|token|authori[sz]ation|api_?key|cookie|credential|signature", re.I
)
PERSONAL_KEY = re.compile(
    r"e-?mail|name|code|phone|mobile|personalisation|recipient|given|family|surname", re.I
)
FREE_TEXT_KEY = re.compile(
    r"message|reason|comment|description|body|subject|override|additional_?info|notes?$", re.I
)
"""Free text people typed (support requests, rejection reasons): may name anyone."""

_LOCAL_CHARS = r"[^\s@<>\"'(),;:/\\?=&\[\]{}|]"
_DOMAIN_CHARS = r"[^\s@<>\"'(),;:/\\?=&\[\]{}|%.]"
_AT = re.compile(r"@|%40", re.I)
_LOCAL_PART_REVERSED = re.compile(rf"{_LOCAL_CHARS}{{1,64}}")
_DOMAIN = re.compile(rf"{_DOMAIN_CHARS}{{1,63}}(?:\.{_DOMAIN_CHARS}{{1,63}}){{1,8}}")

_ANY_PATTERN = re.compile(r"[@=]|%40|://|eyJ|bearer|[\"']\s{0,4}:", re.I)
"""What every pattern below needs somewhere in the text: most log values have none of it."""
_PATTERNS = (
    # user:password@ in any URL (connection strings, callback URLs)
    (re.compile(r"://[^\s/@'\"<>]{1,256}@"), f"://{REDACTED}@"),
    # query strings carry tokens and addresses: keep the path, drop the values
    (re.compile(r"(://[^\s?#'\"<>]{1,512}\?)[^\s#'\"<>]{1,4096}"), rf"\g<1>{REDACTED}"),
    (re.compile(r"(bearer\s{1,8})[\w.~+/=-]{1,4096}", re.I), rf"\g<1>{REDACTED}"),
    (re.compile(r"eyJ[\w-]{1,512}\.[\w-]{1,4096}\.[\w-]{0,1024}"), REDACTED),
    (
        re.compile(
            r"((?:passw(?:or)?d|pwd|secret|api_?key|token)(?:=|[\"']\s{0,4}:\s{0,4}[\"']?))"
            r"[^\s&;,'\"]{1,512}",
            re.I,
        ),
        rf"\g<1>{REDACTED}",
    ),
)


def is_sensitive_key(key: object) -> bool:
    """A key whose value is a secret or personal data (``email``, ``lastName``, ``apiKey``...)."""
    name = str(key)
    return bool(SECRET_KEY.search(name) or PERSONAL_KEY.search(name))


def is_free_text_key(key: object) -> bool:
    return bool(FREE_TEXT_KEY.search(str(key)))


def truncate(text: str, limit: int = MAX_TEXT_CHARS) -> str:
    return text if len(text) <= limit else text[:limit] + TRUNCATED


def redact_text(text: str, secrets: Iterable[str] = (), *, limit: int = MAX_TEXT_CHARS) -> str:
    """``text`` cut to ``limit`` characters, with secrets and personal data blanked out.

    ``secrets`` are literal values (configured keys, the job's own names) replaced wherever they
    appear; callers choose which are long enough to replace safely.
    """
    text = truncate(text, limit)
    for secret in sorted(secrets, key=len, reverse=True):
        if secret and secret in text:
            text = text.replace(secret, REDACTED)
    if _ANY_PATTERN.search(text) is None:
        return text
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return redact_email_addresses(text)


def redact_email_addresses(text: str) -> str:
    """Each e-mail address (``@`` or ``%40``) replaced by ``[email]``.

    Scans for the ``@`` first, then looks at most 64 characters back and 512 ahead, so a long
    run without separators costs one pass, not one pass per character.
    """
    pieces: list[str] = []
    done = 0
    for at in _AT.finditer(text):
        start = at.start()
        if start < done:
            continue
        local = _LOCAL_PART_REVERSED.match(text[max(done, start - 64) : start][::-1])
        domain = _DOMAIN.match(text, at.end()) if local else None
        if local is None or domain is None:
            continue
        pieces += [text[done : start - local.end()], EMAIL]
        done = domain.end()
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)


def is_email_address(text: str) -> bool:
    """The whole of ``text`` is one e-mail address."""
    return redact_email_addresses(text.strip()) == EMAIL
