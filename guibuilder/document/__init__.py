"""The project file: versioned JSON, migrations, atomic save. No Qt, no Keras."""

from guibuilder.document.classroom import (
    Challenge,
    Classroom,
    ClassroomError,
    LockedError,
)
from guibuilder.document.files import (
    atomic_write,
    check_writable_folder,
    remove_stale_temporaries,
)
from guibuilder.document.io import (
    SUFFIX,
    WEIGHTS_SUFFIX,
    SaveConflictError,
    check_can_save,
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
    "SaveConflictError",
    "atomic_write",
    "check_can_save",
    "check_writable_folder",
    "dumps",
    "load_project",
    "loads",
    "migrate",
    "project_from_dict",
    "project_to_dict",
    "remove_stale_temporaries",
    "save_project",
    "weights_path",
]
