"""Start ``gunicorn -w 1 app:server`` on the existing store and exit at its first HTTP 200 of
``/api/health`` (the server is killed then): timed whole from outside, it is the start-up time the
README quotes, against ``python -c "import dash, plotly, pandas, sqlalchemy"``.

    /usr/bin/time -v .venv/bin/python -m bench.startup_probe

Standard library only, so the probe adds as little as it can to what it measures.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def main() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}", "app:server"],
                              cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/api/health")
                if conn.getresponse().status == 200:
                    return 0
            except OSError:
                time.sleep(0.005)
        return 1
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


if __name__ == "__main__":
    sys.exit(main())
