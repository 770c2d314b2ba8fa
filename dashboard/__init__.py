"""Dashboard: pages, components, callbacks, API routes and exports (the people-facing room)."""
