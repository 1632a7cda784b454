"""Writing a credential file's front matter by lines, so that an import touches nothing else.

A re-import changes a fact only when the list says something new, and then only the lines of
that one key: every other line (contributors' facts, their order, their comments, the
Markdown body) stays byte for byte. A value is written in flow style (``[a, b]`` for a
list), plain when the catalog's YAML reader gives back exactly the same value, else in
double quotes; a comment at the end of a changed line is kept.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import NamedTuple

import yaml

from site_builder.catalog.yamlsource import YamlSyntaxError, parse_yaml

Fact = str | int | Decimal | dt.date | list[str] | None


def plain_value(value: Fact) -> object:
    """The value as the catalog's YAML reader gives it back (dates stay text)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [plain_value(item) for item in value]
    return value


def render(value: Fact) -> str:
    """``value`` as the YAML text after ``key: ``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return str(plain_value(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_text(str(item), in_list=True) for item in value) + "]"
    return _text(value, in_list=False)


def _text(value: str, in_list: bool) -> str:
    shown = f"[{value}]" if in_list else value
    try:
        read = parse_yaml(f"v: {shown}\n").data
    except YamlSyntaxError:
        read = None
    expected = [value] if in_list else value
    plain_ok = (
        isinstance(read, dict)
        and read.get("v") == expected
        and value == value.strip()
        and "#" not in value
        and not value.startswith(("'", '"', "&", "*", "!", "|", ">", "%", "@", "`"))
    )
    return value if plain_ok else json.dumps(value, ensure_ascii=False)


def new_file(facts: Mapping[str, Fact]) -> str:
    """A credential file holding ``facts`` (in the order given) and no body yet."""
    lines = [f"{key}: {render(value)}\n" for key, value in facts.items()]
    return "---\n" + "".join(lines) + "---\n"


def _front_lines(text: str) -> tuple[list[str], int]:
    """The file's lines and the index of the closing ``---`` line."""
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines[1:], start=1):
        if line.rstrip() == "---":
            return lines, index
    raise ValueError("front matter is not closed")


class _Span(NamedTuple):
    first: int  # the key's line (an index into the file's lines)
    last: int  # the value's last line
    comment: str  # the comment that ends the last line, if any
    item_indent: str | None  # a block list's indentation before "- "; None: not a block list


def _key_spans(lines: list[str], end: int, start: int = 1) -> dict[str, _Span]:
    """Each top-level key's lines, the comment ending them and the indentation of a block list;
    the YAML is ``lines[start:end]`` (a front matter's, by default)."""
    front = "".join(lines[start:end])
    node = yaml.compose(front, Loader=yaml.SafeLoader)
    spans: dict[str, _Span] = {}
    if not isinstance(node, yaml.MappingNode):
        return spans
    for key_node, value_node in node.value:
        first = key_node.start_mark.line + start
        mark = value_node.end_mark
        if mark.column == 0 and mark.line > value_node.start_mark.line:
            last, rest = mark.line + start - 1, ""
        else:
            last = mark.line + start
            rest = lines[last][mark.column :].rstrip("\n") if last < end else ""
        last = min(last, end - 1)
        # blank and comment lines before the next key belong to it, not to this value
        while last > first and (not lines[last].strip() or lines[last].lstrip().startswith("#")):
            last -= 1
        comment = rest.strip() if rest.strip().startswith("#") else ""
        item_indent = None
        if isinstance(value_node, yaml.SequenceNode) and not value_node.flow_style and value_node.value:
            item_line = lines[value_node.value[0].start_mark.line + start]
            item_indent = item_line[: len(item_line) - len(item_line.lstrip(" "))]
        spans[str(key_node.value)] = _Span(first, last, comment, item_indent)
    return spans


def update(text: str, changes: Mapping[str, Fact], order: Iterable[str]) -> str:
    """``text`` (a credential file) with each key of ``changes`` set to its value: its lines
    replaced where the key is, else a new line after the nearest key before it in ``order``
    (the fields' order), else after the first key."""
    lines, end = _front_lines(text)
    return _updated(lines, end, changes, order, start=1)


def update_yaml(text: str, changes: Mapping[str, Fact], order: Iterable[str]) -> str:
    """``text`` (a whole YAML file of one mapping, such as site.yml) edited as ``update``
    edits a front matter; a last line without its line end gets one."""
    lines = (text if text.endswith("\n") or not text else text + "\n").splitlines(keepends=True)
    return _updated(lines, len(lines), changes, order, start=0)


def _updated(
    lines: list[str], end: int, changes: Mapping[str, Fact], order: Iterable[str], start: int
) -> str:
    spans = _key_spans(lines, end, start)
    order = list(order)
    replacements: dict[int, tuple[int, list[str]]] = {}  # first line -> (last line, new lines)
    inserts: dict[int, list[str]] = {}  # after line -> new lines
    for name, value in changes.items():
        if name in spans:
            first, last, comment, item_indent = spans[name]
            tail = f"  {comment}" if comment else ""
            if item_indent is not None and isinstance(value, list) and value:
                block = [f"{item_indent}- {_text(str(item), in_list=False)}\n" for item in value]
                replacements[first] = (last, [f"{name}:{tail}\n", *block])
            else:
                replacements[first] = (last, [f"{name}: {render(value)}{tail}\n"])
            continue
        earlier = order[: order.index(name)] if name in order else order
        anchors = [spans[key].last for key in earlier if key in spans]
        after = max(anchors) if anchors else (min(span.last for span in spans.values()) if spans else 0)
        inserts.setdefault(after, []).append(f"{name}: {render(value)}\n")
    for added in inserts.values():
        added.sort(
            key=lambda line: order.index(line.split(":", 1)[0]) if line.split(":", 1)[0] in order else 0
        )
    result: list[str] = []
    index = 0
    while index < len(lines):
        if index in replacements:
            last, new_lines = replacements[index]
            result += new_lines
            following = range(index, last + 1)
            index = last + 1
            for position in following:
                result += inserts.get(position, [])
            continue
        result.append(lines[index])
        result += inserts.get(index, [])
        index += 1
    return "".join(result)
