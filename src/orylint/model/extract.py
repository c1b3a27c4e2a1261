"""Documents of one scan to the model: clients, outputs, locals and module calls per module.

Also the attributes of every resource block and the provider blocks (the secret rules need
them). This is the only place that knows which Terraform block types matter to orylint.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from orylint.model.ory_project import provider_key
from orylint.model.project import (
    Client,
    Local,
    Module,
    ModuleCall,
    Origin,
    Output,
    Project,
    ProviderConfig,
    ResourceAttribute,
)
from orylint.terraform.discover import JSON_SUFFIXES
from orylint.terraform.document import Block, Document
from orylint.terraform.modules import ModuleConfig, local_source
from orylint.terraform.provider_schema import resource_schema
from orylint.terraform.resources import CLIENT_RESOURCE_TYPES
from orylint.terraform.values import Attribute, Reference, Span, Unknown


def add_documents(
    project: Project, directory: str, documents: Iterable[Document], origin: Origin
) -> None:
    """Add every block of interest from a module directory's documents to the project."""
    module = project.module(directory)
    module.has_sources = True
    documents = list(documents)
    if module.config is None:
        module.config = ModuleConfig(directory)
    for document in documents:
        for block in document.blocks:
            module.config.add(block)
    imported: set[str] = set()
    import_ids: dict[str, list[Attribute | None]] = {}
    for document in documents:
        document_origin: Origin = "hcl-json" if document.path.endswith(JSON_SUFFIXES) else origin
        for block in document.blocks:
            _add_block(module, block, document_origin)
            if block.type == "import" and "to" in block.attributes:
                imported.update(ref.text for ref in block.attributes["to"].references)
                source = "".join(block.attributes["to"].attribute.source.split())
                module.import_addresses.add(source)  # with its instance key, as written
                import_id = block.attributes.get("id")
                for ref in block.attributes["to"].references:
                    import_ids.setdefault(ref.text, []).append(
                        import_id.attribute if import_id is not None else None
                    )
    module.import_targets |= imported
    for client in module.clients:
        if client.address in imported:
            client.importing = True
    for target, ids in import_ids.items():
        module.import_ids[target] = ids[0] if len(ids) == 1 else None  # several: instance ids


def mark_roots(project: Project) -> None:
    """A module directory is a root module unless another scanned module calls it."""
    called = set(project.callers())
    for directory, module in project.modules.items():
        module.is_root = directory not in called


def _add_block(module: Module, block: Block, origin: Origin) -> None:
    if (
        block.type == "resource"
        and len(block.labels) == 2
        and block.labels[0] in CLIENT_RESOURCE_TYPES
    ):
        if not _never_created(block):
            module.clients.append(_client(module.directory, block, origin))
    elif block.type == "output" and len(block.labels) == 1:
        module.outputs.append(_output(module.directory, block))
    elif block.type == "locals":
        for name, attribute in block.attributes.items():
            module.locals[name] = Local(
                name, attribute.attribute.span, attribute.references, attribute.members
            )
    elif block.type == "module" and len(block.labels) == 1:
        module.module_calls.append(_module_call(module.directory, block))
    if block.type == "resource" and len(block.labels) == 2:
        module.resource_attributes.extend(
            _resource_attributes(block.labels[0], block.labels[1], block, ())
        )
    elif block.type == "provider" and len(block.labels) == 1:
        module.providers.append(
            ProviderConfig(
                name=block.labels[0],
                span=block.header_span,
                module_dir=module.directory,
                attributes={key: value.attribute for key, value in block.attributes.items()},
            )
        )
    module.all_references.extend(_references(block))


def _never_created(block: Block) -> bool:
    """``count = 0`` or an empty literal ``for_each``: Terraform creates no instance to lint."""
    count = block.attributes.get("count")
    if count is not None and count.attribute.value == 0:
        return True
    for_each = block.attributes.get("for_each")
    return for_each is not None and for_each.attribute.value in ({}, [])


def _client(directory: str, block: Block, origin: Origin) -> Client:
    resource_type, name = block.labels
    attributes = {key: value.attribute for key, value in block.attributes.items()}
    argument_blocks = _argument_block_types(resource_type)
    attributes.update(_argument_blocks(block, argument_blocks))
    client = Client(
        address=f"{resource_type}.{name}",
        name=name,
        span=block.header_span,
        origin=origin,
        module_dir=directory,
        attributes=attributes,
        duplicate_attributes=[duplicate.attribute for duplicate in block.duplicates],
        nested_blocks=[
            (nested.type, nested.header_span)
            for nested in block.blocks
            if not _generates(nested, argument_blocks)  # `dynamic "jwk"`: the resource has it
        ],
        provider=provider_key(_source(block, "provider"), resource_type),
        resource_type=resource_type,
    )
    return client


