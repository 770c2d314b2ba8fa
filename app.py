"""Verifica Dash entry point: ``python app.py`` serves 127.0.0.1:8050; gunicorn uses ``app:server``."""

import os

from dashboard.app_factory import create_app

app = create_app()
server = app.server

if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "8050")),
            debug=False)
