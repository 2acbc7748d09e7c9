"""The execute form's fields, built from the demo processes' input schemas."""

from __future__ import annotations

from eoproc.processes.demo import demo
from eoproc.ui.forms import Field, build_field, input_fields, input_schemas


def _fields(process_id: str) -> dict[str, Field]:
    inputs = demo.describe(process_id).to_dict()["inputs"]
    return {f.key: f for f in input_fields(inputs)}


def test_scalars_with_bounds_and_defaults() -> None:
    primes = _fields("primes_between")
    assert primes["min_val"].kind == "integer"
    assert primes["min_val"].attrs["min"] == "0" and primes["min_val"].default_text == "0"
    assert primes["max_val"].attrs["max"] == "100" and "min" not in primes["max_val"].attrs
    sleep = _fields("sleep_a_while")
    assert sleep["duration"].kind == "number" and sleep["duration"].attrs["step"] == "any"
    assert sleep["fail"].kind == "boolean" and sleep["fail"].default is False


def test_dates_tuples_nested_objects_and_free_json() -> None:
    scene = _fields("simulate_scene")
    assert scene["start_date"].kind == "date" and scene["start_date"].default == "2025-01-01"
    assert scene["bbox"].kind == "bbox"
    assert [c.label for c in scene["bbox"].children] == ["West", "South", "East", "North"]
    assert scene["var_names"].kind == "string"
    spec = _fields("return_base_model")["scene_spec"]
    assert spec.kind == "object" and spec.required
    assert [(c.key, c.kind, c.required) for c in spec.children] == [
        ("threshold", "number", True),
        ("factor", "number", True),
    ]
    echo = _fields("echo")
    assert echo["bbox_input"].kind == "ogc-bbox"
    assert echo["boolean_input"].kind == "tristate"  # null default: not given, true or false
    assert echo["object_input"].kind == "json"  # free-form object
    assert echo["array_input"].kind == "json"  # items of any type
    assert echo["binary_input"].kind == "binary"


def test_enums_arrays_and_max_occurs() -> None:
    enum = build_field({"type": "string", "enum": ["a", "b"], "default": "b"}, "Pick")
    assert enum.kind == "enum" and enum.options == [('"a"', "a"), ('"b"', "b")]
    array = build_field({"type": "array", "items": {"type": "integer"}, "default": [1, 2]}, "N")
    assert array.kind == "array" and array.item is not None and array.item.kind == "integer"
    assert [i.default for i in array.items] == [1, 2]
    when = build_field({"type": "string", "format": "date-time"}, "When")
    assert when.kind == "datetime" and when.attrs["type"] == "datetime-local"
    inputs = {"tiles": {"schema": {"type": "string"}, "minOccurs": 1, "maxOccurs": 3}}
    (tiles,) = input_fields(inputs)
    assert tiles.kind == "array" and tiles.required
    assert input_schemas(inputs)["tiles"]["schema"]["type"] == "array"


def test_output_links_must_be_web_addresses() -> None:
    from eoproc.ui.pages import output_view

    for href in ("javascript:alert(1)", "data:text/html,<b>x</b>", "file:///etc/passwd"):
        assert output_view("x", {"href": href, "type": "text/html"})["href"] == ""
    view = output_view("x", {"href": "https://example.test/a.tif"}, {"title": "Scene"})
    assert view["href"] == "https://example.test/a.tif" and view["title"] == "Scene"
    assert view["length"] is None
    assert output_view("x", {"href": "http://h/a", "length": 2048})["length"] == 2048
    qualified = output_view("x", {"value": "aGk=", "mediaType": "image/png"})
    assert qualified["image"] == "data:image/png;base64,aGk=" and qualified["size"] == 6