def _argument_block_types(resource_type: str) -> frozenset[str]:
    """Nested block types that are arguments of the resource (``jwk``), not Terraform's own."""
    names = resource_schema(resource_type).get("x-terraform-nested-blocks", [])
    return frozenset(name for name in names if name not in _META_BLOCKS)


def _generates(nested: Block, argument_blocks: frozenset[str]) -> bool:
    return (
        nested.type == "dynamic" and nested.labels[:1] != [] and nested.labels[0] in argument_blocks
    )


def _argument_blocks(block: Block, argument_blocks: frozenset[str]) -> dict[str, Attribute]:
    """Nested blocks that are arguments of the resource (``jwk { ... }``), as list attributes.

    A plan shows such blocks as a list of objects under the block type; reading the ``.tf`` the
    same way keeps one model for both. The attribute spans the blocks as written. Blocks that a
    ``dynamic`` block generates are not known before evaluation: the whole list is unknown.
    """
    found: dict[str, list[Block]] = {}
    for nested in block.blocks:
        if nested.type in argument_blocks:
            found.setdefault(nested.type, []).append(nested)
        elif _generates(nested, argument_blocks):
            found.setdefault(nested.labels[0], []).append(nested)
    result = {}
    for name, blocks in found.items():
        first, last = blocks[0].span, blocks[-1].span
        span = Span(
            first.path, first.start_line, first.start_column, last.end_line, last.end_column
        )
        value: object = [
            {key: item.attribute.value for key, item in nested.attributes.items()}
            for nested in blocks
        ]
        if any(nested.type == "dynamic" for nested in blocks):
            value = Unknown("generated by a dynamic block", f'dynamic "{name}"')
        sensitive = any(item.attribute.sensitive for b in blocks for item in b.attributes.values())
        result[name] = Attribute(name, value, span, span, sensitive=sensitive)
    return result


_META_BLOCKS = frozenset({"lifecycle", "provisioner", "connection", "dynamic"})


def _source(block: Block, name: str) -> str | None:
    attribute = block.attributes.get(name)
    return attribute.attribute.source if attribute is not None else None


def _output(directory: str, block: Block) -> Output:
    value = block.attributes.get("value")
    sensitive = block.attributes.get("sensitive")
    flag: bool | None = False
    if sensitive is not None:
        raw = sensitive.attribute.value
        flag = raw if isinstance(raw, bool) else (None if raw is not None else False)
        if raw in ("true", "false"):
            flag = raw == "true"
    return Output(
        name=block.labels[0],
        span=block.header_span,
        module_dir=directory,
        value_span=value.attribute.value_span if value else block.header_span,
        references=value.references if value else [],
        members=value.members if value else None,
        sensitive=flag,
        sensitive_attribute=sensitive.attribute if sensitive else None,
        value_attribute=value.attribute if value else None,
        block_end_line=block.span.end_line,
    )


def _module_call(directory: str, block: Block) -> ModuleCall:
    source_attribute = block.attributes.get("source")
    source = source_attribute.attribute.value if source_attribute else None
    source_text = source if isinstance(source, str) else None
    return ModuleCall(
        name=block.labels[0],
        span=block.header_span,
        source=source_text,
        module_dir=directory,
        target_dir=local_source(directory, block),
        argument_references={
            key: value.references
            for key, value in block.attributes.items()
            if key not in _MODULE_META_ARGUMENTS
        },
    )


_MODULE_META_ARGUMENTS = frozenset(
    {"source", "version", "count", "for_each", "providers", "depends_on"}
)


def _resource_attributes(
    resource_type: str, name: str, block: Block, prefix: tuple[str, ...]
) -> Iterator[ResourceAttribute]:
    """Every attribute of a resource block, nested blocks' attributes under their type/labels."""
    for key, value in block.attributes.items():
        yield ResourceAttribute(
            resource_type, name, (*prefix, key), value.attribute, tuple(value.references)
        )
    for nested in block.blocks:
        yield from _resource_attributes(
            resource_type, name, nested, (*prefix, nested.type, *nested.labels)
        )


def _references(block: Block) -> Iterator[Reference]:
    for attribute in block.attributes.values():
        yield from attribute.references
    for nested in block.blocks:
        yield from _references(nested)
