"""Sample (params, input shapes) of guibuilder's own layers, checked against Keras."""

CASES = {
    "PositionEmbedding": [
        ({}, [(None, 5, 4)]),
        ({"initializer": "zeros"}, [(2, 17, 3)]),
    ],
    "ClassToken": [
        ({}, [(None, 5, 4)]),
        ({"initializer": "random_normal"}, [(None, None, 6)]),
    ],
    "SelectToken": [
        ({}, [(None, 5, 4)]),
        ({"index": -1}, [(None, 3, 8)]),
        ({"index": 2}, [(None, None, 2)]),
    ],
}
