"""Graph <-> Keras: shape inference, building, importing, layout and code generation."""
