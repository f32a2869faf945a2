#!/usr/bin/python3
"""Differential test: custos's JMESPath against the reference implementation
(Debian's python3-jmespath) on thousands of random expressions and documents
from a seeded, grammar-based generator.  Every case must agree on the result
(JSON values, numbers compared numerically) or on the error kind.

All cases go through one `custos query --cases` process.  Output: one
PASS/FAIL line per group of cases (a line per case would be thousands of
lines), plus one FAIL line per disagreeing case.

Reference fixes: three places where python3-jmespath 1.0.1 departs from the
specification (and from jmespath.js / jmespath.go) are patched below before
any comparison, so those cases are still compared value for value:
  * function arguments: the reference accepts f(a b), f(a,) and (f)(a); the
    spec grammar requires "f(" expression *("," expression) ")".
  * a slice right after an index (a[0][1:].b) must project like every other
    slice; the reference folds it into the index chain without projecting.
  * contains() on an array compares with Python's ==, where true == 1; the
    spec (and the reference's own == operator) says they differ.

Documented exceptions, where the reference differs from the specification
(each is counted and printed, and custos's side is still checked):
  * static-function-check: custos rejects unknown functions and wrong
    argument counts at compile time; the reference only when the call is
    reached.  Accepted only when the reference's own parse tree really holds
    such a call.
  * merge-variadic-check: the reference type-checks only the first argument
    of a variadic function, so merge({...}, null) crashes with Python's
    TypeError and merge({...}, []) succeeds; custos says invalid-type.
  * reference-type-crash: the reference raises Python's own TypeError (not
    a JMESPath error) when ordering a string against a number (the spec
    says the comparison is null) and for contains() with a string subject
    and a non-string search (custos: false, like jmespath.go).  custos must
    give a value or invalid-type there.
  * expref-as-value: an &expr outside a function argument is a Python
    object in the reference (truthy, not JSON); custos evaluates it to
    null, and rejects it as an argument where a value is expected
    (invalid-type).  Accepted only when the reference's parse tree has such
    a node and custos gives a value or invalid-type.
  * legacy literal: the reference still accepts JEP-12's `foo` (invalid
    JSON in backticks read as a string, with a deprecation warning); the
    spec and the compliance suite say syntax error, and custos must.
  * to_string formatting: Python's json.dumps writes 2.0 for a float and
    \\u00e9 for non-ASCII; custos writes 2 and UTF-8.  Strings that differ
    only this way (they parse to the same JSON value) are accepted.
Other builtin exceptions map to the kind they mean: TypeError from
max_by/min_by over mixed key types -> invalid-type, ValueError for a zero
slice step -> invalid-value.
"""
import json
import os
import random
import subprocess
import sys
import warnings

import jmespath
from jmespath import ast as jast
from jmespath import exceptions as jx
from jmespath import functions as jfuncs
from jmespath import parser as jparser
from jmespath import visitor as jvisitor

CUSTOS = os.environ.get("CUSTOS", "build/asan/custos")
OUT = os.environ.get("OUT", "/tmp")
SEED = int(os.environ.get("JP_DIFF_SEED", "20261125"))
N = int(os.environ.get("JP_DIFF_CASES", "20000"))

def _strict_led_lparen(self, left):
    """Spec grammar for function calls: a plain name, comma-separated args."""
    if left["type"] != "field" or self._lookahead_token(-2)["type"] != "unquoted_identifier":
        t = self._lookahead_token(-2)
        raise jx.ParseError(t["start"], t["value"], t["type"], "invalid function name")
    args = []
    if self._current_token() != "rparen":
        while True:
            args.append(self._expression())
            if self._current_token() == "rparen":
                break
            self._match("comma")
    self._match("rparen")
    return jast.function_expression(left["value"], args)


def _spec_led_lbracket(self, left):
    """Every slice projects, also right after an index."""
    if self._lookahead_token(0)["type"] in ("number", "colon"):
        return self._project_if_slice(left, self._parse_index_expression())
    self._match("star")
    self._match("rbracket")
    return jast.projection(left, self._parse_projection_rhs(self.BINDING_POWER["star"]))


