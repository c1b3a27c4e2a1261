"""The model every rule sees, whatever the input format.

Loaders (HCL, ``.tf.json``, plan and state JSON) build these objects; rules read them and nothing
else. Keeping "unset" (absent or ``null``), "known" and "unknown" apart is the point of this
module: a rule may only decide on known values, so an unresolvable reference never produces a
finding.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

Origin = Literal["hcl", "hcl-json", "plan", "state"]
RESOURCE_TYPE = "ory_oauth2_client"


@dataclass(frozen=True, order=True)
class Span:
    """A region of a file: 1-based lines, 1-based columns in code points, end column exclusive.

    That is exactly SARIF's region with ``columnKind: unicodeCodePoints``, so reporters copy it.
    """

    path: str
    start_line: int
    start_column: int
    end_line: int
    end_column: int

    @classmethod
    def file_start(cls, path: str) -> Span:
        """Return the span used when only the file is known (plans without sources)."""
        return cls(path, 1, 1, 1, 1)


@dataclass(frozen=True)
class Unknown:
    """A value orylint cannot know before apply: a reference, a call, an unknown in a plan.

    ``text`` keeps the source expression so that messages and fixes can quote it.
    """

    reason: str
    text: str = ""

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"


def is_whole_client(parts: Sequence[str]) -> bool:
    """Whether a reference names a whole client (``ory_oauth2_client.x``), not one attribute.

    A whole-object reference carries the secret with it, so secret flow treats it specially.
    """
    return len(parts) == 2 and parts[0] == RESOURCE_TYPE


def is_known(value: object) -> bool:
    """Return whether a value is fully known, looking inside lists and dicts."""
    if isinstance(value, Unknown):
        return False
    if isinstance(value, list):
        return all(is_known(item) for item in value)
    if isinstance(value, dict):
        return all(is_known(item) for item in value.values())
    return True


@dataclass(frozen=True)
class Element:
    """One element of a list attribute, with its own span so a finding can point at it."""

    index: int
    value: object
    span: Span


@dataclass(frozen=True)
class Attribute:
    """``name = expression`` inside a resource block.

    ``value`` is a Python value (``str``, ``int``, ``float``, ``bool``, ``list``, ``dict``),
    ``None`` for a literal ``null``, or :class:`Unknown`. ``elements`` is set when the expression
    is a list literal (or a list in a plan) so list rules can point at one element.
    """

    name: str
    value: object
    span: Span
    value_span: Span
    source: str = ""
    elements: tuple[Element, ...] | None = None
    sensitive: bool = False
    from_jsonencode: bool = False
    heredoc: bool = False

    @property
    def known(self) -> bool:
        """Whether the whole value is known (no unknown inside)."""
        return is_known(self.value)

    def element_span(self, index: int) -> Span:
        """Return the span of list element ``index`` or the value span when there is none."""
        if self.elements is not None:
            for element in self.elements:
                if element.index == index:
                    return element.span
        return self.value_span


@dataclass
class Client:
    """One ``ory_oauth2_client`` instance as Terraform would create or update it."""

    address: str
    name: str
    span: Span
    origin: Origin
    module_dir: str
    attributes: dict[str, Attribute] = field(default_factory=dict)
    duplicate_attributes: list[Attribute] = field(default_factory=list)
    nested_blocks: list[tuple[str, Span]] = field(default_factory=list)
    importing: bool = False
    replace_paths: list[tuple[str, ...]] = field(default_factory=list)
    source_mapped: bool = True

    def attr(self, name: str) -> Attribute | None:
        """Return the attribute if it is present and not ``null``."""
        attribute = self.attributes.get(name)
        if attribute is None or attribute.value is None:
            return None
        return attribute

    def is_set(self, name: str) -> bool:
        """Whether the attribute is present and not ``null`` (it may still be unknown)."""
        return self.attr(name) is not None

    def is_unknown(self, name: str) -> bool:
        """Whether the attribute is present but its value (or part of it) is unknown."""
        attribute = self.attr(name)
        return attribute is not None and not attribute.known

    def string(self, name: str) -> str | None:
        """Return a known string value (numbers and bools converted as Terraform would)."""
        attribute = self.attr(name)
        if attribute is None or isinstance(attribute.value, Unknown):
            return None
        return _as_terraform_string(attribute.value)

    def boolean(self, name: str) -> bool | None:
        """Return a known boolean value, accepting the strings Terraform converts."""
        attribute = self.attr(name)
        if attribute is None:
            return None
        value = attribute.value
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return value == "true"
        return None

    def strings(self, name: str) -> list[str] | None:
        """Return a fully known list of strings, or ``None`` when unset, unknown or not a list."""
        attribute = self.attr(name)
        if attribute is None or not attribute.known or not isinstance(attribute.value, list):
            return None
        converted = [_as_terraform_string(item) for item in attribute.value]
        if any(item is None for item in converted):
            return None
        return [item for item in converted if item is not None]

    def known_elements(self, name: str) -> Iterator[tuple[Element, str]]:
        """Yield each known string element of a list attribute with its element.

        Unknown elements are skipped: a list may be partly known (``["https://a", var.b]``) and
        element rules still apply to the known part.
        """
        attribute = self.attr(name)
        if attribute is None or attribute.elements is None:
            return
        for element in attribute.elements:
            text = (
                None if isinstance(element.value, Unknown) else _as_terraform_string(element.value)
            )
            if text is not None:
                yield element, text


def _as_terraform_string(value: object) -> str | None:
    """Convert a primitive the way Terraform converts it to a ``string`` attribute."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return _number_text(value)
    return None


