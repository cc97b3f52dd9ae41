"""The Python side of `scripts/mutation.sh` (mutation testing with mutmut 3), one subcommand per step:

rewrite-rules APP/rules.py       every `@rules.predicate def is_x(…)` becomes a plain function mutmut mutates,
                                 and the same predicate over it (in mutmut's copy of the checkout only)
first-function APP MODULE…       the glob of the first plain function's mutants (mutmut names them once made)
sample SIZE SEED < all.txt       a seeded random sample of the mutant names `mutmut results --all true` lists
score sample.txt < results.txt   the share of the sample killed, its 95 % interval, and the survivors
"""

import ast
import math
import random
import sys
from pathlib import Path


def rewrite_rules(source: str) -> str:
    """mutmut 3 leaves decorated functions alone: `@rules.predicate def is_x(user, obj=None)` becomes
    `def _plain_is_x(…)` and `is_x = rules.predicate(lambda user, obj=None: _plain_is_x(user, obj), name="is_x")` —
    the lambda keeps the arguments django-rules counts, which mutmut's wrapper around a function would hide."""
    lines = source.splitlines()
    for node in reversed(ast.parse(source).body):
        if isinstance(node, ast.FunctionDef) and [ast.unparse(d) for d in node.decorator_list] == ["rules.predicate"]:
            name, params = node.name, ast.unparse(node.args)
            call = ", ".join(argument.arg for argument in node.args.args)
            lines.insert(
                node.end_lineno, f'{name} = rules.predicate(lambda {params}: _plain_{name}({call}), name="{name}")'
            )
            lines[node.lineno - 1] = lines[node.lineno - 1].replace(f"def {name}(", f"def _plain_{name}(", 1)
            del lines[node.decorator_list[0].lineno - 1]
    return "\n".join(lines) + "\n"


def first_function(app: str, modules: list[str]) -> str | None:
    for module in modules:
        path = Path(app, module + ".py")
        if path.exists():
            for node in ast.parse(path.read_text()).body:
                if isinstance(node, ast.FunctionDef) and not node.decorator_list and _mutable(node):
                    return f"{app}.{module}.x_{node.name}*"
    return None


def _mutable(function: ast.FunctionDef) -> bool:
    """Whether mutmut makes at least one mutant of the function (it leaves an f-string alone: `return f"x-{pk}"`
    has none, and asking mutmut to run the mutants of a function that has none stops it)."""
    body = function.body[1:] if ast.get_docstring(function) is not None else function.body  # docstrings stay
    nodes = [n for statement in body for n in ast.walk(statement)]
    in_fstrings = {id(n) for f in nodes if isinstance(f, ast.JoinedStr) for n in ast.walk(f)}
    operators = (ast.Compare, ast.BinOp, ast.BoolOp, ast.UnaryOp, ast.Call, ast.keyword, ast.Constant)
    return any(isinstance(n, operators) and id(n) not in in_fstrings for n in nodes)


def _statuses(results_lines) -> dict[str, str]:
    """`mutmut results --all true` lines ("    name: status") as {name: status}."""
    return {line.split(":")[0].strip(): line.split(":", 1)[1].strip() for line in results_lines if ": " in line}


def sample(results_lines, size: int, seed: int) -> list[str]:
    names = sorted(_statuses(results_lines))
    return sorted(random.Random(seed).sample(names, min(size, len(names))))


def wilson(killed: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The 95 % Wilson interval of a share killed `killed / n` (sound for small samples and shares near 1)."""
    p = killed / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    margin = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - margin, centre + margin


def score(results_lines, sampled: list[str]) -> list[str]:
    status = _statuses(results_lines)
    checked = [name for name in sampled if status.get(name) not in (None, "not checked")]
    killed = sum(status[name] == "killed" for name in checked)
    report = []
    if checked:
        low, high = wilson(killed, len(checked))
        report.append(
            f"sample: {len(checked)} checked, {killed} killed = {100 * killed / len(checked):.0f} % "
            f"(95 % interval {100 * low:.0f}–{100 * high:.0f} %)"
        )
        modules = sorted({name.split(".")[1] for name in checked})
        if len(modules) > 1:  # the bar is on services and rules: each module's share, apart
            report.append(
                "  per module: "
                + "; ".join(
                    f"{module} {sum(status[n] == 'killed' for n in of)}/{len(of)}"
                    for module in modules
                    for of in [[n for n in checked if n.split(".")[1] == module]]
                )
            )
    report += [f"  {status[name]}: {name}" for name in checked if status[name] != "killed"]
    return report


def main(argv: list[str]) -> None:
    command, args = argv[0], argv[1:]
    if command == "rewrite-rules":
        path = Path(args[0])
        path.write_text(rewrite_rules(path.read_text()))
    elif command == "first-function":
        print(first_function(args[0], args[1:]) or "")
    elif command == "sample":
        print("\n".join(sample(sys.stdin, int(args[0]), int(args[1]))))
    elif command == "score":
        print(
            "\n".join(
                score(sys.stdin, [line.strip() for line in Path(args[0]).read_text().splitlines() if line.strip()])
            )
        )
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