def _spec_contains(self, subject, search):
    if isinstance(subject, list):
        return any(jvisitor._equals(x, search) for x in subject)
    return search in subject


jparser.Parser._token_led_lparen = _strict_led_lparen
jparser.Parser._token_led_lbracket = _spec_led_lbracket
jfuncs.Functions.FUNCTION_TABLE["contains"]["function"] = _spec_contains

KEYS = ["a", "b", "c", "foo", "bar"]
STRINGS = ["", "a", "b", "abc", "bca", "foo", "x y", "é", "12", "-3", "1.5", "A"]
FUNCS = {  # name -> parameter kinds (a trailing '*' means variadic)
    "abs": ["num"], "avg": ["anum"], "ceil": ["num"], "contains": ["arrstr", "any"],
    "ends_with": ["str", "str"], "floor": ["num"], "join": ["str", "astr"],
    "keys": ["obj"], "length": ["lenable"], "map": ["expref", "arr"], "max": ["anumstr"],
    "max_by": ["arr", "expref"], "merge": ["obj*"], "min": ["anumstr"],
    "min_by": ["arr", "expref"], "not_null": ["any*"], "reverse": ["arrstr"],
    "sort": ["anumstr"], "sort_by": ["arr", "expref"], "starts_with": ["str", "str"],
    "sum": ["anum"], "to_array": ["any"], "to_string": ["any"], "to_number": ["any"],
    "type": ["any"], "values": ["obj"],
}


