"""The steps of `make mutation` written in Python (scripts/mutation_tools.py): the predicates mutmut can mutate,
the seeded sample, and the score with its interval."""

import importlib.util
from pathlib import Path

import pytest

spec = importlib.util.spec_from_file_location(
    "mutation_tools", Path(__file__).resolve().parent.parent / "scripts" / "mutation_tools.py"
)
tools = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tools)

RULES = """import rules


@rules.predicate
def is_owner(user, thing=None):
    return thing is not None and thing == user


def helper(user):
    return user
"""


def test_a_predicate_becomes_a_plain_function_under_the_same_predicate():
    rewritten = tools.rewrite_rules(RULES)
    assert "@rules.predicate" not in rewritten and "def _plain_is_owner(user, thing=None):" in rewritten
    namespace = {}
    exec(compile(rewritten, "rules.py", "exec"), namespace)  # noqa: S102 - our own test source
    predicate = namespace["is_owner"]
    assert predicate.name == "is_owner" and predicate.num_args == 2
    assert predicate.test("camille", "camille") is True
    assert predicate.test("camille", "nina") is False
    assert predicate.test("camille") is False
    assert namespace["helper"]("x") == "x"  # plain functions stay as they are


RESULTS = [
    "    pages.services.x_a__mutmut_1: killed\n",
    "    pages.services.x_a__mutmut_2: survived\n",
    "    pages.services.x_b__mutmut_1: no tests\n",
    "    pages.services.x_b__mutmut_2: not checked\n",
]


def test_the_sample_is_the_same_for_the_same_seed_and_never_larger_than_the_mutants():
    first = tools.sample(RESULTS, 2, seed=1)
    assert first == tools.sample(RESULTS, 2, seed=1) and len(first) == 2
    assert tools.sample(RESULTS, 10, seed=1) == sorted(line.split(":")[0].strip() for line in RESULTS)


def test_the_score_counts_the_mutants_checked_and_lists_the_others():
    names = [line.split(":")[0].strip() for line in RESULTS]
    assert tools.score(RESULTS, names) == [
        "sample: 3 checked, 1 killed = 33 % (95 % interval 6–79 %)",
        "  survived: pages.services.x_a__mutmut_2",
        "  no tests: pages.services.x_b__mutmut_1",
    ]


def test_the_score_gives_each_module_its_share_when_the_sample_spans_several():
    results = [*RESULTS, "    pages.rules.x__plain_is_a__mutmut_1: killed\n"]
    names = [line.split(":")[0].strip() for line in results]
    assert tools.score(results, names)[:2] == [
        "sample: 4 checked, 2 killed = 50 % (95 % interval 15–85 %)",
        "  per module: rules 1/1; services 1/3",
    ]


@pytest.mark.parametrize(
    ("killed", "n", "low", "high"), [(52, 60, 76, 93), (78, 80, 91, 99), (0, 10, 0, 28), (60, 60, 94, 100)]
)
def test_wilson_intervals(killed, n, low, high):
    lower, upper = tools.wilson(killed, n)
    assert (round(100 * lower), round(100 * upper)) == (low, high)


def test_the_first_function_is_one_mutmut_makes_mutants_of(tmp_path, monkeypatch):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "services.py").write_text(
        'def group(pk):\n    """Channel."""\n    return f"app-{pk}"\n\n\ndef limit(n):\n    return n > 3\n'
    )
    monkeypatch.chdir(tmp_path)
    assert tools.first_function("app", ["selectors", "services"]) == "app.services.x_limit*"
