"""The user's own data: CSV tables, image folders, NPZ/NPY files, and the errors on bad ones."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from guibuilder.data import DataError, load_dataset

HEADER = "length,width,colour,species\n"
ROWS = [
    "1.0,0.5,red,a",
    "1.2,0.4,blue,a",
    "0.9,0.6,red,a",
    "1.1,0.5,green,a",
    "3.0,2.5,red,b",
    "3.2,2.4,blue,b",
    "2.9,2.6,green,b",
    "3.1,2.5,red,b",
    "5.0,4.5,blue,c",
    "5.2,4.4,red,c",
    "4.9,4.6,green,c",
    "5.1,4.5,blue,c",
]


def write(tmp_path, text: str, name: str = "table.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def error_of(*args, **kwargs) -> str:
    with pytest.raises(DataError) as caught:
        load_dataset(*args, **kwargs)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    return message


# ------------------------------------------------------------------ CSV
def test_csv_encodes_numbers_and_categories(tmp_path):
    path = write(tmp_path, HEADER + "\n".join(ROWS) + "\n")
    data = load_dataset(str(path), target="species", validation_split=0.25)
    assert data.name == "table.csv" and data.task == "classification"
    assert data.class_names == ("a", "b", "c") and data.num_classes == 3
    assert data.feature_names == ("length", "width", "colour=blue", "colour=green", "colour=red")
    assert data.input_shape == (5,) and data.x_train.dtype == np.float32
    assert len(data.x_train) == 9 and len(data.x_val) == 3
    one_hot = np.concatenate([data.x_train, data.x_val])[:, 2:]
    assert set(np.unique(one_hot)) == {0.0, 1.0} and (one_hot.sum(axis=1) == 1).all()
    np.testing.assert_allclose(data.x_train[:, :2].mean(axis=0), 0, atol=1e-5)
    assert data.spec == {**data.spec, "name": "csv", "path": str(path), "target": "species"}
    json.dumps(data.spec)


def test_csv_target_defaults_to_the_last_column_and_numbers_can_be_regressed(tmp_path):
    rows = [f"{i},{i * 0.5},{i * 1.5 + 0.25}" for i in range(30)]
    path = write(tmp_path, "a;b;price\n" + "\n".join(r.replace(",", ";") for r in rows))
    data = load_dataset(path)
    assert data.task == "regression" and data.y_train.shape[1:] == (1,)
    assert data.input_shape == (2,)
    classes = load_dataset(path, target=0, task="classification", validation_split=0.0)
    assert classes.num_classes == 30
    by_index = load_dataset(path, target=-1, validation_split=0.0)
    assert by_index.task == "regression"


def test_csv_spec_with_a_relative_path_loads_from_the_project_folder(tmp_path):
    write(tmp_path, HEADER + "\n".join(ROWS), name="flowers.csv")
    data = load_dataset({"path": "flowers.csv", "target": "species"}, base_dir=tmp_path)
    assert data.spec["path"] == "flowers.csv" and data.spec["name"] == "csv"
    assert load_dataset(data.spec, base_dir=tmp_path).num_classes == 3


def test_csv_missing_values_are_reported_with_column_and_row(tmp_path):
    rows = [*ROWS]
    rows[4] = "3.0,,red,b"
    rows[7] = "NA,2.5,red,b"
    path = write(tmp_path, HEADER + "\n".join(rows))
    message = error_of(path, target="species")
    assert str(path) in message
    assert "missing value in column 'width' at row 6 (and 1 more)" in message
    assert "'drop'" in message
    dropped = load_dataset(path, target="species", missing="drop", validation_split=0.0)
    assert len(dropped.x_train) == len(ROWS) - 2
    filled = load_dataset(path, target="species", missing="fill", validation_split=0.0)
    assert len(filled.x_train) == len(ROWS) and np.isfinite(filled.x_train).all()


def test_csv_missing_target_cannot_be_filled(tmp_path):
    rows = [*ROWS]
    rows[2] = "0.9,0.6,red,"
    path = write(tmp_path, HEADER + "\n".join(rows))
    message = error_of(path, target="species", missing="fill")
    assert "column 'species' at row 4" in message


@pytest.mark.parametrize(
    ("text", "options", "words"),
    [
        ("", {}, ["is empty"]),
        ("a,b\n", {}, ["header but no data rows"]),
        (HEADER + "1,2,red\n", {}, ["row 2", "has 3 values but the header has 4 columns"]),
        (HEADER + "\n".join(ROWS), {"target": "kind"}, ["no column 'kind'", "species"]),
        (HEADER + "\n".join(ROWS), {"target": 9}, ["has 4 columns, so column 9"]),
        ("x,y\n1,a\n2,a\n3,a\n", {}, ["single class 'a'"]),
        ("x,y\n1,a\n2,b\n", {"task": "regression"}, ["column 'y'", "not a number"]),
        ("x,y\n1,2\n", {"ignore": "x"}, ["no feature column"]),
    ],
)
def test_bad_csv_files_are_named(tmp_path, text, options, words):
    path = write(tmp_path, text)
    message = error_of(path, **options)
    assert str(path) in message
    for word in words:
        assert word in message


def test_binary_or_missing_csv(tmp_path):
    binary = tmp_path / "blob.csv"
    binary.write_bytes(bytes(range(256)))
    assert "not a UTF-8 text file" in error_of(binary)
    assert "does not exist" in error_of(tmp_path / "nope.csv")
    assert "is not a dataset file" in error_of(write(tmp_path, "x", "notes.doc"))


def test_a_typo_in_a_numeric_column_is_named_not_one_hot_encoded(tmp_path):
    rows = [f"{i},{i * 0.5},{'ab'[i % 2]}" for i in range(12)]
    rows[2] = "2,x,a"
    path = write(tmp_path, "a,b,label\n" + "\n".join(rows))
    message = error_of(path)
    assert str(path) in message
    assert "column 'b'" in message and "row 4 holds 'x'" in message
    assert "fix it" in message and "text if it is a category" in message
    rows[2] = "2,1.0,a"
    assert load_dataset(write(tmp_path, "a,b,label\n" + "\n".join(rows))).input_shape == (2,)


def test_a_typo_in_a_numeric_target_is_named(tmp_path):
    rows = [f"{i},{i * 0.37}" for i in range(30)]
    rows[5] = "5,1.8five"
    message = error_of(write(tmp_path, "a,price\n" + "\n".join(rows)))
    assert "column 'price'" in message and "row 7 holds '1.8five'" in message


def test_text_category_columns_with_a_few_numbers_stay_categories(tmp_path):
    rows = [f"{i},{['low', 'mid', 'high'][i % 3]},{'ab'[i % 2]}" for i in range(12)]
    rows[0] = "0,2,a"
    data = load_dataset(write(tmp_path, "a,size,label\n" + "\n".join(rows)))
    assert data.feature_names == ("a", "size=2", "size=high", "size=low", "size=mid")


def test_free_text_columns_can_be_ignored(tmp_path):
    rows = [f"id{i},{i % 3},{'abc'[i % 3]}" for i in range(150)]
    path = write(tmp_path, "name,value,label\n" + "\n".join(rows))
    message = error_of(path)
    assert "column 'name'" in message and "150 different text values" in message
    assert "'ignore'" in message
    data = load_dataset(path, ignore="name")
    assert data.feature_names == ("value",)


# ------------------------------------------------------------------ NPZ / NPY
def test_npz_with_x_and_y(tmp_path):
    path = tmp_path / "set.npz"
    x = np.random.default_rng(0).integers(0, 256, (30, 6, 6), dtype=np.uint8)
    np.savez(path, x=x, y=np.arange(30) % 3)
    data = load_dataset(path)
    assert data.name == "set.npz" and data.task == "classification"
    assert data.input_shape == (6, 6) and data.x_train.max() <= 1.0
    assert data.class_names == ("0", "1", "2")
    assert data.spec["name"] == "numpy"


def test_npz_with_train_and_test_arrays_and_one_hot_labels(tmp_path):
    path = tmp_path / "split.npz"
    eye = np.eye(4, dtype=np.float32)
    np.savez(
        path,
        x_train=np.ones((20, 3)),
        y_train=eye[np.arange(20) % 4],
        x_test=np.zeros((8, 3)),
        y_test=eye[np.arange(8) % 4],
    )
    data = load_dataset(path, validation_split=0.0)
    assert data.num_classes == 4 and data.y_train.ndim == 1
    assert data.x_test.shape == (8, 3) and data.y_test.tolist() == [0, 1, 2, 3] * 2


def test_npz_float_targets_are_regression(tmp_path):
    path = tmp_path / "reg.npz"
    rng = np.random.default_rng(0)
    np.savez(path, features=rng.normal(size=(40, 5)), targets=rng.normal(size=(40, 2)))
    data = load_dataset(path)
    assert data.task == "regression" and data.target_shape == (2,)


def test_npy_uses_a_labels_file_or_its_last_column(tmp_path):
    table = np.column_stack([np.random.default_rng(0).normal(size=(20, 3)), np.arange(20) % 2])
    np.save(tmp_path / "table.npy", table)
    data = load_dataset(tmp_path / "table.npy")
    assert data.input_shape == (3,) and data.num_classes == 2
    np.save(tmp_path / "images.npy", np.zeros((10, 4, 4), np.float32))
    np.save(tmp_path / "labels.npy", np.arange(10) % 2)
    data = load_dataset(tmp_path / "images.npy", labels=str(tmp_path / "labels.npy"))
    assert data.input_shape == (4, 4)
    assert "give the labels file" in error_of(tmp_path / "images.npy")


@pytest.mark.parametrize(
    ("arrays", "options", "words"),
    [
        ({"x": np.zeros((5, 2)), "y": np.zeros(4)}, {}, ["has 5 samples", "4 labels"]),
        ({"a": np.zeros(3), "b": np.zeros(3), "c": np.zeros(3)}, {}, ["no array named 'x'"]),
        ({"x": np.zeros((5, 2))}, {"y": "labels"}, ["no array 'labels'"]),
        ({"x": np.array(["a", "b"]), "y": np.zeros(2)}, {}, ["<U1 values, not numbers"]),
        ({"x": np.array([[1.0], [np.nan]]), "y": np.arange(2)}, {}, ["infinite value in sample 1"]),
        ({"x": np.array([[1], [2]], dtype=object), "y": np.arange(2)}, {}, ["Python objects"]),
    ],
)
def test_bad_npz_files_are_named(tmp_path, arrays, options, words):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    message = error_of(path, **options)
    assert "bad.npz" in message
    for word in words:
        assert word in message


def test_corrupt_npz_and_npy(tmp_path):
    (tmp_path / "cut.npz").write_bytes(b"PK\x03\x04 truncated")
    assert "not a valid NPZ file" in error_of(tmp_path / "cut.npz")
    (tmp_path / "cut.npy").write_bytes(b"\x93NUMPY garbage")
    assert "not a valid NPY file" in error_of(tmp_path / "cut.npy")


# ------------------------------------------------------------------ image folders
def make_folder(root, classes=("cat", "dog"), per_class=3, size=(12, 10)):
    rng = np.random.default_rng(0)
    for c, name in enumerate(classes):
        for i in range(per_class):
            image = np.full((*size, 3), 60 + 120 * c, np.uint8)
            image[0, 0] = rng.integers(0, 256, 3)
            (root / name).mkdir(parents=True, exist_ok=True)
            Image.fromarray(image).save(root / name / f"{i}.png")
    return root


def test_an_image_folder_is_resized_per_class(tmp_path):
    root = make_folder(tmp_path / "pets")
    (root / "cat" / "notes.txt").write_text("not an image")
    data = load_dataset(root, image_size=[8, 6], validation_split=0.0)
    assert data.name == "pets" and data.class_names == ("cat", "dog")
    assert data.x_train.shape == (6, 8, 6, 3) and data.x_train.dtype == np.float32
    assert data.x_train.min() >= 0.0 and data.x_train.max() <= 1.0
    means = [data.x_train[data.y_train == c, 4:, :, :].mean() for c in (0, 1)]
    np.testing.assert_allclose(means, [60 / 255, 180 / 255], atol=1e-5)
    grey = load_dataset(str(root), color_mode="grayscale", image_size=4, limit_per_class=2)
    assert grey.input_shape == (4, 4, 1) and grey.sizes["train"] + grey.sizes["validation"] == 4
    assert grey.spec["image_size"] == [4, 4] and grey.spec["name"] == "image_folder"


def test_bad_image_folders_are_named(tmp_path):
    root = tmp_path / "photos"
    make_folder(root, classes=("only",))
    assert "has 1 class folder(s)" in error_of(root)
    (root / "empty").mkdir()
    message = error_of(root)
    assert "empty" in message and "holds no images" in message
    (root / "empty" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    message = error_of(root)
    assert str(root / "empty" / "broken.png") in message and "not a readable image" in message
    (root / "x.csv").write_text("a,b\n")
    assert "is not a folder" in error_of({"name": "image_folder", "path": str(root / "x.csv")})


def test_loader_names_need_a_path_and_cwd_paths_still_work(tmp_path, monkeypatch):
    assert "set the option 'path'" in error_of("csv")
    write(tmp_path, HEADER + "\n".join(ROWS), name="here.csv")
    monkeypatch.chdir(tmp_path)
    data = load_dataset("here.csv", base_dir=tmp_path / "project", target="species")
    assert data.num_classes == 3 and data.spec["path"] == "here.csv"
    assert load_dataset("csv", path="here.csv", target=2, validation_split=0.0).num_classes == 3
