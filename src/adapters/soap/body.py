"""Render a formatter's element tree as the original ``SoapMessage`` did (docs/soap.md#envelope).

A tree is a ``dict`` whose insertion order is the element order. Keys holding ``:`` are tags as
they stand (``cap:group``); other keys get the ``ws:`` prefix. ``ABSENT`` omits the element and
``None`` renders ``xsi:nil`` (or is omitted where nil is unsupported). Lists render each item's
children in place inside the list's element. Falsy scalars (0, False, "") render as an empty
element: a quirk legacy consumers rely on (docs/original-bugs.md#item-15), kept on purpose.
"""

import enum
import math
import re
from collections.abc import Mapping, Sequence
from typing import TypeAlias


class Absent(enum.Enum):
    """Marks a value the job did not carry: its element is left out, unlike ``None`` (nil)."""

    ABSENT = "absent"

    def __bool__(self) -> bool:
        return False


ABSENT = Absent.ABSENT

Scalar: TypeAlias = str | int | float | bool
Value: TypeAlias = "Scalar | Absent | Tree | Sequence[Tree] | None"
Tree: TypeAlias = Mapping[str, Value]

_NOT_XML_1_0 = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"})


def escape(text: str) -> str:
    """XML-escape like the ``xml-escape`` package, and drop characters XML 1.0 cannot carry.

    Control characters and lone surrogates would make the whole envelope malformed (the
    original sent them raw); no character reference can represent them, so they are removed.
    """
    return _NOT_XML_1_0.sub("", text).translate(_ESCAPES)


def scalar_text(value: Scalar) -> str:
    """The text JavaScript's ``(value || '').toString()`` gives, escaped."""
    if not value or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "true"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return escape(str(value))


def render_tree(tree: Tree, *, supports_nil: bool) -> str:
    """The body XML for ``tree``: no whitespace, no declaration, element order as inserted."""
    parts: list[str] = []
    _render_into(parts, tree, supports_nil)
    return "".join(parts)


def _render_into(parts: list[str], tree: Tree, supports_nil: bool) -> None:
    for key, value in tree.items():
        if value is ABSENT or (value is None and not supports_nil):
            continue
        tag = key if ":" in key else f"ws:{key}"
        if value is None:
            parts.append(f'<{tag} xsi:nil="true" />')
            continue
        parts.append(f"<{tag}>")
        if isinstance(value, str | int | float | bool):
            parts.append(scalar_text(value))
        elif isinstance(value, Mapping):
            _render_into(parts, value, supports_nil)
        else:
            for item in value:
                _render_into(parts, item, supports_nil)
        parts.append(f"</{tag}>")
