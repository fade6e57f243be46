# Shared by scripts/test and scripts/serve: sourced, not run.

# ensure_venv EXTRA: create .venv when missing and (re)install the project with
# the given extra whenever pyproject.toml is newer than the last install.
ensure_venv() {
  local extra=$1 py=${PYTHON:-python3}
  if [ ! -x .venv/bin/python ]; then
    "$py" -m venv .venv
  fi
  local stamp=".venv/.installed-$extra"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "installing gatepass[$extra] into .venv" >&2
    .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip 2>/dev/null || true
    .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[$extra]"
    touch "$stamp"
  fi
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
