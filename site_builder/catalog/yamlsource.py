"""YAML parsing that remembers where every key and item came from.

Pydantic reports a problem by its location inside the data (``("stacks_to", 2)``);
contributors need a file line. We compose the YAML node tree once, build the plain
Python value from it, and record the source line and column of each location so
any error can be pointed at the line that caused it.
"""

from __future__ import annotations

import hashlib
import pickle
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.cyaml import CParser
from yaml.resolver import Resolver

from site_builder.errors import excerpt
from site_builder.output import UNREADABLE, write_whole

Location = tuple[str | int, ...]

#: the longest whole number a catalog file may hold (Python refuses to read past 4,300 digits)
INT_DIGITS = 30


ANCHOR_MESSAGE = "YAML anchors and aliases are not allowed; write the value out"

# YAML 1.2 core schema. PyYAML follows YAML 1.1, where `012` is octal 10, `1:30` is 90,
# `No` is false and `2024-01-01` a date: values that silently differ from what was typed.
# Here a value is a bool, null, int or float only when written the one obvious way;
# everything else is text. Integers with leading zeros stay text, so the models can say
# "without leading zeros" instead of guessing what was meant.
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|(?:0|[1-9][0-9]*)(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_FIRST_CHARS = {
    "tag:yaml.org,2002:bool": "tTfF",
    "tag:yaml.org,2002:null": ["~", "n", "N", ""],
    "tag:yaml.org,2002:int": "-+0123456789",
    "tag:yaml.org,2002:float": "-+.0123456789",
}


class _AnchorFound(Exception):
    def __init__(self, mark: yaml.Mark):
        super().__init__(ANCHOR_MESSAGE)
        self.mark = mark


#: the most values (keys, items, scalars) one file may hold: a credential holds about 60, a
#: state's career fields 50; a file of 200,000 items would give as many errors, slowly
MAX_NODES = 5_000
NODES_MESSAGE = f"the file holds more than {MAX_NODES:,} values; no catalog file needs as many"


class _TooLarge(Exception):
    def __init__(self, mark: yaml.Mark):
        super().__init__(NODES_MESSAGE)
        self.mark = mark


class _CoreSchema:
    """Safe YAML with the YAML 1.2 core schema, and without anchors or aliases.

    Anchors are refused while composing, before any node is shared: an alias can
    make a value contain itself or grow exponentially ("billion laughs"). Dates stay
    strings, so the models parse them strictly and report bad ones with a position.
    """

    yaml_implicit_resolvers: ClassVar[dict] = {}

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _AnchorFound(event.start_mark)
        self.nodes = getattr(self, "nodes", 0) + 1
        if self.nodes > MAX_NODES:
            raise _TooLarge(event.start_mark)
        return super().compose_node(parent, index)

    def construct_yaml_bool(self, node: yaml.ScalarNode) -> bool:
        value = self.construct_scalar(node)
        if not _BOOL.match(value):
            raise yaml.constructor.ConstructorError(
                None, None, f"expected true or false, found {excerpt(value)}", node.start_mark
            )
        return value.lower() == "true"

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        value = self.construct_scalar(node)
        if not _INT.match(value):
            raise yaml.constructor.ConstructorError(
                None, None, f"expected a whole number, found {excerpt(value)}", node.start_mark
            )
        if len(value.lstrip("+-")) > INT_DIGITS:
            raise yaml.constructor.ConstructorError(
                None, None, f"a whole number of more than {INT_DIGITS} digits", node.start_mark
            )
        return int(value)

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:
        value = self.construct_scalar(node)
        if not _FLOAT.match(value):
            raise yaml.constructor.ConstructorError(
                None, None, f"expected a number, found {excerpt(value)}", node.start_mark
            )
        lowered = value.lower()
        if lowered.endswith((".inf", ".nan")):
            return float(lowered.replace(".", ""))
        return float(value)


class _Loader(_CoreSchema, Composer, CParser, SafeConstructor, Resolver):  # type: ignore[misc]
    """The text scanned and parsed by libyaml (``CParser``: a state's 1,500 credentials
    took 5 s with PyYAML's own parser, 0.7 s with this) and composed by PyYAML's
    ``Composer``, which comes before it so that ``compose_node`` sees every event."""

    def __init__(self, text: str):
        CParser.__init__(self, text)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        Composer.__init__(self)


class _WordingLoader(_CoreSchema, yaml.SafeLoader):  # type: ignore[misc]
    """PyYAML's own parser, only to word a syntax error (libyaml's words differ)."""


for _class in (_Loader, _WordingLoader):
    for _tag, _pattern in (
        ("tag:yaml.org,2002:bool", _BOOL),
        ("tag:yaml.org,2002:null", _NULL),
        ("tag:yaml.org,2002:int", _INT),
        ("tag:yaml.org,2002:float", _FLOAT),
    ):
        _class.add_implicit_resolver(_tag, _pattern, list(_FIRST_CHARS[_tag]))
        _class.add_constructor(_tag, getattr(_class, f"construct_yaml_{_tag.rsplit(':', 1)[1]}"))


@dataclass
class YamlDocument:
    """A parsed YAML value plus the 1-based (line, column) of each location in it."""

    data: Any
    positions: dict[Location, tuple[int, int]] = field(default_factory=dict)
    first_line: int = 1
    #: (location of the repeated key, its line, the line where it first appeared)
    duplicate_keys: list[tuple[Location, int, int]] = field(default_factory=list)

    def position(self, location: Location) -> tuple[int, int]:
        """The position of ``location``, or of its nearest ancestor that has one."""
        for end in range(len(location), -1, -1):
            found = self.positions.get(tuple(location[:end]))
            if found is not None:
                return found
        return (self.first_line, 1)


class YamlSyntaxError(Exception):
    """The text is not YAML; carries the 1-based line and column of the problem."""

    def __init__(self, message: str, line: int, column: int | None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


#: the documents, pickled, by a hash of their text, its line offset and ``_CODE_KEY``: those
#: of earlier builds and those of this one (``remembered_parses``); both None outside it
_earlier: dict[bytes, bytes] | None = None
_this_build: dict[bytes, bytes] | None = None

#: what a remembered document depends on besides its text: this module and PyYAML
_CODE_KEY = hashlib.sha256(Path(__file__).read_bytes() + yaml.__version__.encode()).digest()


@contextmanager
def remembered_parses(file: Path | None) -> Iterator[None]:
    """Within the block, ``parse_yaml`` of a text that an earlier build parsed gives the
    document kept in ``file`` instead of parsing it again (a state's 1,900 catalog files:
    about 1 s of a rebuild); on leaving, ``file`` keeps the documents of this build's
    texts. A document depends only on its text, its line offset, this module and PyYAML's
    version, all in the key; a text that is not YAML is parsed every time. ``file`` None,
    or unreadable: everything is parsed."""
    global _earlier, _this_build
    earlier: dict[bytes, bytes] = {}
    if file is not None:
        try:
            earlier = pickle.loads(file.read_bytes())
            if not isinstance(earlier, dict):
                earlier = {}
        except UNREADABLE:
            earlier = {}
    _earlier, _this_build = earlier, {}
    try:
        yield
        kept = _this_build
    finally:
        _earlier = _this_build = None
    if file is not None and kept != earlier:
        write_whole(file, pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL))


def parse_yaml(text: str, line_offset: int = 0) -> YamlDocument:
    """Parse one YAML document; ``line_offset`` shifts lines (front matter in a file)."""
    if _this_build is None or _earlier is None:
        return _parse_yaml(text, line_offset)
    # the offset ends at a NUL, so that no other offset and text make the same bytes
    key = hashlib.sha256(_CODE_KEY + f"{line_offset}\0{text}".encode()).digest()
    stored = _earlier.get(key) or _this_build.get(key)
    if stored is None:
        stored = pickle.dumps(_parse_yaml(text, line_offset), protocol=pickle.HIGHEST_PROTOCOL)
    _this_build[key] = stored
    # a document of its own for every caller, as if just parsed
    document: YamlDocument = pickle.loads(stored)
    return document


def _parse_yaml(text: str, line_offset: int) -> YamlDocument:
    try:
        try:
            node, data = _load(_Loader, text)
        except (yaml.YAMLError, RecursionError):
            node, data = _load(_WordingLoader, text)  # raises the same error, in PyYAML's words
    except (_AnchorFound, _TooLarge) as exc:
        raise YamlSyntaxError(str(exc), exc.mark.line + 1 + line_offset, exc.mark.column + 1) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if mark is None:
            raise YamlSyntaxError(f"invalid YAML: {problem}", line_offset + 1, None) from None
        raise YamlSyntaxError(
            f"invalid YAML: {problem}", mark.line + 1 + line_offset, mark.column + 1
        ) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(f"invalid YAML: {exc}", line_offset + 1, None) from None
    except RecursionError:
        raise YamlSyntaxError("invalid YAML: nested too deeply", line_offset + 1, None) from None
    document = YamlDocument(data=data, first_line=line_offset + 1)
    if node is not None:
        _record_positions(node, (), document, line_offset)
    return document


def _load(loader_class: type[_Loader | _WordingLoader], text: str) -> tuple[yaml.Node | None, Any]:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        return node, loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


def _record_positions(node: yaml.Node, location: Location, document: YamlDocument, offset: int) -> None:
    positions = document.positions
    positions.setdefault(location, (node.start_mark.line + 1 + offset, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            child = (*location, _key_of(key_node))
            # A key's errors point at the key itself, the line a contributor looks for.
            key_position = (key_node.start_mark.line + 1 + offset, key_node.start_mark.column + 1)
            if child in positions:
                document.duplicate_keys.append((child, key_position[0], positions[child][0]))
                continue
            positions[child] = key_position
            if isinstance(value_node, yaml.MappingNode | yaml.SequenceNode):
                _record_positions(value_node, child, document, offset)
                positions[child] = key_position
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_positions(item, (*location, index), document, offset)


_SCALAR_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("bool", "null", "int", "float"))
_KEY_BUILDER = _Loader("")


def _key_of(node: yaml.ScalarNode) -> object:
    """The key as the data holds it: ``1:`` is the integer 1, ``true:`` the boolean."""
    if node.tag in _SCALAR_TAGS:
        return _Loader.yaml_constructors[node.tag](_KEY_BUILDER, node)
    return node.value
