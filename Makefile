# libcrashdump - build, test, demo, bench, install.
# Target: Linux, glibc, x86-64.

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
CXX     ?= c++
OPT     ?= -O2 -g

SHELL   := bash
BUILD   := build
PKGS    := libunwind

UNWIND_CFLAGS = $(shell pkg-config --cflags $(PKGS))
UNWIND_LIBS   = $(shell pkg-config --libs $(PKGS))

WARN    := -Wall -Wextra -Werror
# -z now: no lazy binding, so the handler never enters the dynamic linker.
# -iquote shim: headers are named by their folder ("base/out.h"), and no
# header of ours can stand in for a system one.
SHIM_CFLAGS  = $(OPT) $(WARN) -std=gnu11 -fPIC -fvisibility=hidden \
               -fno-omit-frame-pointer -D_GNU_SOURCE -iquote shim $(UNWIND_CFLAGS) $(EXTRA_CFLAGS)
SHIM_LDFLAGS = -shared -Wl,--version-script=shim/entry/libcrashdump.map -Wl,-z,now \
               -Wl,-z,relro -Wl,--no-undefined
SHIM_LIBS    = $(UNWIND_LIBS) -ldl -lpthread

SHIM_SRCS := $(wildcard shim/*/*.c)
SHIM_HDRS := $(wildcard shim/*/*.h)
SHIM_OBJS := $(patsubst shim/%.c,$(BUILD)/shim/%.o,$(SHIM_SRCS))
LIB       := $(BUILD)/libcrashdump.so

FIX_C     := $(wildcard tests/fixtures/*.c)
FIX_CXX   := $(wildcard tests/fixtures/*.cpp)
FIX_SO    := $(wildcard tests/fixtures/lib*.c)
FIXTURES  := $(patsubst tests/fixtures/%.c,$(BUILD)/fixtures/%,$(filter-out $(FIX_SO),$(FIX_C))) \
             $(patsubst tests/fixtures/%.cpp,$(BUILD)/fixtures/%,$(FIX_CXX)) \
             $(patsubst tests/fixtures/%.c,$(BUILD)/fixtures/%.so,$(FIX_SO))
FIX_CFLAGS = -O1 -g -fno-omit-frame-pointer -Wall -Wextra -Werror -D_GNU_SOURCE -pthread

.PHONY: all deps test demo bench install uninstall clean fixtures check-deps unit ubsan

all: $(LIB)

$(BUILD)/shim/%.o: shim/%.c $(SHIM_HDRS)
	@mkdir -p $(@D)
	$(CC) $(SHIM_CFLAGS) -c $< -o $@

$(LIB): $(SHIM_OBJS) shim/entry/libcrashdump.map
	$(CC) $(SHIM_LDFLAGS) -o $@ $(SHIM_OBJS) $(SHIM_LIBS)

$(BUILD)/fixtures:
	mkdir -p $@

# Fixtures that link against a fixture library say so in a comment:
#   // link: libNAME
$(BUILD)/fixtures/lib%.so: tests/fixtures/lib%.c | $(BUILD)/fixtures
	$(CC) $(FIX_CFLAGS) -fPIC -shared -o $@ $<

FIX_H := $(wildcard tests/fixtures/*.h)

$(BUILD)/fixtures/%: tests/fixtures/%.c $(FIX_H) $(patsubst tests/fixtures/%.c,$(BUILD)/fixtures/%.so,$(FIX_SO)) | $(BUILD)/fixtures
	$(CC) $(FIX_CFLAGS) -o $@ $< $$(sed -n 's|^// link: lib\(.*\)|-L$(BUILD)/fixtures -Wl,-rpath,$(CURDIR)/$(BUILD)/fixtures -l\1|p' $<)

$(BUILD)/fixtures/%: tests/fixtures/%.cpp $(FIX_H) | $(BUILD)/fixtures
	$(CXX) $(FIX_CFLAGS) -std=c++17 -o $@ $<

fixtures: $(FIXTURES)

# Unit programs link shim objects directly (the fixture rule cannot).
$(BUILD)/unit:
	mkdir -p $@

# The symbols layer and the leaves it stands on.
UNIT_OBJS := $(patsubst shim/%.c,$(BUILD)/shim/%.o,$(wildcard shim/symbols/*.c)) \
             $(BUILD)/shim/base/out.o $(BUILD)/shim/base/runtime.o

$(BUILD)/unit/symbols_unit: tests/unit/symbols_unit.c $(UNIT_OBJS) | $(BUILD)/unit
	$(CC) $(FIX_CFLAGS) -iquote shim -o $@ $^

unit: $(BUILD)/unit/symbols_unit

# The library built with UndefinedBehaviorSanitizer, every finding fatal
# (tests/sanitizer.bats runs dumps with it).
UBSAN_FLAGS := -fsanitize=undefined -fno-sanitize-recover=all
UBSAN_OBJS  := $(patsubst shim/%.c,$(BUILD)/ubsan/%.o,$(SHIM_SRCS))

$(BUILD)/ubsan/%.o: shim/%.c $(SHIM_HDRS)
	@mkdir -p $(@D)
	$(CC) $(SHIM_CFLAGS) $(UBSAN_FLAGS) -c $< -o $@

$(BUILD)/ubsan/libcrashdump.so: $(UBSAN_OBJS) shim/entry/libcrashdump.map
	$(CC) $(SHIM_LDFLAGS) $(UBSAN_FLAGS) -o $@ $(UBSAN_OBJS) $(SHIM_LIBS)

ubsan: $(BUILD)/ubsan/libcrashdump.so

deps:
	scripts/install-deps

# One closing line "N passed, N failed", counted from bats' own TAP output.
test: deps
	$(MAKE) all fixtures unit ubsan
	@mkdir -p $(BUILD)
	@set -o pipefail; bats --tap tests | tee $(BUILD)/test.tap; \
	  passed=$$(grep -c '^ok ' $(BUILD)/test.tap); \
	  failed=$$(grep -c '^not ok ' $(BUILD)/test.tap); \
	  echo "$$passed passed, $$failed failed"; \
	  [ "$$failed" -eq 0 ] && [ "$$passed" -gt 0 ]

demo: deps
	$(MAKE) all $(BUILD)/fixtures/demo
	scripts/run-demo $(BUILD)/fixtures/demo

bench: deps
	scripts/install-deps --bench
	$(MAKE) all fixtures
	tests/bench/run

install: $(LIB)
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/bin
	install -m 0644 $(LIB) $(DESTDIR)$(PREFIX)/lib/libcrashdump.so
	install -m 0755 scripts/crashdump-run scripts/crashdump-symbolize scripts/crashdump-fold $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 scripts/crashdump_report.py $(DESTDIR)$(PREFIX)/bin/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/lib/libcrashdump.so \
	      $(DESTDIR)$(PREFIX)/bin/crashdump-run $(DESTDIR)$(PREFIX)/bin/crashdump-symbolize \
	      $(DESTDIR)$(PREFIX)/bin/crashdump-fold \
	      $(DESTDIR)$(PREFIX)/bin/crashdump_report.py

clean:
	rm -rf $(BUILD)
