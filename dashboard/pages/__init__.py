"""Dash pages; each module offers layout(**query) and register_callbacks(app)."""
