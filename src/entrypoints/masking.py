"""Personal data masked out of job data before an operator sees it (dashboard and CLI).

Job data holds e-mail addresses, names and verification codes in clear text; operators need
its shape and ids, not those values.
"""

import re
from typing import Any

from domain.errors import redact_personal_data

MASK = "[masked]"
SENSITIVE_KEY = re.compile(r"e-?mail|name|code|password|passwd|token|secret|authori[sz]ation", re.I)
EMAIL_LIKE = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")


def mask_personal_data(value: Any) -> Any:
    """A copy of ``value`` with sensitive keys' values and e-mail-like strings masked."""
    if isinstance(value, dict):
        return {
            key: MASK if _sensitive(key, item) else mask_personal_data(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [mask_personal_data(item) for item in value]
    if isinstance(value, str):
        return MASK if EMAIL_LIKE.fullmatch(value.strip()) else redact_personal_data(value)
    return value


def _sensitive(key: Any, item: Any) -> bool:
    """A present value under a key that looks personal or secret (containers included)."""
    return item is not None and bool(SENSITIVE_KEY.search(str(key)))
