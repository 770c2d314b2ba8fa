"""Verifica Dash entry point: ``python app.py`` serves 127.0.0.1:8050; gunicorn uses ``app:server``."""

import settings
from dashboard.app_factory import create_app

settings.configure_logging()

app = create_app()
server = app.server

if __name__ == "__main__":
    config = settings.get()
    app.run(host=config.host, port=config.port, debug=False)
