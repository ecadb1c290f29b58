"""Every layer type has a student-sized explanation that names only real parameters."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from guibuilder import catalog
from guibuilder.catalog.explanations import (
    BLOCK_EXPLANATIONS,
    EXPLANATIONS,
    explain,
    has_explanation,
    plain,
)

TYPE_IDS = [spec.type_id for spec in catalog.all_specs()]
#: A sentence ends at . ! or ? followed by a space or the end of the text.
SENTENCE_END = re.compile(r"[.!?](?:\s|$)")
ALLOWED_TAGS = {"sub", "sup", "i", "b"}


def test_every_registered_layer_type_has_an_explanation_and_none_is_left_over():
    assert sorted(EXPLANATIONS) == sorted(TYPE_IDS)
    assert all(has_explanation(t) for t in TYPE_IDS)
    assert not has_explanation("NoSuchLayer")
    with pytest.raises(KeyError):
        explain("NoSuchLayer")


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_an_entry_names_only_real_parameters_of_its_layer(type_id):
    entry = explain(type_id)
    real = {p.name for p in catalog.get(type_id).params}
    assert set(entry.params) <= real, f"{type_id}: unknown {set(entry.params) - real}"
    for name, line in entry.params.items():
        assert line.strip() and "\n" not in line, f"{type_id}.{name}"
        assert len(SENTENCE_END.findall(line)) <= 2, f"{type_id}.{name}: one line, please"


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_an_entry_is_two_to_four_sentences_with_a_formula(type_id):
    entry = explain(type_id)
    assert entry.type_id == type_id
    sentences = len(SENTENCE_END.findall(entry.text))
    assert 2 <= sentences <= 4, f"{type_id} has {sentences} sentences"
    assert entry.formula.strip()
    tags = re.findall(r"</?([a-z]+)>", entry.formula)
    assert set(tags) <= ALLOWED_TAGS, f"{type_id}: {set(tags) - ALLOWED_TAGS}"
    for tag in ALLOWED_TAGS:
        assert entry.formula.count(f"<{tag}>") == entry.formula.count(f"</{tag}>"), type_id
    assert "<" not in plain(entry.formula)


@pytest.mark.parametrize("type_id", TYPE_IDS)
def test_papers_have_authors_a_year_and_a_web_link_when_they_have_one(type_id):
    for paper in explain(type_id).papers:
        assert paper.authors and paper.title
        assert 1940 <= paper.year <= 2030
        assert paper.url == "" or paper.url.startswith(("https://", "http://"))
        assert str(paper.year) in paper.cite


def test_the_milestone_papers_are_where_a_student_looks_for_them():
    expected = {
        "Dropout": ("Srivastava", 2014),
        "BatchNormalization": ("Ioffe", 2015),
        "Add": ("He", 2016),
        "LSTM": ("Hochreiter", 1997),
        "GRU": ("Cho", 2014),
        "MultiHeadAttention": ("Vaswani", 2017),
        "Conv2D": ("LeCun", 1989),
    }
    for type_id, (author, year) in expected.items():
        papers = explain(type_id).papers
        assert any(p.authors.startswith(author) and p.year == year for p in papers), type_id


def test_the_residual_block_is_explained_with_its_paper():
    entry = explain("residual")
    assert "residual" in BLOCK_EXPLANATIONS
    assert any(p.authors.startswith("He") and p.year == 2016 for p in entry.papers)


def test_plain_text_formulas_keep_sub_and_superscripts_readable():
    assert plain("h<sub>t+1</sub> + x<sub>t</sub>") == "h_(t+1) + x_t"
    assert plain("e<sup>x<sub>i</sub></sup>") == "e^(x_i)"
    assert plain("<i>a</i> &amp; <b>b</b>") == "a & b"


def test_importing_the_explanations_does_not_import_keras():
    code = (
        "import sys, guibuilder.catalog.explanations as e; "
        "assert e.EXPLANATIONS; "
        "print('keras' in sys.modules or 'tensorflow' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
