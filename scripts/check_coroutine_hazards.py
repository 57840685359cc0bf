#!/usr/bin/env python3
"""Finds coroutine patterns that GCC 12.2 (Debian 12) miscompiles.

1. `co_await` inside an if/while condition: the coroutine traps or loses state.
2. A lambda expression inside a `co_await` full-expression, e.g.
   `co_await smp.call(shard, [p] { ... })`: the closure temporary is destroyed twice, so its
   captures are released twice (a shared_ptr capture frees what it still points to).
   Name the lambda first: `auto fn = [p] { ... }; co_await smp.call(shard, fn);`.
3. A temporary of class type passed by value to a coroutine inside a `co_await` expression,
   e.g. `co_await create_topic(name, -1, {}, false)` or `co_await open(std::string("x"))`: it
   is copied into the coroutine frame bytewise, so a std::string or std::map in it points into
   the caller's frame. Name it first. Only what a regex can see is caught: a bare `{}`
   argument, a string literal, a `std::` class temporary. Implicit conversions (a `const char*`
   passed for a std::string parameter) are not; designated-initializer option structs
   (`{.cancel = &c}`) are allowed because ours are trivially copyable.
Prints file:line for each hit; exits 1 if any.
"""
import pathlib
import re
import sys

CONDITION = re.compile(r"\b(if|while)\s*\(\s*!?\s*co_await\b")
# A bare `{}` argument, a string literal, or a std:: class temporary other than the views and
# helpers that are trivially copyable or not temporaries at all.
TEMPORARY = re.compile(
    r'[(,]\s*\{\s*\}'
    r'|"(?:[^"\\]|\\.)*"'
    r'|\bstd::(?!span\b|move\b|chrono\b|exchange\b|get\b|min\b|max\b|string_view\b)\w+\s*(<[^;]*?>)?\s*[({]')
LAMBDA = re.compile(r"\[[^\[\]]*\]\s*(\([^()]*\))?\s*(mutable\s*)?(->\s*[\w:<>, ]+\s*)?\{")


def statements_with_co_await(text):
    """Yields (line number, statement text) for each statement holding co_await."""
    for match in re.finditer(r"\bco_await\b", text):
        start = match.start()
        # The statement runs from the co_await to the next ';' at bracket depth 0.
        depth = 0
        end = start
        while end < len(text):
            c = text[end]
            if c in "([{":
                depth += 1
            elif c in ")]}":
                depth -= 1
                if depth < 0:
                    break
            elif c == ";" and depth == 0:
                break
            end += 1
        yield text.count("\n", 0, start) + 1, text[start:end]


def main():
    # Library and application code. Tests and benchmarks await lambdas that capture only
    # trivially destructible values (ints, pointers), for which a second destruction is a no-op.
    roots = [p for p in ("engine", "net", "cluster", "client", "apps") if pathlib.Path(p).is_dir()]
    bad = 0
    for root in roots:
        for path in sorted(pathlib.Path(root).rglob("*")):
            if path.suffix not in (".h", ".cc"):
                continue
            # Comments out (newlines kept, so line numbers stay right).
            text = re.sub(r"//[^\n]*", "", path.read_text(errors="replace"))
            for no, line in enumerate(text.splitlines(), 1):
                if CONDITION.search(line):
                    print(f"{path}:{no}: co_await inside an if/while condition")
                    bad += 1
            for no, stmt in statements_with_co_await(text):
                if LAMBDA.search(stmt):
                    print(f"{path}:{no}: lambda expression inside a co_await expression")
                    bad += 1
                elif TEMPORARY.search(stmt) and not stmt.startswith("co_await()"):
                    print(f"{path}:{no}: temporary argument inside a co_await expression")
                    bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
