#!/usr/bin/env bash
# Static checks that are part of the bar: the tree is clang-formatted, and
# cppcheck and clang-tidy (configured in .clang-tidy) find nothing.  clang
# -Werror is covered by the fuzz build.
set -u
cd "$(dirname "$0")/../.."
files=$(find src tests bench -name '*.[ch]' -o -name '*.cpp' | sort)
fails=0
unformatted=$(for f in $files; do clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || echo "$f"; done)
if [ -z "$unformatted" ]; then echo "PASS clang-format"; else
  echo "FAIL clang-format: run 'make format'; unformatted: $(echo $unformatted | head -c 300)"; fails=1; fi
out=$(cppcheck --enable=warning,performance,portability --std=c11 --quiet --inline-suppr -Isrc \
  --suppress=missingIncludeSystem -D__GNUC__ src tests/unit 2>&1 | grep -E '^(src|tests)/')
if [ -z "$out" ]; then echo "PASS cppcheck"; else
  echo "FAIL cppcheck: $(echo "$out" | head -5)"; fails=1; fi
# libxml2's headers live in their own directory (pkg-config / xml2-config).
xml_cflags=$(pkg-config --cflags libxml-2.0 2>/dev/null || xml2-config --cflags 2>/dev/null || echo -I/usr/include/libxml2)
tidy=$(find src -name '*.c' | sort | xargs -P "$(nproc)" -I{} \
  clang-tidy -quiet {} -- -Isrc -I/usr/include/postgresql -std=c17 -D_GNU_SOURCE -DCUSTOS_HAVE_SIMDJSON $xml_cflags 2>/dev/null |
  grep -E 'warning:|error:')
if [ -z "$tidy" ]; then echo "PASS clang-tidy"; else
  echo "FAIL clang-tidy: $(echo "$tidy" | head -5)"; fails=1; fi
[ "$fails" -eq 0 ]
