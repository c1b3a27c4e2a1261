"""The model every rule sees, whatever the input format.

Loaders (HCL, ``.tf.json``, plan and state JSON) build these objects; rules read them and nothing
else. Keeping "unset" (absent or ``null``), "known" and "unknown" apart is the point of this
module: a rule may only decide on known values, so an unresolvable reference never produces a
finding.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # annotations only: the model's types load without the evaluator
    from orylint.model.ory_project import ProjectFacts
    from orylint.terraform.modules import ModuleConfig
from orylint.terraform.provider_schema import is_sensitive_name
from orylint.terraform.values import Attribute, Element, Reference, Span, Unknown

Origin = Literal["hcl", "hcl-json", "plan", "state"]


@dataclass
class Client:
    """One OAuth2 client instance as Terraform would create or update it.

    ``resource_type`` says which resource wrote it (``ory_oauth2_client``, ``hydra_oauth2_client``
    ...). ``attributes`` are in the model's terms, those of ``ory_oauth2_client``, whatever the
    resource; ``written`` keeps the arguments as the resource spells them, for the checks of the
    resource's own schema (ORY101). It is empty when the two are the same.
    """

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
    provider: str = "ory"
    resource_type: str = "ory_oauth2_client"
    written: dict[str, Attribute] = field(default_factory=dict)

    @property
    def arguments(self) -> dict[str, Attribute]:
        """The arguments as written in the resource's own syntax (what its schema judges)."""
        return self.written or self.attributes

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
    members: dict[str, list[Reference]] | None = None
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
    argument_references: dict[str, list[Reference]] = field(default_factory=dict)


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
    import_addresses: set[str] = field(default_factory=set)
    is_root: bool = True
    has_sources: bool = False
    config: ModuleConfig | None = None
    evaluation_problems: list[tuple[str, Span | None]] = field(default_factory=list)


@dataclass
class Project:
    """All modules of one scan; rules that follow secrets across files read this."""

    modules: dict[str, Module] = field(default_factory=dict)
    redactions: set[str] = field(default_factory=set)
    ory_projects: dict[str, ProjectFacts] = field(default_factory=dict)

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

    def sensitive_lines(self) -> dict[str, set[int]]:
        """The source lines, per file, of every attribute whose value is a secret.

        Reports must not show these lines even when a finding about something else points at
        them (a one-line block, a minified ``.tf.json``): a client's and a provider's sensitive
        arguments, any attribute whose value Terraform marks sensitive, and the default of a
        variable declared ``sensitive = true``.
        """
        attributes: list[tuple[str, Attribute]] = []
        for module in self.modules.values():
            for client in module.clients:
                attributes.extend((name, a) for name, a in client.attributes.items())
                attributes.extend((a.name, a) for a in client.duplicate_attributes)
            for provider in module.providers:
                attributes.extend(provider.attributes.items())
            attributes.extend((r.path[-1], r.attribute) for r in module.resource_attributes)
            for variable in module.config.variables.values() if module.config else ():
                flag, default = (
                    variable.attributes.get("sensitive"),
                    variable.attributes.get("default"),
                )
                if flag is not None and flag.attribute.value is True and default is not None:
                    attributes.append(("", replace(default.attribute, sensitive=True)))
        lines: dict[str, set[int]] = {}
        for name, attribute in attributes:
            if attribute.sensitive or is_sensitive_name(name):
                for span in (attribute.span, attribute.value_span):
                    lines.setdefault(span.path, set()).update(
                        range(span.start_line, span.end_line + 1)
                    )
        return lines

    def callers(self) -> Mapping[str, list[ModuleCall]]:
        """Map a module directory to the module calls that load it."""
        result: dict[str, list[ModuleCall]] = {}
        for module in self.modules.values():
            for call in module.module_calls:
                if call.target_dir is not None:
                    result.setdefault(call.target_dir, []).append(call)
        return result
