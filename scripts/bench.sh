#!/usr/bin/env bash
# Runs the benchmarks of docs/PERFORMANCE.md: scimd pinned to CPU 0, the
# load tool (cmd/scimload) to CPU 1, concurrency 32 over loopback, a
# warm-up, then several measured runs whose median is reported.
#
#   scripts/bench.sh [SUITE...]      suites: floor core patch auth bulk dataset (default: all
#                                    but bulk and dataset, which take minutes)
#
# Environment: RUNS (5), DURATION of each run (10s), WARMUP (3s), C (32),
# USERS in the dataset suite (1000000), PORT (18080).
set -euo pipefail

RUNS=${RUNS:-5} DURATION=${DURATION:-10s} WARMUP=${WARMUP:-3s} C=${C:-32}
USERS=${USERS:-1000000} PORT=${PORT:-18080}
PASSWORD=bench-password
URL=http://127.0.0.1:$PORT/scim2

cd "$(dirname "$0")/.."
work=$(mktemp -d)
pid=
cleanup() {
	stop_server
	rm -rf "$work"
}
trap cleanup EXIT

# start_server starts scimd on a fresh database unless told to keep it.
start_server() {
	if [[ ${1:-} != keep ]]; then
		rm -f "$work"/scimd.db*
	fi
	taskset -c 0 "$work/scimd" serve --db "sqlite:$work/scimd.db" --addr "127.0.0.1:$PORT" \
		--admin-password "$PASSWORD" --log-level warn &
	pid=$!
	for _ in $(seq 100); do
		curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && return
		sleep 0.1
	done
	echo "scimd did not become ready" >&2
	exit 1
}

stop_server() {
	if [[ -n $pid ]]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		pid=
	fi
}

load() {
	taskset -c 1 "$work/scimload" -url "$URL" -password "$PASSWORD" -c "$C" -warmup "$WARMUP" -d "$DURATION" -runs "$RUNS" "$@"
}

# with_peak_rss runs a command and prints the server's largest resident set
# seen while it ran.
with_peak_rss() {
	local peak=$work/peak
	echo 0 >"$peak"
	(while kill -0 "$pid" 2>/dev/null; do
		rss=$(ps -o rss= -p "$pid" || echo 0)
		((rss > $(cat "$peak"))) && echo "$rss" >"$peak"
		sleep 0.5
	done) &
	local sampler=$!
	"$@"
	kill "$sampler" 2>/dev/null || true
	echo "peak server RSS: $(($(cat "$peak") / 1024)) MiB"
}

# floor: the cost of Go's HTTP stack alone (a handler writing a constant),
# and of scimd's cheapest endpoint.
suite_floor() {
	mkdir -p "$work/hello"
	cat >"$work/hello/main.go" <<-'EOF'
		package main

		import "net/http"

		func main() {
			body := []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0}`)
			http.ListenAndServe(":18081", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/scim+json")
				w.Write(body)
			}))
		}
	EOF
	(cd "$work/hello" && go mod init hello >/dev/null 2>&1 && go build -o hello .)
	taskset -c 0 "$work/hello/hello" &
	local hello=$!
	sleep 0.5
	echo "== net/http hello world"
	taskset -c 1 "$work/scimload" -url http://127.0.0.1:18081 -c "$C" -warmup "$WARMUP" -d "$DURATION" -runs "$RUNS" \
		-scenario get-path -path /
	kill "$hello"
	start_server
	echo "== GET /ServiceProviderConfig (no authentication)"
	load -scenario get-path -path /ServiceProviderConfig
	stop_server
}

# core: issue 2's targets.
suite_core() {
	start_server
	echo "== GET /Users/{id}, Basic"
	load -scenario get-user
	echo "== POST /Users, Basic"
	load -scenario create-user
	stop_server
}

# patch: issue 4's targets.
suite_patch() {
	start_server
	echo "== PATCH replace on a user"
	load -scenario patch-user
	echo "== PATCH add one member, group of 0"
	load -scenario add-member -group-size 0 -prefix empty
	echo "== PATCH add one member, group of 100000"
	load -scenario add-member -group-size 100000 -prefix big
	stop_server
}

# auth: issue 5's targets.
suite_auth() {
	start_server
	local token
	token=$("$work/scimd" token create --db "sqlite:$work/scimd.db" --name bench \
		--scopes "internal_user_mgt_create internal_user_mgt_view internal_user_mgt_list" |
		sed -n 's/.*"token": *"\([^"]*\)".*/\1/p')
	echo "== GET /Users/{id}, Basic"
	load -scenario get-user
	echo "== GET /Users/{id}, bearer API token"
	load -scenario get-user -token "$token"
	echo "== GET /Users/{id}, Basic, during a burst of 10000 failed logins"
	load -scenario login-burst -burst 10000
	stop_server
}

# bulk: issue 6's target, 1000000 users through /Bulk, 1000 per request.
suite_bulk() {
	start_server
	echo "== Bulk import of $USERS users"
	taskset -c 1 "$work/scimload" -url "$URL" -password "$PASSWORD" -c "$C" -scenario seed-bulk -seed "$USERS" -bulk-size 1000
	stop_server
}

# dataset: issue 3's targets on $USERS users, with the server's peak memory.
suite_dataset() {
	start_server
	echo "== seeding $USERS users"
	with_peak_rss taskset -c 1 "$work/scimload" -url "$URL" -password "$PASSWORD" -c "$C" -scenario seed-bulk -seed "$USERS" -bulk-size 1000
	stop_server
	start_server keep
	echo "== filter userName eq"
	with_peak_rss load -scenario filter-eq -seed "$USERS"
	echo "== filter userName co (4 digits), count=10"
	with_peak_rss load -scenario filter-co -seed "$USERS"
	echo "== page of 100 sorted by userName at a random offset"
	with_peak_rss load -scenario sorted-page -seed "$USERS"
	echo "== cursor walk, pages of 200"
	with_peak_rss taskset -c 1 "$work/scimload" -url "$URL" -password "$PASSWORD" -scenario cursor-walk
	stop_server
}

go build -o "$work/scimd" ./cmd/scimd
go build -o "$work/scimload" ./cmd/scimload

suites=("$@")
if ((${#suites[@]} == 0)); then
	suites=(floor core patch auth)
fi
echo "# $(date -u +%Y-%m-%d), $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(go version | cut -d' ' -f3)"
for s in "${suites[@]}"; do
	"suite_$s"
done
