"""A parameter's value typed as text: what the properties form accepts."""

from __future__ import annotations

from guibuilder import catalog
from guibuilder.catalog.text import parse_value


def test_parse_value():
    spec = catalog.get("Conv2D").param("kernel_size")
    assert parse_value(spec, "3") == 3
    assert parse_value(spec, "(3, 5)") == [3, 5]
    assert parse_value(spec, "3x3") == [3, 3]
    shape = catalog.get("Input").param("shape")
    assert parse_value(shape, "None, 8") == [None, 8]
    assert parse_value(shape, "8") == [8]
