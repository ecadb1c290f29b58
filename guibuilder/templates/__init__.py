"""Ready-made networks, the milestones of deep learning, each with its data, its training
settings and the result it reaches. Built through the graph API; no Qt, no Keras."""

from __future__ import annotations

from guibuilder.templates.base import Target, Template, TemplateError
from guibuilder.templates.library import TEMPLATES


def template_names() -> list[str]:
    """Every template's name, in gallery order."""
    return [t.name for t in TEMPLATES]


def get_template(name: str) -> Template:
    """The template called ``name``; :class:`TemplateError` names the choices otherwise."""
    for template in TEMPLATES:
        if template.name == name:
            return template
    raise TemplateError(f"there is no template {name!r}: pick one of {', '.join(template_names())}")


__all__ = [
    "TEMPLATES",
    "Target",
    "Template",
    "TemplateError",
    "get_template",
    "template_names",
]
