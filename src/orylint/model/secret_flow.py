"""Follow references to a client's secrets through locals and module outputs.

The secrets are each client resource's ``secret_attributes``: ``client_secret``, and the
``registration_access_token`` of a dynamically registered client. Terraform marks them
sensitive; the mark travels through locals, function calls and whole-object references, and
across module outputs. The rules about secret exposure (ORY701,
ORY702) need to know, for one reference, whether its value carries the secret. This module
answers that statically, erring on the side of "unknown" only where the configuration does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from orylint.model.project import Module, Project
from orylint.terraform.provider_schema import is_whole_client
from orylint.terraform.resources import CLIENT_RESOURCE_TYPES, client_resource
from orylint.terraform.values import Reference

SECRET_ATTRIBUTE = "client_secret"


@dataclass(frozen=True)
class SecretPath:
    """How a reference reaches a secret: the client and the chain of names in between."""

    client: str
    via: tuple[str, ...]
    unmasked: bool
    module_dir: str = ""

    def describe(self) -> str:
        """``ory_oauth2_client.web.client_secret`` (via local.creds)."""
        chain = f" (via {' -> '.join(self.via)})" if self.via else ""
        return f"{self.client}{chain}"

    @property
    def address(self) -> str:
        """The client resource (``ory_oauth2_client.web``), found in ``module_dir``."""
        return ".".join(self.client.split(".")[:2])

    @property
    def names_secret(self) -> bool:
        """Whether the path selects a secret attribute itself rather than the whole object."""
        return self.client.count(".") > 1

    @property
    def secret(self) -> str:
        """The secret attribute reached (``client_secret`` for a whole client)."""
        return self.client.split(".")[2] if self.names_secret else SECRET_ATTRIBUTE


class SecretFlow:
    """Resolves references of one project (module calls are indexed once, on creation)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._calls = {
            (module.directory, call.name): call
            for module in project.modules.values()
            for call in module.module_calls
        }

    def reaches(self, module: Module, reference: Reference) -> list[SecretPath]:
        """Every way ``reference`` (written in ``module``) carries a client secret."""
        return self._resolve(
            module, reference.parts, reference.unmasked, (), frozenset(), reference.shallow
        )

    def _resolve(
        self,
        module: Module,
        parts: tuple[str, ...],
        unmasked: bool,
        via: tuple[str, ...],
        seen: frozenset[tuple[str, str]],
        shallow: bool = False,
    ) -> list[SecretPath]:
        """``shallow``: the unmask removes only the mark on this value, not marks inside it."""
        if len(parts) < 2:
            return []
        head = parts[0]
        if head in CLIENT_RESOURCE_TYPES:
            if len(parts) == 2 or parts[2] in client_resource(head).secret_attributes:
                client = ".".join(parts[:3])
                whole = len(parts) == 2  # the secret sits inside the object, still marked
                return [
                    SecretPath(client, via, unmasked and not (shallow and whole), module.directory)
                ]
            return []
        if head == "local":
            return self._through_local(module, parts, unmasked, via, seen, shallow)
        if head == "module":
            return self._through_module(module, parts, unmasked, via, seen, shallow)
        if head == "var":
            return self._through_variable(module, parts, unmasked, via, seen, shallow)
        return []

    def _follow(
        self,
        module: Module,
        references: Iterable[Reference],
        rest: tuple[str, ...],
        unmasked: bool,
        via: tuple[str, ...],
        seen: frozenset[tuple[str, str]],
        shallow: bool,
    ) -> list[SecretPath]:
        """Resolve the references a value is made of; ``rest`` selects inside a whole client."""
        paths = []
        for reference in references:
            inner = reference.parts
            if is_whole_client(inner) and rest:
                inner = inner + rest
            paths.extend(
                self._resolve(
                    module,
                    inner,
                    unmasked or reference.unmasked,
                    via,
                    seen,
                    reference.shallow if reference.unmasked else shallow,
                )
            )
        return paths

    def _through_variable(
        self,
        module: Module,
        parts: tuple[str, ...],
        unmasked: bool,
        via: tuple[str, ...],
        seen: frozenset[tuple[str, str]],
        shallow: bool,
    ) -> list[SecretPath]:
        """``var.x`` in a called module holds what each call passes as ``x``."""
        key = (module.directory, f"var.{parts[1]}")
        if key in seen:
            return []
        paths = []
        for call in self.project.callers().get(module.directory, []):
            caller = self.project.modules.get(call.module_dir)
            if caller is not None:
                references = call.argument_references.get(parts[1], [])
                step = (*via, f"var.{parts[1]}")
                paths += self._follow(
                    caller, references, parts[2:], unmasked, step, seen | {key}, shallow
                )
        return paths

    def _through_local(
        self,
        module: Module,
        parts: tuple[str, ...],
        unmasked: bool,
        via: tuple[str, ...],
        seen: frozenset[tuple[str, str]],
        shallow: bool,
    ) -> list[SecretPath]:
        key = (module.directory, f"local.{parts[1]}")
        local = module.locals.get(parts[1])
        if local is None or key in seen:
            return []
        references = local.references
        rest = parts[2:]
        if local.members is not None and rest:
            # `local.creds.id` of `locals { creds = { id = ..., secret = ... } }` holds only `id`
            references = local.members.get(rest[0], [])
            rest = rest[1:]
        elif local.members is not None and shallow:
            unmasked = False  # nonsensitive(local.creds): the members keep their marks
        step = (*via, f"local.{parts[1]}")
        return self._follow(module, references, rest, unmasked, step, seen | {key}, shallow)

    def _through_module(
        self,
        module: Module,
        parts: tuple[str, ...],
        unmasked: bool,
        via: tuple[str, ...],
        seen: frozenset[tuple[str, str]],
        shallow: bool,
    ) -> list[SecretPath]:
        call = self._calls.get((module.directory, parts[1]))
        if call is None or call.target_dir is None:
            return []
        child = self.project.modules.get(call.target_dir)
        if child is None:
            return []
        if len(parts) == 2 and shallow:
            unmasked = False  # nonsensitive(module.x): its outputs keep their marks
        outputs = [o for o in child.outputs if len(parts) == 2 or o.name == parts[2]]
        paths = []
        for output in outputs:
            key = (child.directory, f"output.{output.name}")
            if key in seen:
                continue
            step = (*via, f"module.{parts[1]}.{output.name}")
            references, rest = output.references, parts[3:]
            if output.members is not None and rest:
                # `module.x.creds.client_id` of an object output holds only `client_id`
                references, rest = output.members.get(rest[0], []), rest[1:]
            paths += self._follow(child, references, rest, unmasked, step, seen | {key}, shallow)
        return paths