class Gen:
    def __init__(self, rnd):
        self.r = rnd

    # ---- documents
    def scalar(self):
        r = self.r
        k = r.random()
        if k < 0.3:
            return r.randint(-5, 10)
        if k < 0.4:
            return r.choice([1.5, -2.25, 0.5, 3.75])
        if k < 0.7:
            return r.choice(STRINGS)
        if k < 0.85:
            return r.choice([True, False])
        return None

    def value(self, d=0):
        r = self.r
        k = r.random()
        if d >= 3 or k < 0.35:
            return self.scalar()
        if k < 0.65:
            kind = r.random()
            n = r.randint(0, 5)
            if kind < 0.3:
                return [r.randint(-5, 10) for _ in range(n)]
            if kind < 0.5:
                return [r.choice(STRINGS) for _ in range(n)]
            return [self.value(d + 1) for _ in range(n)]
        keys = r.sample(KEYS, r.randint(0, len(KEYS)))
        return {key: self.value(d + 1) for key in keys}

    def doc(self):
        keys = self.r.sample(KEYS, self.r.randint(3, len(KEYS)))
        return {k: self.value(1) for k in keys}

    # ---- expressions
    def literal(self):
        r = self.r
        if r.random() < 0.3:
            return "'%s'" % r.choice(STRINGS).replace("'", "\\'")
        v = self.value(2) if r.random() < 0.5 else self.scalar()
        return "`%s`" % json.dumps(v, ensure_ascii=False).replace("`", "\\`")

    def ident(self):
        k = self.r.choice(KEYS)
        return '"%s"' % k if self.r.random() < 0.1 else k

    def num(self, lo=-4, hi=6):
        return str(self.r.randint(lo, hi))

    def bracket(self):
        r = self.r
        k = r.random()
        if k < 0.3:
            return "[%s]" % self.num()
        if k < 0.55:
            parts = [self.num() if r.random() < 0.6 else "" for _ in range(2)]
            s = "[%s:%s" % tuple(parts)
            if r.random() < 0.4:
                s += ":" + (r.choice(["1", "2", "-1", "-2", "3"]) if r.random() < 0.97 else "0")
            return s + "]"
        if k < 0.7:
            return "[*]"
        if k < 0.8:
            return "[]"
        return "[?%s]" % self.cond(1)

    def cond(self, d):
        r = self.r
        k = r.random()
        if k < 0.6:
            op = r.choice(["==", "!=", "<", "<=", ">", ">="])
            left = self.path(d + 1)
            right = self.literal() if r.random() < 0.6 else self.path(d + 1)
            return "%s %s %s" % (left, op, right)
        if k < 0.75:
            return "%s %s %s" % (self.cond(d + 1), r.choice(["&&", "||"]), self.cond(d + 1))
        if k < 0.85:
            return "!%s" % self.path(d + 1)
        return self.expr(d + 1)

    def path(self, d):
        """A field path with brackets and dots: foo.bar[0].baz"""
        r = self.r
        s = self.ident() if r.random() < 0.85 else "@"
        for _ in range(r.randint(0, 3 if d < 3 else 1)):
            k = r.random()
            if k < 0.5:
                s += "." + self.ident()
            elif k < 0.8:
                s += self.bracket()
            elif k < 0.9:
                s += ".*"
            else:
                s += ".[%s, %s]" % (self.ident(), self.ident())
        return s

    def func(self, d):
        r = self.r
        if r.random() < 0.01:
            return "%s(@)" % r.choice(["nope", "lenght", "Abs"])
        name = r.choice(list(FUNCS))
        params = FUNCS[name]
        if name in ("sort_by", "max_by", "min_by") and r.random() < 0.6:
            return "%s(%s, &%s)" % (name, self.records(), r.choice(["a", "b", "a", "b", "c", "foo"]))
        args = []
        for p in params:
            n = r.randint(1, 3) if p.endswith("*") else 1
            for _ in range(n):
                args.append(self.arg(p.rstrip("*"), d))
        if r.random() < 0.03:  # wrong arity
            args = args[:-1] if r.random() < 0.5 and args else args + ["@"]
        return "%s(%s)" % (name, ", ".join(args))

    def records(self):
        """An array of objects whose a is a number, b a string, c either:
        what sort_by/max_by/min_by need to get past their type checks."""
        r = self.r
        recs = [{"a": r.choice([r.randint(-3, 5), 2.5]), "b": r.choice(STRINGS),
                 "c": r.choice([1, "x", None]), "i": i} for i in range(r.randint(0, 6))]
        return "`%s`" % json.dumps(recs, ensure_ascii=False)

    def arg(self, p, d):
        r = self.r
        if p == "expref":
            return "&" + (self.path(d + 1) if r.random() < 0.9 else self.expr(d + 1))
        if r.random() < 0.4:
            return self.expr(d + 1)
        lit = {
            "num": lambda: r.choice(["`-3`", "`2.5`", "`0`", "`7`"]),
            "str": lambda: "'%s'" % r.choice(STRINGS),
            "anum": lambda: "`%s`" % json.dumps([r.randint(-3, 9) for _ in range(r.randint(0, 4))]),
            "astr": lambda: "`%s`" % json.dumps([r.choice(STRINGS) for _ in range(r.randint(0, 4))],
                                               ensure_ascii=False),
            "anumstr": lambda: r.choice(["`[3, 1, 2]`", "`[\"b\", \"a\"]`", "`[]`", "`[1.5, -2]`"]),
            "obj": lambda: "`%s`" % json.dumps({k: r.randint(0, 3) for k in r.sample(KEYS, 2)}),
            "arr": lambda: "`%s`" % json.dumps([self.value(2) for _ in range(r.randint(0, 4))],
                                              ensure_ascii=False).replace("`", "\\`"),
            "arrstr": lambda: r.choice(["`[1, \"a\", null]`", "'abc'", "`[]`", "'é x'"]),
            "lenable": lambda: r.choice(["'héllo'", "`[1,2]`", "`{\"a\": 1}`", "''"]),
            "any": lambda: self.literal(),
        }[p]
        return lit() if r.random() < 0.8 else self.path(d + 1)

    def expr(self, d=0):
        r = self.r
        if d > 4:
            return self.path(d) if r.random() < 0.8 else self.literal()
        k = r.random()
        if k < 0.35:
            return self.path(d)
        if k < 0.42:
            return self.literal()
        if k < 0.5:
            return "%s%s" % (self.path(d), self.bracket()) + (
                "." + self.path(d + 1) if r.random() < 0.5 else "")
        if k < 0.58:
            return "%s[?%s]%s" % (self.path(d), self.cond(d + 1),
                                  "." + self.path(d + 1) if r.random() < 0.5 else "")
        if k < 0.7:
            return self.func(d)
        if k < 0.76:
            return "[%s]" % ", ".join(self.expr(d + 1) for _ in range(r.randint(1, 3)))
        if k < 0.82:
            keys = r.sample(KEYS, r.randint(1, 3))
            return "{%s}" % ", ".join("%s: %s" % (key, self.expr(d + 1)) for key in keys)
        if k < 0.88:
            return "%s | %s" % (self.expr(d + 1), self.expr(d + 1))
        if k < 0.93:
            return "%s %s %s" % (self.expr(d + 1), r.choice(["||", "&&"]), self.expr(d + 1))
        if k < 0.96:
            return "!(%s)" % self.expr(d + 1)
        return "(%s)%s" % (self.expr(d + 1), self.bracket())

    def mutate(self, e):
        r = self.r
        if r.random() < 0.5 and len(e) > 1:
            return e[: r.randint(1, len(e) - 1)]
        i = r.randint(0, len(e))
        return e[:i] + r.choice("[]{}().,:|&!=<>*?`'\"") + e[i:]


