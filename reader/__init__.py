"""Parallax Reader: an offline reader for comparing how outlets tell the same story."""

__version__ = "0.1.0"
APP_NAME = "Parallax Reader"
APP_ID = "io.github.parallaxreader.ParallaxReader"
