"""Mutated project files: refused in one sentence, or they save, build and export."""

from __future__ import annotations

import json

from hypothesis import example, given, settings
from hypothesis import strategies as st

from guibuilder.document import load_project
from tests.fuzz import hostile_inputs
from tests.fuzz.checks import check_each, check_project, nothing_runs, refused
from tests.profiles import examples


def _open(text: str | bytes, workdir, marker):
    """Load ``text`` as a project file: check the refusal, or check the project."""
    path = workdir / "fuzz.gbproj"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    projects = []
    with nothing_runs(marker):
        if refused(lambda: projects.append(load_project(path)), path) is None:
            check_project(projects[0], workdir)


@settings(max_examples=examples(120))
@given(rng=st.randoms(use_true_random=False))
def test_a_mutated_project_is_refused_in_one_sentence_or_works(rng, workdir, marker):
    text = hostile_inputs.mutated_project_text(hostile_inputs.seed_projects(), rng, str(marker))
    _open(text, workdir, marker)


TEXT = st.text(
    st.one_of(st.characters(), st.sampled_from(["\ud800", "\udfff", "\n", "\r", "\u2028"])),
    max_size=12,
)


@settings(max_examples=examples(60))
@given(data=st.data(), text=TEXT, as_key=st.booleans())
@example(data=None, text="\n", as_key=True)
@example(data=None, text="\ud800", as_key=False)
def test_any_text_in_any_place_of_a_project(data, text, as_key, workdir, marker):
    """Any text as a string value, or as a key added to any object of a project."""
    project = json.loads(json.dumps(hostile_inputs.seed_projects()["digits_cnn"]))
    places = sorted(hostile_inputs.places(project), key=repr)
    if as_key:
        objects = [p for p in places if isinstance(_at(project, p), dict)]
        place = objects[0] if data is None else data.draw(st.sampled_from(objects))
        _at(project, place)[text] = 1
    else:
        strings = [p for p in places if isinstance(_at(project, p), str)]
        place = ("meta", "title") if data is None else data.draw(st.sampled_from(strings))
        _at(project, place[:-1])[place[-1]] = text
    _open(json.dumps(project), workdir, marker)


def _at(value, path):
    for key in path:
        value = value[key]
    return value


def test_crafted_projects(workdir, marker):
    """The hand-made cases that are safe to run in-process (no huge sizes, no devices)."""
    heavy = ("units-1e9", "batch-1e12", "dataset-")
    seed = hostile_inputs.seed_projects()["digits_cnn"]
    cases = hostile_inputs.crafted_projects(seed, str(marker))
    light = {name: text for name, text in cases.items() if not name.startswith(heavy)}
    check_each((name, lambda t=text: _open(t, workdir, marker)) for name, text in light.items())
