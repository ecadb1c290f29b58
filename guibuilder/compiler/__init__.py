"""Graph <-> Keras: shape inference, building, importing and layout."""
