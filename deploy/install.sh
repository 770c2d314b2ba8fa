#!/usr/bin/env bash
# Install Verifica on a Debian host with systemd, as root, from a checkout of the project:
#   sudo bash deploy/install.sh
# Idempotent: run it again after pulling a new version. It creates the system user, the folders,
# /etc/verifica/env (only if missing: edit it, then run this again), the venv, the units; then
# prepares the store and starts the dashboard, the daily refresh and the health timer.
set -euo pipefail
SOURCE="$(cd "$(dirname "$0")/.." && pwd)"
TARGET=/srv/verifica
ENV_FILE=/etc/verifica/env

id verifica >/dev/null 2>&1 || useradd --system --home-dir "$TARGET" --shell /usr/sbin/nologin verifica
install -d -o verifica -g verifica "$TARGET"
install -d -m 0750 -o root -g verifica /etc/verifica
if [ ! -f "$ENV_FILE" ]; then
    install -m 0640 -o root -g verifica /dev/null "$ENV_FILE"
    cat >"$ENV_FILE" <<'SETTINGS'
# Verifica's settings (README: Settings). The production store:
DATABASE_URL=postgresql+psycopg://verifica@localhost/verifica
# The address readers use; links in exports and permalinks start with it:
VERIFICA_PUBLIC_URL=https://verifica.example.org/
BROWSER_PATH=/usr/bin/chromium
# Optional: POST each change-log entry to this address, signed with the secret (README: What changed):
# VERIFICA_WEBHOOK_URL=https://hooks.example.org/verifica
# VERIFICA_WEBHOOK_SECRET=a long random string the receiver also holds
SETTINGS
    echo "wrote $ENV_FILE: set DATABASE_URL and VERIFICA_PUBLIC_URL, then run this again" >&2
    exit 1
fi
apt-get install -y --no-upgrade python3-venv chromium >/dev/null
# The code (git-tracked files only: no local store, no venv), owned by the service user.
(cd "$SOURCE" && git ls-files -z | tar --null -cf - -T -) | tar -xf - -C "$TARGET"
chown -R verifica:verifica "$TARGET"
sudo -u verifica python3 -m venv "$TARGET/.venv"
sudo -u verifica "$TARGET/.venv/bin/pip" install --disable-pip-version-check -q \
    -r "$TARGET/requirements.txt" -c "$TARGET/constraints.txt"
install -m 0644 "$SOURCE"/deploy/verifica-*.service "$SOURCE"/deploy/verifica-*.timer /etc/systemd/system/
systemctl daemon-reload
# The store: schema, snapshot, timeline and derived results, with the writing role.
sudo -u verifica bash -c "cd $TARGET && set -a && . $ENV_FILE && set +a && .venv/bin/python -m etl prepare"
systemctl enable --now verifica-web.service verifica-refresh.timer verifica-health.timer
systemctl restart verifica-web.service
echo "installed: the dashboard on 127.0.0.1:8050 (put a reverse proxy with TLS in front of it)" >&2
