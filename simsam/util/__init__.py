"""Helpers every layer may use: writing folders atomically."""

from .folders import atomic_folder

__all__ = ["atomic_folder"]
