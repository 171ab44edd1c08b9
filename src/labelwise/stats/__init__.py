"""Resampling statistics: bootstrap intervals and paired tests between models."""

__all__ = []
