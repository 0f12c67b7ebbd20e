"""Text from Redis, upstreams or logs made safe to print to an operator's terminal.

A stored value can hold ESC and other control characters (a SOAP fault's text, a reason written
by another process): printed raw they restyle, hyperlink or retitle the terminal. Everything the
CLI and the console log renderer print goes through ``printable``.
"""

import re

CONTROL_CHARACTERS = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
"""C0 and C1 controls but tab and newline (ESC starts terminal sequences), and bidi overrides."""


def printable(text: str) -> str:
    """``text`` without control characters (tab and newline kept)."""
    return CONTROL_CHARACTERS.sub("", text)