def reference(expr, data):
    """('ok', value) or ('error', kind) or ('crash', text) or ('legacy', None)."""
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        r = reference_run(expr, data)
        if any("deprecated string literal" in str(x.message) for x in w):
            return ("legacy", None)
    return r


def reference_run(expr, data):
    try:
        v = jmespath.search(expr, data)
    except Exception as e:  # noqa: BLE001 - classified below
        return classify(e)
    try:
        json.dumps(v)
    except TypeError:  # an expref object in the result
        return ("nonjson", repr(v))
    return ("ok", v)


def classify(e):
    """Maps a reference exception to ('error', kind) or ('crash', text)."""
    if isinstance(e, jx.ArityError):  # also VariadictArityError (sic); a ParseError subclass
        return ("error", "invalid-arity")
    if isinstance(e, (jx.ParseError, jx.EmptyExpressionError)):  # lexer/incomplete too
        return ("error", "syntax")
    if isinstance(e, jx.UnknownFunctionError):
        return ("error", "unknown-function")
    if isinstance(e, jx.JMESPathTypeError):
        return ("error", "invalid-type")
    if isinstance(e, ValueError) and "slice step" in str(e):
        return ("error", "invalid-value")
    return ("crash", "%s: %s" % (type(e).__name__, e))


def ast_facts(expr):
    """Facts from the reference's parse tree: calls that a static check
    rejects, and exprefs used as values."""
    facts = set()
    try:
        tree = jmespath.compile(expr).parsed
    except Exception:  # noqa: BLE001 - unparsable: no facts
        return facts

    def walk(n, parent):
        if not isinstance(n, dict):
            return
        t = n.get("type")
        if t == "function_expression":
            params = FUNCS.get(n["value"])
            nargs = len(n["children"])
            if params is None:
                facts.add("unknown-function")
            elif nargs < len(params) or (not params[-1].endswith("*") and nargs > len(params)):
                facts.add("invalid-arity")
            for i, c in enumerate(n["children"]):
                want = params[min(i, len(params) - 1)] if params else "expref"
                if isinstance(c, dict) and c.get("type") == "expref" and want != "expref":
                    facts.add("expref-as-value")  # an expref where a value is expected
        if t == "expref" and parent != "function_expression":
            facts.add("expref-as-value")
        for c in n.get("children", []):
            walk(c, t)

    walk(tree, None)
    return facts


