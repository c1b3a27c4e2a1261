"""Encoding and hashing functions: JSON, base64, URL query escaping, digests, UUIDv5.

JSON goes through :mod:`orylint.golang.gojson`, which writes exactly what Terraform's
``jsonencode`` writes (exact decimals, sorted keys, ``<``, ``>``, ``&`` escaped) and reads what
Go's decoder reads. Strings are hashed and encoded as UTF-8, with what Go would see as invalid
UTF-8 (a lone surrogate) replaced by U+FFFD first.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import urllib.parse
import uuid
from fractions import Fraction

from orylint.golang import gojson
from orylint.terraform.functions._core import (
    EvaluationError,
    FunctionContext,
    Value,
    check_size,
    from_fraction,
    function,
    nfc,
    to_string,
)

_SURROGATE = re.compile("[\ud800-\udfff]")


def utf8(text: str) -> bytes:
    """The UTF-8 bytes Go holds for a string (lone surrogates become U+FFFD)."""
    return _SURROGATE.sub("\ufffd", text).encode("utf-8")


def decode_utf8(data: bytes, what: str) -> str:
    """Bytes that must be UTF-8 (cty strings are); anything else is Terraform's error."""
    try:
        return nfc(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise EvaluationError(f"the result of decoding {what} is not valid UTF-8") from error


@function("jsonencode", 1, allow_null=True)
def _jsonencode(args: list[Value], _: FunctionContext) -> Value:
    try:
        text = gojson.marshal(args[0], exact=True)
    except (TypeError, ValueError) as error:
        raise EvaluationError("value cannot be encoded as JSON") from error
    check_size(len(text))
    return text


@function("jsondecode", 1)
def _jsondecode(args: list[Value], _: FunctionContext) -> Value:
    text = to_string(args[0])
    try:
        decoded = gojson.unmarshal(text)
    except gojson.GoJSONError as error:
        raise EvaluationError(str(error)) from error
    return _from_json(decoded)


MAX_DEPTH = 256
"""Documents nested deeper are Unknown: Terraform reads them, but orylint's value walks recurse."""


def _from_json(value: object) -> Value:
    """A decoded document in the value model: exact numbers, NFC strings (iteratively)."""
    root: list[Value] = [None]
    pending: list[tuple[object, list[Value] | dict[str, Value], int | str, int]] = [
        (value, root, 0, 0)
    ]
    while pending:
        item, parent, slot, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise EvaluationError("JSON nested too deeply for orylint")
        converted: Value
        if isinstance(item, gojson.JSONNumber):
            converted = from_fraction(Fraction(item.exact))
        elif isinstance(item, str):
            converted = nfc(item)
        elif isinstance(item, list):
            items: list[Value] = [None] * len(item)
            pending.extend((element, items, index, depth + 1) for index, element in enumerate(item))
            converted = items
        elif isinstance(item, dict):
            members: dict[str, Value] = {}
            for name in sorted(item):
                members[nfc(name)] = None
                pending.append((item[name], members, nfc(name), depth + 1))
            converted = members
        else:
            converted = item
        parent[slot] = converted  # type: ignore[index]
    return root[0]


@function("base64encode", 1)
def _base64encode(args: list[Value], _: FunctionContext) -> Value:
    return base64.b64encode(utf8(to_string(args[0]))).decode("ascii")


_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")


@function("base64decode", 1)
def _base64decode(args: list[Value], _: FunctionContext) -> Value:
    # Go's StdEncoding skips CR and LF and insists on padding
    text = to_string(args[0]).replace("\r", "").replace("\n", "")
    if not _BASE64.fullmatch(text) or len(text) % 4:
        raise EvaluationError("failed to decode base64 data")
    try:
        data = base64.b64decode(text, validate=True)
    except binascii.Error as error:
        raise EvaluationError("failed to decode base64 data") from error
    return decode_utf8(data, "base64")


@function("urlencode", 1)
def _urlencode(args: list[Value], _: FunctionContext) -> Value:
    # Go's url.QueryEscape: everything but letters, digits and -_.~ escaped, space as "+"
    return urllib.parse.quote_plus(utf8(to_string(args[0])), safe="")


def _digest(name: str, args: list[Value]) -> hashlib._Hash:
    return hashlib.new(name, utf8(to_string(args[0])))


@function("md5", 1)
def _md5(args: list[Value], _: FunctionContext) -> Value:
    return _digest("md5", args).hexdigest()


@function("sha1", 1)
def _sha1(args: list[Value], _: FunctionContext) -> Value:
    return _digest("sha1", args).hexdigest()


@function("sha256", 1)
def _sha256(args: list[Value], _: FunctionContext) -> Value:
    return _digest("sha256", args).hexdigest()


@function("sha512", 1)
def _sha512(args: list[Value], _: FunctionContext) -> Value:
    return _digest("sha512", args).hexdigest()


@function("base64sha256", 1)
def _base64sha256(args: list[Value], _: FunctionContext) -> Value:
    return base64.b64encode(_digest("sha256", args).digest()).decode("ascii")


@function("base64sha512", 1)
def _base64sha512(args: list[Value], _: FunctionContext) -> Value:
    return base64.b64encode(_digest("sha512", args).digest()).decode("ascii")


_NAMESPACES = {
    "dns": uuid.NAMESPACE_DNS,
    "url": uuid.NAMESPACE_URL,
    "oid": uuid.NAMESPACE_OID,
    "x500": uuid.NAMESPACE_X500,
}


@function("uuidv5", 2)
def _uuidv5(args: list[Value], _: FunctionContext) -> Value:
    namespace_name, name = to_string(args[0]), to_string(args[1])
    namespace = _NAMESPACES.get(namespace_name)
    if namespace is None:
        try:
            namespace = uuid.UUID(namespace_name)
        except ValueError as error:
            raise EvaluationError("unsupported namespace for uuidv5()") from error
    digest = hashlib.sha1(namespace.bytes + utf8(name)).digest()[:16]
    return str(uuid.UUID(bytes=digest, version=5))
