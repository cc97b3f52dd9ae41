#!/usr/bin/env bash
# Mutation testing of one app's business rules: `make mutation APP=pages [MUTATION_TESTS=tests/…] [MUTATION_ONLY=…]
# [MUTATION_FILES=rules] [MUTATION_SAMPLE=80 MUTATION_SEED=1]`.
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
targets=$(for f in ${MUTATION_FILES:-services selectors rules}; do if [[ -f "$APP/$f.py" ]]; then echo "\"$APP/$f.py\""; fi; done | paste -sd, -)
tests=$(printf '"%s",' "${TESTS[@]}")
cat >> "$WORK/pyproject.toml" <<TOML

[tool.mutmut]
source_paths = [$packages]
only_mutate = [$targets]
also_copy = ["templates", "static", "locale", "manage.py", "bench", "docs", "scripts", "README.md", "Makefile", "requirements.txt", ".env.example", ".ci", "pyproject.toml"]
# One mutant at a time on one reused test database (pytest-django), in file order.
pytest_add_cli_args = ["-p", "no:randomly", "-p", "no:cacheprovider", "--reuse-db", "-x", "-q"]
pytest_add_cli_args_test_selection = [${tests%,}]
process_isolation = "forkserver"
use_git_change_detection = false
TOML
cd "$WORK"
if [[ -f "$APP/rules.py" && " ${MUTATION_FILES:-rules} " == *" rules "* ]]; then
  # mutmut 3 leaves decorated functions alone: in this copy only, each predicate becomes a plain function under it.
  "$ROOT/.venv/bin/python" "$ROOT/scripts/mutation_tools.py" rewrite-rules "$APP/rules.py"
fi
export DATABASE_URL="${MUTATION_DATABASE_URL:-postgis://postgres@127.0.0.1:5432/participe_mutation}"
MUTMUT="$ROOT/.venv/bin/mutmut"
if [[ -n "${MUTATION_SAMPLE:-}" ]]; then
  # MUTATION_SAMPLE=80: a random sample of the mutants (seeded by MUTATION_SEED, default 1), for a score with its
  # margin in minutes instead of hours. mutmut first makes every mutant and learns which tests reach which function,
  # running only the mutants of the first function (names are known once the mutants are made); then the sample runs.
  first=$("$ROOT/.venv/bin/python" "$ROOT/scripts/mutation_tools.py" first-function "$APP" ${MUTATION_FILES:-services selectors rules})
  set -f
  "$MUTMUT" run --max-children 1 "$first" || true
  set +f
  "$MUTMUT" results --all true > all.txt || true
  mapfile -t sample < <("$ROOT/.venv/bin/python" "$ROOT/scripts/mutation_tools.py" sample "$MUTATION_SAMPLE" "${MUTATION_SEED:-1}" < all.txt)
  echo "sample: ${#sample[@]} of $(grep -c ': ' all.txt) mutants (seed ${MUTATION_SEED:-1})"
  "$MUTMUT" run --max-children 1 "${sample[@]}" || true
  "$MUTMUT" results --all true > results.txt || true
  printf '%s\n' "${sample[@]}" > sample.txt
  "$ROOT/.venv/bin/python" "$ROOT/scripts/mutation_tools.py" score sample.txt < results.txt
  exit 0
fi
# MUTATION_ONLY="pages.services.x_send_contact_message*": only these mutants (names as in results.txt, globs allowed).
set -f
"$MUTMUT" run --max-children 1 ${MUTATION_ONLY:-} || true
set +f
"$MUTMUT" results --all true > results.txt || true
killed=$(grep -c ": killed" results.txt || true)
total=$(grep -c ": " results.txt || true)
echo "mutants: $total, killed: $killed ($(( total ? 100 * killed / total : 0 )) %); survivors: grep -v killed $WORK/results.txt"
