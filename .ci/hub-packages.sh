#!/usr/bin/env bash
# What `python -m course hub` needs beyond the project's venv (idempotent; needs root or sudo):
#  - configurable-http-proxy from npm (JupyterHub's proxy) on Node.js; CHP 5.2+ needs Node >= 20,
#    Debian 12's own nodejs is 18, which gets CHP 5.1.1.
#  - the students' environment: a venv at $LAB_VENV made from Debian's /usr/bin/python3 with
#    requirements.txt. It cannot come from the project's Python when that is a pyenv build under
#    /root (mode 0700): a student's server would fail with PermissionError before it starts.
set -euo pipefail
cd "$(dirname "$0")/.."
LAB_VENV="${LAB_VENV:-/opt/math-for-llms-lab}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

if ! command -v apt-get >/dev/null; then
    echo "warning: not a Debian system; install nodejs, npm and python3-venv yourself" >&2
else
    missing=()
    for p in python3-venv nodejs; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    command -v npm >/dev/null || missing+=(npm)
    if [ ${#missing[@]} -gt 0 ]; then
        echo "installing Debian packages: ${missing[*]}"
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
            "${missing[@]}" >/dev/null
    fi
fi

if ! command -v configurable-http-proxy >/dev/null; then
    major=$(node -p 'process.versions.node.split(".")[0]')
    chp="configurable-http-proxy@5.3.0"
    [ "$major" -ge 20 ] || chp="configurable-http-proxy@5.1.1"
    echo "installing $chp from npm (node $(node --version))"
    $SUDO npm install -g --silent --no-fund --no-audit "$chp" >/dev/null 2>&1 \
        || $SUDO npm install -g --no-fund --no-audit "$chp"
fi

stamp="$LAB_VENV/.requirements.sha256"
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "building the students' environment $LAB_VENV (Debian's python3, requirements.txt)"
    $SUDO /usr/bin/python3 -m venv "$LAB_VENV"
    $SUDO "$LAB_VENV/bin/pip" install --quiet --upgrade pip
    $SUDO "$LAB_VENV/bin/pip" install --quiet -r requirements.txt
    echo "$want" | $SUDO tee "$stamp" >/dev/null
    $SUDO chmod -R a+rX "$LAB_VENV"
fi
