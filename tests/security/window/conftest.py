"""The window tests' fixtures: isolated settings, no dialogs, no leaks, a shown window."""

from tests.ui.conftest import isolated_settings, no_dialogs, no_leaks, window  # noqa: F401
