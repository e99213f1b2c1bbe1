"""Layers: the ``Layer`` contract (see ``base``) and the layers built on it."""
from .base import Layer
from .conv import Conv2D
from .core import Activation, Dense, Flatten, Reshape
from .pooling import AveragePooling2D, MaxPooling2D
from .recurrent import LSTM, SimpleRNN

__all__ = ["Layer", "Dense", "Activation", "Flatten", "Reshape", "Conv2D", "MaxPooling2D", "AveragePooling2D",
           "SimpleRNN", "LSTM"]
