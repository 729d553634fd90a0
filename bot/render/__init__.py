"""Renderers: a platform-neutral Reply in, text for one platform out."""
