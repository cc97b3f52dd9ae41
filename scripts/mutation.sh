#!/usr/bin/env bash
# Mutation testing of one app's business rules: `make mutation APP=pages [MUTATION_TESTS=tests/…] [MUTATION_ONLY=…]
# [MUTATION_FILES=rules]`.
# mutmut mutates <app>/services.py, selectors.py and rules.py one small change at a time and runs the app's tests
# (our pytest, on the real PostGIS test database) against each; a mutant the tests let through "survives".
# Everything happens in a copy of the checkout under var/mutation/<app>/ (mutmut works in a mutants/ folder there).
set -euo pipefail
cd "$(dirname "$0")/.."
APP="${1:?usage: scripts/mutation.sh APP [TESTS...]}"
shift
TESTS=("${@:-tests/$APP}")
[[ -d "$APP" ]] || { echo "No app folder $APP/" >&2; exit 2; }
ROOT="$PWD"
WORK="var/mutation/$APP"
rm -rf "$WORK"
mkdir -p "$WORK"
rsync -a --exclude .venv --exclude var --exclude .git --exclude mutants ./ "$WORK/"
packages=$(for d in */__init__.py; do dirname "$d"; done | grep -v -x -e tests -e bench | sed 's/.*/"&"/' | paste -sd, -)
# MUTATION_FILES="rules": only some of the three modules (names without .py).
targets=$(for f in ${MUTATION_FILES:-services selectors rules}; do [[ -f "$APP/$f.py" ]] && echo "\"$APP/$f.py\""; done | paste -sd, -)
tests=$(printf '"%s",' "${TESTS[@]}")
cat >> "$WORK/pyproject.toml" <<TOML

[tool.mutmut]
source_paths = [$packages]
only_mutate = [$targets]
also_copy = ["templates", "static", "locale", "manage.py"]
# One mutant at a time on one reused test database (pytest-django), in file order.
pytest_add_cli_args = ["-p", "no:randomly", "-p", "no:cacheprovider", "--reuse-db", "-x", "-q"]
pytest_add_cli_args_test_selection = [${tests%,}]
process_isolation = "forkserver"
use_git_change_detection = false
TOML
cd "$WORK"
export DATABASE_URL="${MUTATION_DATABASE_URL:-postgis://postgres@127.0.0.1:5432/participe_mutation}"
# MUTATION_ONLY="pages.services.x_send_contact_message*": only these mutants (names as in results.txt, globs allowed).
set -f
"$ROOT/.venv/bin/mutmut" run --max-children 1 ${MUTATION_ONLY:-} || true
set +f
"$ROOT/.venv/bin/mutmut" results --all true > results.txt || true
killed=$(grep -c ": killed" results.txt || true)
total=$(grep -c ": " results.txt || true)
echo "mutants: $total, killed: $killed ($(( total ? 100 * killed / total : 0 )) %); survivors: grep -v killed $WORK/results.txt"