def _number_text(value: float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class Reference:
    """A traversal found in an expression, e.g. ``ory_oauth2_client.web.client_secret``.

    ``parts`` holds the attribute names only (indexes are dropped): ``("ory_oauth2_client",
    "web", "client_secret")``. ``unmasked`` is true inside ``nonsensitive(...)``.
    """

    parts: tuple[str, ...]
    span: Span
    unmasked: bool = False

    @property
    def text(self) -> str:
        """The dotted form, for messages."""
        return ".".join(self.parts)


@dataclass
class Output:
    """An ``output`` block with what it references.

    ``value_attribute``, ``sensitive_attribute`` and ``block_end_line`` are known for outputs
    written in ``.tf`` files; the ORY701 fix needs them to add or flip ``sensitive``.
    """

    name: str
    span: Span
    module_dir: str
    value_span: Span
    references: list[Reference] = field(default_factory=list)
    sensitive: bool | None = False
    sensitive_attribute: Attribute | None = None
    value_attribute: Attribute | None = None
    block_end_line: int = 0


@dataclass
class Local:
    """One ``locals`` entry: its references are followed when an output uses ``local.name``."""

    name: str
    span: Span
    references: list[Reference] = field(default_factory=list)
    members: dict[str, list[Reference]] | None = None


@dataclass
class ModuleCall:
    """A ``module`` block: its name, its ``source`` (when literal) and the directory it loads."""

    name: str
    span: Span
    source: str | None
    module_dir: str
    target_dir: str | None = None
    has_for_each: bool = False
    has_count: bool = False
    arguments: dict[str, Attribute] = field(default_factory=dict)


@dataclass(frozen=True)
class ResourceAttribute:
    """One attribute of a ``resource`` block of any type, attributes of nested blocks included.

    Rules about where a value ends up (ORY702's plaintext sinks) or how Terraform treats a client
    (``lifecycle { ignore_changes }``) need attributes orylint does not otherwise model. ``path``
    locates the attribute: ``("content",)`` at the top level, ``("provisioner", "local-exec",
    "command")`` inside nested blocks (each block contributes its type and labels).
    """

    resource_type: str
    resource_name: str
    path: tuple[str, ...]
    attribute: Attribute
    references: tuple[Reference, ...] = ()

    @property
    def address(self) -> str:
        """``local_file.creds``, for messages."""
        return f"{self.resource_type}.{self.resource_name}"


@dataclass
class ProviderConfig:
    """A ``provider "name" { ... }`` block; ORY706 looks for API keys written as literals."""

    name: str
    span: Span
    module_dir: str
    attributes: dict[str, Attribute] = field(default_factory=dict)

    @property
    def address(self) -> str:
        """``provider.ory``, or ``provider.ory.<alias>`` for an aliased configuration."""
        alias = self.attributes.get("alias")
        if alias is not None and isinstance(alias.value, str):
            return f"provider.{self.name}.{alias.value}"
        return f"provider.{self.name}"


@dataclass
class Module:
    """Everything orylint knows about one Terraform module (a directory of ``.tf`` files)."""

    directory: str
    clients: list[Client] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)
    locals: dict[str, Local] = field(default_factory=dict)
    module_calls: list[ModuleCall] = field(default_factory=list)
    all_references: list[Reference] = field(default_factory=list)
    resource_attributes: list[ResourceAttribute] = field(default_factory=list)
    providers: list[ProviderConfig] = field(default_factory=list)
    import_ids: dict[str, Attribute | None] = field(default_factory=dict)
    import_targets: set[str] = field(default_factory=set)
    is_root: bool = True
    has_sources: bool = False
    variable_defaults: dict[str, object] = field(default_factory=dict)


@dataclass
class Project:
    """All modules of one scan; rules that follow secrets across files read this."""

    modules: dict[str, Module] = field(default_factory=dict)
    redactions: set[str] = field(default_factory=set)

    def module(self, directory: str) -> Module:
        """Return the module for ``directory``, creating it on first use."""
        if directory not in self.modules:
            self.modules[directory] = Module(directory)
        return self.modules[directory]

    @property
    def clients(self) -> Iterator[Client]:
        """Every client of every module, in a stable order."""
        for directory in sorted(self.modules):
            yield from self.modules[directory].clients

    def callers(self) -> Mapping[str, list[ModuleCall]]:
        """Map a module directory to the module calls that load it."""
        result: dict[str, list[ModuleCall]] = {}
        for module in self.modules.values():
            for call in module.module_calls:
                if call.target_dir is not None:
                    result.setdefault(call.target_dir, []).append(call)
        return result
