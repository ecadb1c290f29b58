"""guibuilder: build, train and inspect Keras models by pointing and clicking."""

__version__ = "0.1.0"
