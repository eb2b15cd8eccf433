"""How deep a JSON text nests, measured before it is parsed.

Python's json parser recurses once per nested array or object, and so do json.dumps and every walk of the
value afterwards (models.types._without_nul, for one): a body nested a thousand deep raises RecursionError,
a 500. So the API measures the raw text first, without recursion and without building anything, and refuses
anything deeper than MAX_DEPTH. No request of this API needs more than three levels (body → fields → value).
"""
from __future__ import annotations

import json
import re
from array import array
from itertools import accumulate

MAX_DEPTH = 32

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)  # a JSON string with its escapes; nothing inside it nests
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # +1 to open, -1 (0xff as a signed byte) to close


def nesting_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in `text`, counting brackets outside strings. Exact for valid
    JSON and for the valid prefix of invalid JSON (where a parser would recurse before failing); one linear
    pass in C (regular expressions, array, accumulate), so a six-megabyte body costs milliseconds."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    steps = array("b")
    steps.frombytes(brackets.encode("ascii").translate(_STEPS))
    return max(0, max(accumulate(steps), default=0))


def nesting_depth_of_body(raw: bytes) -> int:
    """nesting_depth() of a request body in any encoding json.loads accepts (UTF-8, -16 or -32). A body that
    does not decode is no JSON at all: depth 0, and the parser refuses it."""
    try:
        text = raw.decode(json.detect_encoding(raw), "surrogatepass")
    except UnicodeDecodeError:
        return 0
    return nesting_depth(text)
