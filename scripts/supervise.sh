# Sourced by run.sh and serve_prod.sh: `supervise CMD…` runs CMD in the background and starts it again if it exits
# (a task worker that lost its database connection, say), so that only the web server's exit ends the script.
# Sourcing it also installs the trap that, on Ctrl-C, SIGTERM or exit, stops the loops, what they run, and the web
# server whose pid the script keeps in $web.
supervised=()
web=""
supervise() {
    (
        child=""
        trap '[[ -n "$child" ]] && kill -TERM "$child" 2>/dev/null; wait 2>/dev/null; exit 0' TERM INT
        while true; do
            "$@" &
            child=$!
            status=0
            wait "$child" || status=$?
            echo "$(date '+%H:%M:%S') '$*' exited (status $status); restarting in 2 s" >&2
            sleep 2
        done
    ) &
    supervised+=($!)
}
stop_all() {
    trap - INT TERM EXIT
    for p in "${supervised[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    [[ -n "$web" ]] && kill -TERM "$web" 2>/dev/null
    wait 2>/dev/null || true
}
trap stop_all INT TERM EXIT
