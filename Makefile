# custos - build, test, demo.  See README.md.
#
#   make            release build: build/release/custos
#   make demo       install missing Debian packages, build, scan the sample org
#   make check      build with ASan+UBSan and run every test
#   make fuzz       build libFuzzer targets and run each for FUZZ_SECONDS
#   make bench      benchmarks (bench/README.md)
#   make image      build deploy/Dockerfile and smoke-test it (needs Docker)
#   make format     clang-format the tree

CC      ?= cc
CXX     ?= c++
BUILD   ?= build/release
MODE    ?= release
DEPS_OK := build/.deps-ok

# Quiet by default ("CC file"); make V=1 shows full command lines.
ifeq ($(V),1)
Q =
else
Q = @
endif

WARN     = -Wall -Wextra -Werror
CSTD     = -std=c17 -D_GNU_SOURCE
# libpq's headers live in their own directory on Debian (pg_config --includedir).
PG_INCLUDE ?= /usr/include/postgresql
CPPFLAGS = -Isrc -I$(PG_INCLUDE) -I/usr/include/libxml2 -DCUSTOS_HAVE_SIMDJSON
ifeq ($(MODE),asan)
OPT      = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else ifeq ($(MODE),fuzz)
OPT      = -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
else
OPT      = -O2 -g
endif
CFLAGS   = $(CSTD) $(WARN) $(OPT) -pthread
CXXFLAGS = -std=c++17 $(WARN) $(OPT) -pthread
ifeq ($(MODE),fuzz)
# The C link step has no C++ UBSan runtime; vptr checks need it.
CXXFLAGS += -fno-sanitize=vptr
endif
LDLIBS   = -lyaml -lpcre2-8 -lsimdjson -lsqlite3 -lpq -lcurl -lssl -lcrypto -lxml2 -lmicrohttpd -lcmark -lstdc++ -lm -pthread

LIB_C   := $(shell find src -name '*.c' ! -name main.c | sort)
LIB_CXX := $(shell find src -name '*.cpp' | sort)
PACK_YML:= $(sort $(wildcard policies/aws/*.yml))
LIB_OBJ := $(LIB_C:%.c=$(BUILD)/%.o) $(LIB_CXX:%.cpp=$(BUILD)/%.o) $(BUILD)/gen/pack_data.o $(BUILD)/gen/aws_tables.o
UNIT_C  := $(wildcard tests/unit/test_*.c)
UNIT_BIN:= $(UNIT_C:%.c=$(BUILD)/%)
FUZZ_C  := $(wildcard tests/fuzz/fuzz_*.c)

.PHONY: all deps demo check test-bins fuzz fuzz-build bench format lint clean sample image
all: $(BUILD)/custos

$(DEPS_OK): scripts/install-deps.sh
	@bash scripts/install-deps.sh
	@mkdir -p build && touch $@
deps: $(DEPS_OK)

$(BUILD)/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  CC    $<  ($(MODE))"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/%.o: %.cpp | $(DEPS_OK)
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  CXX   $<  ($(MODE))"
	$(Q)$(CXX) $(CPPFLAGS) $(CXXFLAGS) -MMD -MP -c $< -o $@

# The built-in policy pack is compiled into the library (src/policy/pack.h).
$(BUILD)/gen/pack_data.c: $(PACK_YML) policies/aws scripts/embed-pack.sh
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  EMBED policies/aws  ($(MODE))"
	$(Q)bash scripts/embed-pack.sh $@ $(PACK_YML)

$(BUILD)/gen/pack_data.o: $(BUILD)/gen/pack_data.c
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

# AWS protocol tables from python3-botocore's service models, for the
# operations src/aws/plan.c lists (src/aws/model.h).
$(BUILD)/gen/aws_tables.c: src/aws/plan.c scripts/gen-aws-tables.py | $(DEPS_OK)
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  GEN   aws tables  ($(MODE))"
	$(Q)/usr/bin/python3 scripts/gen-aws-tables.py $@ src/aws/plan.c

$(BUILD)/gen/aws_tables.o: $(BUILD)/gen/aws_tables.c src/aws/model.h
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/src/web/assets.o: $(wildcard src/web/assets/*)

$(BUILD)/libcustos.a: $(LIB_OBJ)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/custos: $(BUILD)/src/main.o $(BUILD)/libcustos.a
	@[ "$(V)" = 1 ] || echo "  LD    $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/unit/%: tests/unit/%.c tests/unit/t.h tests/unit/filter_test.h $(BUILD)/libcustos.a
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  TEST  $@"
	$(Q)$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) -o $@ $< $(BUILD)/libcustos.a $(LDLIBS)

test-bins: $(BUILD)/custos $(UNIT_BIN)

# The whole suite runs against the sanitizer build.
check: $(DEPS_OK)
	@$(MAKE) --no-print-directory MODE=asan BUILD=build/asan test-bins
	@$(MAKE) --no-print-directory MODE=release BUILD=build/release all
	@BUILD=build/asan RELEASE=build/release bash tests/run.sh

sample: all
	@/usr/bin/python3 examples/gen_org.py --out sample-org --seed 42

demo: $(DEPS_OK)
	@$(MAKE) --no-print-directory all
	@/usr/bin/python3 examples/gen_org.py --out sample-org --seed 42
	./$(BUILD)/custos scan --inventory sample-org --db sqlite:build/demo.db --format table || test $$? -eq 3
	@bash scripts/demo-serve.sh ./$(BUILD)/custos sqlite:build/demo.db

FUZZ_SECONDS ?= 60
fuzz-build:
	@$(MAKE) --no-print-directory CC=clang CXX=clang++ MODE=fuzz BUILD=build/fuzz build/fuzz/libcustos.a
	@mkdir -p build/fuzz/bin
	@for f in $(FUZZ_C); do n=$$(basename $$f .c); \
	  clang $(CPPFLAGS) $(CSTD) -g -O1 -fsanitize=fuzzer,address,undefined -pthread -o build/fuzz/bin/$$n $$f build/fuzz/libcustos.a $(LDLIBS) || exit 1; done
fuzz: fuzz-build
	@for f in build/fuzz/bin/fuzz_*; do n=$$(basename $$f); mkdir -p build/fuzz/corpus/$$n; \
	  seeds=tests/fuzz/seeds/$$n; [ -d $$seeds ] || seeds=; \
	  echo "== $$n ($(FUZZ_SECONDS)s)"; $$f -max_total_time=$(FUZZ_SECONDS) -max_len=8192 build/fuzz/corpus/$$n $$seeds || exit 1; done

bench: all
	@bash bench/run.sh

# The container image (deploy/Dockerfile), built and smoke-tested; needs a
# Docker daemon and the network, so it is not part of check.
image: all
	@bash deploy/smoke.sh

# clang-tidy over every C file (slow; cppcheck and clang-format run in make check).
lint:
	@for f in $(LIB_C) src/main.c; do clang-tidy -quiet $$f -- $(CPPFLAGS) $(CSTD) 2>/dev/null; done

format:
	clang-format -i $$(find src tests bench -name '*.[ch]' -o -name '*.cpp' | sort)

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
