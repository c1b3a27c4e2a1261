"""The rule metadata in rules/*.yaml: valid, complete, and consistent with the catalogue."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

RULES_DIR = Path(__file__).parent.parent / "rules"
SCHEMA_PATH = RULES_DIR / "rule.schema.json"

# orylint's own rules (parse errors, suppressions) plus the 64 ids of the rule catalogue's index
# (spec/rules.md §4).
TOOL_IDS = frozenset({"ORY001", "ORY002", "ORY003", "ORY004", "ORY005"})
EXPECTED_IDS = frozenset(
    {
        *TOOL_IDS,
        *(f"ORY{n}" for n in range(101, 111)),
        *(f"ORY{n}" for n in range(201, 207)),
        *(f"ORY{n}" for n in range(301, 310)),
        *(f"ORY{n}" for n in range(401, 414)),
        *(f"ORY{n}" for n in range(501, 505)),
        *(f"ORY{n}" for n in range(601, 608)),
        *(f"ORY{n}" for n in range(701, 707)),
        *(f"ORY{n}" for n in range(801, 804)),
        *(f"ORY{n}" for n in range(901, 908)),
    }
)

RULE_FILES = sorted(RULES_DIR.glob("*.yaml"))


class _UniqueKeyLoader(yaml.SafeLoader):
    """A SafeLoader that refuses duplicate mapping keys instead of keeping the last one."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as stream:
        data = yaml.load(stream, Loader=_UniqueKeyLoader)
    assert isinstance(data, dict), f"{path.name}: top level must be a mapping"
    return data


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def rules() -> dict[str, dict[str, Any]]:
    return {path.stem: _load(path) for path in RULE_FILES}


def _errors(validator: Draft202012Validator, rule: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}"
        for error in sorted(validator.iter_errors(rule), key=lambda e: list(e.absolute_path))
    ]


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda path: path.stem)
def test_rule_file_matches_schema(path: Path, validator: Draft202012Validator) -> None:
    errors = _errors(validator, _load(path))
    assert not errors, f"{path.name}:\n" + "\n".join(errors)


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda path: path.stem)
def test_file_name_is_rule_id(path: Path) -> None:
    assert _load(path)["id"] == path.stem


def test_rule_ids_are_the_catalogue(rules: dict[str, dict[str, Any]]) -> None:
    ids = {rule["id"] for rule in rules.values()}
    assert not EXPECTED_IDS - ids, f"missing rule files: {sorted(EXPECTED_IDS - ids)}"
    assert not ids - EXPECTED_IDS, f"rules not in the catalogue: {sorted(ids - EXPECTED_IDS)}"
    assert len(rules) == len(EXPECTED_IDS) == 70


def test_rule_names_are_unique(rules: dict[str, dict[str, Any]]) -> None:
    owners: dict[str, list[str]] = {}
    for rule_id, rule in rules.items():
        owners.setdefault(rule["name"], []).append(rule_id)
    duplicates = {name: ids for name, ids in owners.items() if len(ids) > 1}
    assert not duplicates, f"names used by more than one rule: {duplicates}"


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda path: path.stem)
def test_security_severity_exactly_on_security_rules(path: Path) -> None:
    rule = _load(path)
    if "security" in rule["tags"]:
        assert "security_severity" in rule, "security-tagged rule needs security_severity"
    else:
        assert "security_severity" not in rule, "security_severity needs the security tag"


def _mutations() -> list[tuple[str, Any]]:
    """Broken variants of a valid rule that the schema must reject."""

    def without(key: str) -> Any:
        return lambda rule: rule.pop(key)

    def setting(key: str, value: Any) -> Any:
        return lambda rule: rule.__setitem__(key, value)

    return [
        ("unknown key", setting("severity_override", "error")),
        ("missing rationale", without("rationale")),
        ("lower-case id", setting("id", "ory201")),
        ("name not kebab-case", setting("name", "Lifespan_Not_Go_Duration")),
        ("unknown family", setting("family", "misc")),
        ("unknown severity", setting("severity", "info")),
        ("unknown basis", setting("basis", "MAYBE")),
        ("summary with trailing period", setting("summary", "Lifespan is not a Go duration.")),
        ("summary too long", setting("summary", "x" * 121)),
        ("multi-line fix", setting("fix", "first line\nsecond line")),
        ("empty what_it_does", setting("what_it_does", "")),
        ("what_it_does over the SARIF limit", setting("what_it_does", "x" * 1025)),
        ("no references", setting("references", [])),
        ("plain-http reference", setting("references", [{"title": "t", "url": "http://x.org/"}])),
        ("unknown tag", setting("tags", ["oauth2", "misc"])),
        ("security tag without severity", setting("tags", ["security", "oauth2"])),
        ("severity without security tag", setting("security_severity", "5.5")),
        ("bad config key", setting("config", ["Lifespans Access"])),
        ("good example without a client", setting("examples", {"bad": "x", "good": "y"})),
    ]


@pytest.mark.parametrize(("label", "mutate"), _mutations(), ids=[m[0] for m in _mutations()])
def test_schema_rejects_broken_rule(
    label: str, mutate: Any, validator: Draft202012Validator, rules: dict[str, dict[str, Any]]
) -> None:
    rule = copy.deepcopy(rules["ORY201"])
    assert not _errors(validator, rule), "the base rule must be valid"
    mutate(rule)
    assert _errors(validator, rule), f"schema accepted a rule with {label}"
