"""The canvas: the graph's scene, its items and view, the palette, the properties of the
selected layer, the summary, the canvas' menu and the offscreen diagram."""
