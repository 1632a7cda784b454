"""YAML parsing that remembers where every key and item came from.

Pydantic reports a problem by its location inside the data (``("stacks_to", 2)``);
contributors need a file line. We compose the YAML node tree once, build the plain
Python value from it, and record the source line and column of each location so
any error can be pointed at the line that caused it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Location = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps: dates stay strings for strict parsing.

    PyYAML turns ``2024-13-01`` into a crash inside the loader; keeping dates as text
    lets the models reject bad dates with a normal, positioned error.
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


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


def parse_yaml(text: str, line_offset: int = 0) -> YamlDocument:
    """Parse one YAML document; ``line_offset`` shifts lines (front matter in a file)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
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
    finally:
        loader.dispose()
    document = YamlDocument(data=data, first_line=line_offset + 1)
    if node is not None:
        _record_positions(node, (), document, line_offset)
    return document


def _record_positions(node: yaml.Node, location: Location, document: YamlDocument, offset: int) -> None:
    positions = document.positions
    positions.setdefault(location, (node.start_mark.line + 1 + offset, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            child = (*location, key_node.value)
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
