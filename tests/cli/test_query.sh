#!/usr/bin/env bash
# custos query: output format, exit status and error messages of the CLI.
set -u
C=${CUSTOS:-build/asan/custos}
T=${OUT:-/tmp}/query-cli
mkdir -p "$T"
fails=0
check() { # name, expected, actual
  if [ "$2" == "$3" ]; then echo "PASS query-cli $1"; else
    echo "FAIL query-cli $1: expected [$2], got [$3]"; fails=$((fails + 1)); fi
}
printf '{"a": {"b": [1, 2, {"c": "x"}]}, "t": [{"k": "e", "v": true}]}\n' >"$T/doc.json"
printf '{"a": [1,\n  2,, 3]}\n' >"$T/bad.json"

out=$("$C" query 'a.b[2]' "$T/doc.json"); check file-arg '{"c":"x"}|0' "$out|$?"
out=$("$C" query 'length(t[?v == `true`])' <"$T/doc.json"); check stdin "1|0" "$out|$?"
out=$("$C" query 'a.b' - <"$T/doc.json"); check dash-stdin "[1,2,{\"c\":\"x\"}]|0" "$out|$?"
out=$("$C" query 'a' "$T/bad.json" 2>&1); rc=$?
check bad-json "custos query: $T/bad.json:2:5: unexpected character|1" "$out|$rc"
out=$("$C" query 'a.[b' "$T/doc.json" 2>&1); rc=$?
case "$out" in "custos query: syntax error at column 5: "*) check syntax 1 $rc ;; *)
  check syntax "syntax error at column 5" "$out" ;; esac
out=$("$C" query 'abs(a)' "$T/doc.json" 2>&1)
case "$out" in "custos query: invalid-type: "*) check invalid-type 1 $? ;; *) check invalid-type "invalid-type message" "$out" ;; esac
out=$("$C" query 'nope(a)' "$T/doc.json" 2>&1)
case "$out" in "custos query: unknown-function: "*) echo "PASS query-cli unknown-function" ;; *)
  echo "FAIL query-cli unknown-function: $out"; fails=$((fails + 1)) ;; esac
out=$("$C" query 'a.b[::0]' "$T/doc.json" 2>&1)
case "$out" in "custos query: invalid-value: "*) echo "PASS query-cli invalid-value" ;; *)
  echo "FAIL query-cli invalid-value: $out"; fails=$((fails + 1)) ;; esac
out=$("$C" query --help); rc=$?
case "$out" in *"usage: custos query"*"--cases"*) check help 0 $rc ;; *) check help usage "$out" ;; esac
"$C" query >/dev/null 2>&1; check no-args 1 $?
"$C" query a "$T/missing.json" >/dev/null 2>&1; check missing-file 1 $?
printf '%s\n' '{"expression": "a.b[0]", "data": {"a": {"b": [7]}}}' '{"expression": "a[", "data": {}}' >"$T/cases.jsonl"
out=$("$C" query --cases "$T/cases.jsonl" | cut -d' ' -f1-2 | tr '\n' ';'); check cases "OK 7;ERROR syntax;" "$out"
printf 'not json\n' >"$T/badcases.jsonl"
"$C" query --cases "$T/badcases.jsonl" >/dev/null 2>&1; check bad-cases 1 $?
[ "$fails" -eq 0 ]
