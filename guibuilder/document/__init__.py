"""The project file: versioned JSON, migrations, atomic save. No Qt, no Keras."""

from guibuilder.document.classroom import (
    Challenge,
    Classroom,
    ClassroomError,
    LockedError,
)
from guibuilder.document.io import (
    SUFFIX,
    WEIGHTS_SUFFIX,
    atomic_write,
    dumps,
    load_project,
    loads,
    save_project,
    weights_path,
)
from guibuilder.document.migrations import FORMAT_VERSION, MIGRATIONS, migrate
from guibuilder.document.project import (
    FORMAT_NAME,
    Project,
    ProjectError,
    project_from_dict,
    project_to_dict,
)

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "MIGRATIONS",
    "SUFFIX",
    "WEIGHTS_SUFFIX",
    "Challenge",
    "Classroom",
    "ClassroomError",
    "LockedError",
    "Project",
    "ProjectError",
    "atomic_write",
    "dumps",
    "load_project",
    "loads",
    "migrate",
    "project_from_dict",
    "project_to_dict",
    "save_project",
    "weights_path",
]
