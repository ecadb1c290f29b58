"""Datasets: built-in, generated, ``keras.datasets`` and the user's own files. No Qt.

``load_dataset("digits")``, ``load_dataset("data.csv", target="label")`` or
``load_dataset(project.dataset)`` give a :class:`Dataset`; ``list_datasets()`` lists the
named ones; :func:`lint` checks that a model fits the data before training.
Keras is imported only to download or read ``keras.datasets`` files.
"""

from guibuilder.data.dataset import (
    TASKS,
    DataError,
    Dataset,
    DatasetInfo,
    DatasetUnavailableError,
    OptionSpec,
    auto_loss,
)
from guibuilder.data.lint import (
    LintWarning,
    input_params_for,
    lint,
    output_params_for,
)
from guibuilder.data.registry import dataset_info, list_datasets, load_dataset

__all__ = [
    "TASKS",
    "DataError",
    "Dataset",
    "DatasetInfo",
    "DatasetUnavailableError",
    "LintWarning",
    "OptionSpec",
    "auto_loss",
    "dataset_info",
    "input_params_for",
    "lint",
    "list_datasets",
    "load_dataset",
    "output_params_for",
]
