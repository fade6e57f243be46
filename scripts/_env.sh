# Shared by scripts/test, scripts/serve and scripts/upgrade: sourced, not run.

# The one tool that installs everything else, pinned here; uv.lock pins the rest.
UV_VERSION=0.13.9

# ensure_uv: put the pinned uv in .tools/uv (a venv of its own, from the package
# index) and set $UV to it.
ensure_uv() {
  local py=${PYTHON:-python3} tools=.tools/uv
  if [ ! -x "$tools/bin/uv" ] || [ "$("$tools/bin/uv" --version 2>/dev/null | cut -d' ' -f2)" != "$UV_VERSION" ]; then
    echo "installing uv $UV_VERSION into $tools" >&2
    rm -rf "$tools"
    "$py" -m venv "$tools"
    "$tools/bin/python" -m pip install -q --disable-pip-version-check "uv==$UV_VERSION"
  fi
  UV="$PWD/$tools/bin/uv"
  export UV_PYTHON=${PYTHON:-python3} UV_PYTHON_DOWNLOADS=never UV_NO_CONFIG=1
}

# ensure_venv EXTRA [--inexact]: make .venv hold exactly what uv.lock pins for
# gatepass[EXTRA] (--frozen: the lock is used as it is, never re-resolved).
ensure_venv() {
  ensure_uv
  "$UV" sync --quiet --frozen --extra "$1" "${@:2}"
}
# ensure_services: point the tests at PostgreSQL and Redis when they answer.
# With CI=true a service that does not answer is started, and if it still does
# not answer the run fails: CI never skips a database test.
ensure_services() {
  local pg_url=${GATEPASS_TEST_DATABASE_URL:-postgresql+asyncpg://postgres@127.0.0.1:5432/test}
  local redis_url=${GATEPASS_TEST_REDIS_URL:-redis://127.0.0.1:6379/0}
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && [ "${CI:-}" = "true" ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    export GATEPASS_TEST_DATABASE_URL=$pg_url
  elif [ "${CI:-}" = "true" ]; then
    echo "PostgreSQL does not answer on 127.0.0.1:5432 and CI=true: failing" >&2
    exit 1
  fi
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && [ "${CI:-}" = "true" ]; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true
    for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 1; done
  fi
  if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    export GATEPASS_TEST_REDIS_URL=$redis_url
  elif [ "${CI:-}" = "true" ]; then
    echo "Redis does not answer on 127.0.0.1:6379 and CI=true: failing" >&2
    exit 1
  fi
}
