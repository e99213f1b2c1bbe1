"""Layers: the ``Layer`` contract (see ``base``) and the layers built on it."""
from .base import Layer
from .core import Activation, Dense, Flatten, Reshape

__all__ = ["Layer", "Dense", "Activation", "Flatten", "Reshape"]
