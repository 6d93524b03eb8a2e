#!/usr/bin/env bash
# Runs the benchmarks of docs/PERFORMANCE.md: scimd pinned to CPU 0, the
# load tool (cmd/scimload) to CPU 1, concurrency 32 over loopback, a
# warm-up, then several measured runs whose median is reported.
#
#   scripts/bench.sh [SUITE...]      suites: floor core patch auth bulk dataset import
#                                    replicas client (default: floor core patch auth; bulk
#                                    and dataset take minutes; replicas needs DB=postgres)
#
# Environment: RUNS (5), DURATION of each run (10s), WARMUP (3s), C (32),
# USERS in the bulk and dataset suites (1000000), PORT (18080), DB: sqlite
# (default) or postgres — a throwaway PostgreSQL cluster the script starts
# from the system's binaries, pinned to CPU 0 with scimd: the server side
# keeps one CPU.
set -euo pipefail

RUNS=${RUNS:-5} DURATION=${DURATION:-10s} WARMUP=${WARMUP:-3s} C=${C:-32}
USERS=${USERS:-1000000} PORT=${PORT:-18080} DB=${DB:-sqlite}
PASSWORD=bench-password
URL=http://127.0.0.1:$PORT/scim2
PGPORT=$((PORT + 2))
# An extension with an indexed attribute, for the dataset suite's filter
# on a configured attribute.
EXT=urn:example:params:scim:schemas:extension:bench:2.0:User

