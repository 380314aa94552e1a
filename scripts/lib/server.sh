# Sourced by the test scripts: starts the built binary on a free port with a fresh
# SQLite database and data directory, waits until it answers, and stops it on exit.
#
#   start_server LOG_FILE     # then: $base_url, $server_pid, $data_dir
#
# CARILLON_BIN names another binary (default: the debug build's).

server_pid=""
data_dir=""

stop_server() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    # Give it a moment to shut down gracefully, then insist.
    for _ in $(seq 1 50); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$server_pid" 2>/dev/null || true
  fi
  [[ -n "$data_dir" ]] && rm -rf "$data_dir"
  return 0
}

start_server() {
  local log="$1"
  local binary="${CARILLON_BIN:-$root/target/debug/carillon}"
  if [[ ! -x "$binary" ]]; then
    echo "error: $binary not found; build it with \`cargo leptos build\`" >&2
    exit 1
  fi
  data_dir="$(mktemp -d "${TMPDIR:-/tmp}/carillon-test.XXXXXX")"
  trap stop_server EXIT INT TERM
  # Ask the kernel for a free port (bind to port 0, read it back, release it).
  local port
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
  base_url="http://127.0.0.1:$port"
  echo "==> starting $binary on $base_url (data in $data_dir, log in $log)"
  : >"$log"
  # Many sign-ups come from one address in these runs; the push service of the
  # browser tests is on loopback.
  LEPTOS_SITE_ROOT="$root/target/site" \
    LEPTOS_SITE_ADDR="127.0.0.1:$port" \
    DATABASE_URL="sqlite://$data_dir/test.db?mode=rwc" \
    CARILLON_DATA_DIR="$data_dir" \
    CARILLON_SIGNUP_MAX_PER_IP=100000 \
    CARILLON_OUTBOUND_ALLOW=127.0.0.1 \
    NO_COLOR=1 \
    "$binary" serve >>"$log" 2>&1 &
  server_pid=$!

  echo "==> waiting for $base_url/healthz"
  for _ in $(seq 1 120); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "error: the server exited early; its log:" >&2
      tail -n 50 "$log" >&2
      exit 1
    fi
    if curl -fsS -o /dev/null --max-time 2 "$base_url/healthz" 2>/dev/null; then
      return 0
    fi
    sleep 0.5
  done
  echo "error: the server did not answer /healthz within 60 s; its log:" >&2
  tail -n 50 "$log" >&2
  exit 1
}
