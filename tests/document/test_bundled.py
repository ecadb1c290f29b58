"""Bundled and read-only project files are recognised, so a save never overwrites them."""

from __future__ import annotations

from pathlib import Path

from guibuilder.document.bundled import is_bundled

ROOT = Path(__file__).resolve().parents[2]


def test_the_demo_and_challenges_are_bundled_and_a_user_file_is_not(tmp_path):
    assert is_bundled(ROOT / "resources" / "demo" / "digits_cnn.gbproj")
    assert is_bundled(ROOT / "resources" / "challenges" / "digits_small.gbproj")
    mine = tmp_path / "mine.gbproj"
    assert not is_bundled(mine)  # not written yet
    mine.write_text("{}")
    assert not is_bundled(mine)
    mine.chmod(0o444)
    assert is_bundled(mine)