def same(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


def same_modulo_to_string(a, b, counts):
    """Equal, or differing only in strings that are the same JSON text."""
    if isinstance(a, str) and isinstance(b, str) and a != b:
        try:
            if same(json.loads(a), json.loads(b)):
                counts["to_string formatting"] += 1
                return True
        except ValueError:
            pass
        return False
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return all(same_modulo_to_string(x, y, counts) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():
        return all(same_modulo_to_string(a[k], b[k], counts) for k in a)
    return same(a, b)


def judge(expr, ref, line, counts):
    """None if custos's output line agrees with the reference, else why."""
    status, _, rest = line.partition(" ")
    if status not in ("OK", "ERROR"):
        return "bad output line %r" % line
    got_kind = rest.split(" ", 1)[0] if status == "ERROR" else None
    tag, val = ref
    if tag == "legacy":
        counts["legacy literal"] += 1
        return None if got_kind == "syntax" else "legacy literal accepted: %s" % line
    if tag == "error" and val == got_kind:
        return None
    facts = ast_facts(expr)
    if got_kind in ("unknown-function", "invalid-arity") and got_kind in facts and not (
            tag == "error" and val == "syntax"):
        counts["static-function-check"] += 1
        return None
    if got_kind == "invalid-type" and "merge() argument" in rest and " argument 1 " not in rest \
            and (tag == "ok" or (tag == "crash" and ("TypeError" in val or "ValueError" in val))):
        counts["merge-variadic-check"] += 1
        return None
    if "expref-as-value" in facts and (status == "OK" or got_kind == "invalid-type") and not (
            tag == "error" and val == "syntax"):
        counts["expref-as-value"] += 1
        return None
    if tag == "nonjson":
        if "expref-as-value" in facts and status == "OK":
            counts["expref-as-value"] += 1
            return None
        return "reference gave a non-JSON value %s; custos %s" % (val, line)
    if tag == "crash":
        if ("not supported between" in val or "requires string as left operand" in val) and (
                status == "OK" or got_kind == "invalid-type"):
            counts["reference-type-crash"] += 1
            return None
        return "reference raised %s; custos %s" % (val, line)
    if tag == "error":
        return "expected error %s, got %s" % (val, line)
    if status != "OK":
        return "expected %s, got %s" % (json.dumps(val), line)
    got = json.loads(rest)
    if same(got, val) or same_modulo_to_string(got, val, counts):
        return None
    return "expected %s, got %s" % (json.dumps(val), rest)


def main():
    rnd = random.Random(SEED)
    g = Gen(rnd)
    cases = []
    for i in range(N):
        data = g.doc()
        e = g.expr()
        if rnd.random() < 0.08:
            e = g.mutate(e)
        cases.append((e, data))
    path = os.path.join(OUT, "jmespath-diff.jsonl")
    with open(path, "w") as fh:
        for e, data in cases:
            fh.write(json.dumps({"expression": e, "data": data}) + "\n")
    p = subprocess.run([CUSTOS, "query", "--cases", path], capture_output=True, text=True)
    lines = p.stdout.splitlines()
    if p.returncode != 0 or len(lines) != len(cases):
        print("FAIL jmespath-diff: custos exited %d with %d/%d lines: %s"
              % (p.returncode, len(lines), len(cases), p.stderr[-2000:]))
        return 1
    counts = {"to_string formatting": 0, "static-function-check": 0, "merge-variadic-check": 0,
              "reference-type-crash": 0, "legacy literal": 0, "expref-as-value": 0}
    kinds = {}
    failed = 0
    group = 500
    for start in range(0, len(cases), group):
        bad = 0
        for i in range(start, min(start + group, len(cases))):
            e, data = cases[i]
            ref = reference(e, data)
            k = ref[1] if ref[0] == "error" else ref[0]
            kinds[k] = kinds.get(k, 0) + 1
            why = judge(e, ref, lines[i], counts)
            if why:
                bad += 1
                print("FAIL case %d %s over %s: %s" % (i, json.dumps(e), json.dumps(data), why))
        failed += bad
        tag = "PASS" if not bad else "FAIL"
        print("%s jmespath-diff cases %d-%d%s" % (tag, start, min(start + group, len(cases)) - 1,
                                                   "" if not bad else ": %d disagree" % bad))
    print("reference outcomes: %s" % json.dumps(kinds, sort_keys=True))
    print("documented exceptions: %s" % json.dumps(counts, sort_keys=True))
    print("%d cases (seed %d), %d disagree" % (len(cases), SEED, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