cd "$(dirname "$0")/.."
work=$(mktemp -d)
pid=
pids=()
cleanup() {
	stop_server
	[[ $DB == postgres ]] && pg stop -m fast >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

# pg runs pg_ctl on the benchmark cluster, pinned to CPU 0 (the cluster it
# starts inherits that), as the user postgres when root (PostgreSQL refuses
# to run as root).
pg() {
	local bin as=()
	bin=$(dirname "$(command -v initdb || ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")
	(($(id -u) == 0)) && as=(runuser -u postgres --)
	taskset -c 0 "${as[@]}" "$bin/pg_ctl" -D "$work/pg" "$@"
}

start_postgres() {
	mkdir -p "$work/pg"
	(($(id -u) == 0)) && chown postgres "$work" "$work/pg"
	pg init -o "--auth=trust --username=bench --encoding=UTF8 --locale=C.UTF-8" >/dev/null
	cat >>"$work/pg/postgresql.conf" <<-EOF
		port = $PGPORT
		listen_addresses = '127.0.0.1'
		unix_socket_directories = ''
		shared_buffers = 1GB
		max_wal_size = 8GB
	EOF
	pg start -l "$work/pg/log" -w >/dev/null
}

# dsn names the database scimd uses, which new_db makes empty.
dsn() {
	if [[ $DB == postgres ]]; then
		echo "postgres://bench@127.0.0.1:$PGPORT/scimd?sslmode=disable"
	else
		echo "sqlite:$work/scimd.db"
	fi
}

new_db() {
	if [[ $DB == postgres ]]; then
		psql -qX "postgres://bench@127.0.0.1:$PGPORT/postgres" -c "DROP DATABASE IF EXISTS scimd WITH (FORCE)" -c "CREATE DATABASE scimd"
	else
		rm -f "$work"/scimd.db*
	fi
}

# start_server starts scimd on a new database unless told to keep it, with
# the flags given after that; start_replica starts one more on the same
# database, on the next port.
start_server() {
	if [[ ${1:-} == keep ]]; then
		shift
	else
		new_db
	fi
	start_replica "$PORT" "$@"
}

start_replica() {
	local port=$1
	shift
	taskset -c 0 "$work/scimd" serve --db "$(dsn)" --addr "127.0.0.1:$port" \
		--admin-password "$PASSWORD" --log-level warn "$@" &
	pids+=($!)
	pid=${pids[0]}
	for _ in $(seq 300); do
		curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && return
		sleep 0.1
	done
	echo "scimd did not become ready" >&2
	exit 1
}

stop_server() {
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	pids=()
	pid=
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
	token=$("$work/scimd" token create --db "$(dsn)" --name bench \
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

# dataset: issue 3's targets on $USERS users, with the server's peak memory,
# and issue 7's: a filter on an indexed attribute of a configured extension.
suite_dataset() {
	mkdir -p "$work/schemas"
	cat >"$work/schemas/bench.json" <<-EOF
		{"id": "$EXT", "name": "Bench", "attributes": [{"name": "badge", "type": "string",
		 "multiValued": false, "required": false, "caseExact": false, "mutability": "readWrite",
		 "returned": "default", "uniqueness": "none"}]}
	EOF
	cat >"$work/schemas/types.yaml" <<-EOF
		resourceTypes:
		  - name: User
		    schemaExtensions: [{schema: "$EXT", required: false}]
		    indexes: ["$EXT:badge"]
	EOF
	start_server --schemas "$work/schemas"
	echo "== seeding $USERS users (userName and $EXT:badge)"
	with_peak_rss taskset -c 1 "$work/scimload" -url "$URL" -password "$PASSWORD" -c "$C" -scenario seed-bulk -seed "$USERS" -bulk-size 1000 -attr "$EXT:badge"
	stop_server
	start_server keep --schemas "$work/schemas"
	echo "== filter userName eq"
	with_peak_rss load -scenario filter-eq -seed "$USERS"
	echo "== filter $EXT:badge eq (indexed, configured)"
	with_peak_rss load -scenario filter-eq -seed "$USERS" -attr "$EXT:badge"
	echo "== filter userName co (4 digits), count=10"
	with_peak_rss load -scenario filter-co -seed "$USERS"
	# The warm-up's first page makes scimd build its rank buckets (SQLite).
	echo "== page of 100 sorted by userName at a random offset"
	with_peak_rss load -scenario sorted-page -seed "$USERS"
	echo "== cursor walk, pages of 200"
	with_peak_rss taskset -c 1 "$work/scimload" -url "$URL" -password "$PASSWORD" -scenario cursor-walk
	stop_server
}

# import: issue 9's target, `scim import` of a CSV of IMPORT_ROWS (100000)
# users, the command on CPU 1.
suite_import() {
	local rows=${IMPORT_ROWS:-100000}
	{
		echo 'userName,name.givenName,name.familyName,emails[type eq "work"].value,active'
		seq -f '%07g' 0 $((rows - 1)) | awk '{print "import-" $1 ",Given" $1 ",Family" $1 ",import-" $1 "@example.com,true"}'
	} >"$work/users.csv"
	for run in $(seq "$RUNS"); do
		start_server
		local t0 t1
		t0=$(date +%s.%N)
		SCIM_URL=$URL SCIM_USER=admin SCIM_PASSWORD=$PASSWORD taskset -c 1 "$work/scim" import "$work/users.csv" >"$work/import.json"
		t1=$(date +%s.%N)
		stop_server
		echo "import run $run: $rows users in $(echo "$t1 - $t0" | bc)s, $(echo "$rows / ($t1 - $t0)" | bc) users/s; report: $(tr -d ' \n' <"$work/import.json" | head -c 100)"
	done
}

# client: the client package's own cost per request (Go benchmarks, CPU 1).
suite_client() {
	taskset -c 1 go test -run '^$' -bench . -benchmem -count "$RUNS" ./client
}

# replicas (DB=postgres): the read workloads on one replica, then on two
# taking requests in turn — all of the server side on CPU 0, as always.
suite_replicas() {
	if [[ $DB != postgres ]]; then
		echo "the replicas suite needs DB=postgres" >&2
		exit 1
	fi
	start_server
	load -scenario seed-bulk -seed 10000 >/dev/null
	for n in 1 2; do
		urls=$URL
		if ((n == 2)); then
			start_replica $((PORT + 1))
			urls=$URL,http://127.0.0.1:$((PORT + 1))/scim2
		fi
		echo "== $n replica(s): GET /Users/{id}"
		load -url "$urls" -scenario get-user
		echo "== $n replica(s): filter userName eq"
		load -url "$urls" -scenario filter-eq -seed 10000
	done
	stop_server
}

go build -o "$work/scimd" ./cmd/scimd
go build -o "$work/scimload" ./cmd/scimload
go build -o "$work/scim" ./cmd/scim

suites=("$@")
if ((${#suites[@]} == 0)); then
	suites=(floor core patch auth)
fi
[[ $DB == postgres ]] && start_postgres
echo "# $(date -u +%Y-%m-%d), $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(go version | cut -d' ' -f3), DB=$DB"
for s in "${suites[@]}"; do
	"suite_$s"
done
