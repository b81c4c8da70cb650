# drgen -- disaster-recovery documents from plan data.
#
#   make run    install what is missing, build, generate the sample's documents
#   make test   install what is missing, build, run every test under ASan+UBSan
#
# Other targets: all asan ubsan lint format install uninstall clean fuzz bench deps

.DEFAULT_GOAL := all

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
PKGS     = libxml-2.0 libcmark libcjson lua5.4 libcrypto yajl yaml-0.1
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
SAMPLE  ?= samples/kestrel
OUT     ?= output

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

WARN    = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
          -Wpointer-arith -Wformat=2 -Wno-format-nonliteral -Wvla
ifeq ($(CI),true)
WARN   += -Werror
endif
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -DDRGEN_VERSION='"$(VERSION)"' \
             -DDRGEN_DATADIR='"$(PREFIX)/share/drgen"' \
             $(WARN) $(PKG_CFLAGS) -Isrc $(CFLAGS)
LIBS    = $(PKG_LIBS) -lpthread -lm

SAN_FLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
            -fno-sanitize-recover=undefined

LIB_SRC  = $(filter-out src/main.c,$(wildcard src/*.c))
UNIT_SRC = $(wildcard tests/unit/test_*.c)

# Each variant lives in its own folder: build/ (release) and build/san/.
define variant
$(1)/obj/%.o: src/%.c $(wildcard src/*.h) | $(1)/obj
	$$(CC) $$(ALL_CFLAGS) $(2) -c $$< -o $$@
$(1)/libdrgen.a: $(patsubst src/%.c,$(1)/obj/%.o,$(LIB_SRC))
	rm -f $$@ && ar rcs $$@ $$^
$(1)/drgen: $(1)/obj/main.o $(1)/libdrgen.a
	$$(CC) $$(ALL_CFLAGS) $(2) -o $$@ $$^ $$(LIBS)
$(1)/tests/%: tests/unit/%.c $(1)/libdrgen.a tests/unit/testutil.h | $(1)/tests
	$$(CC) $$(ALL_CFLAGS) $(2) -Itests/unit -o $$@ $$< $(1)/libdrgen.a $$(LIBS) $$(CMOCKA_LIBS)
$(1)/obj $(1)/tests:
	mkdir -p $$@
endef

$(eval $(call variant,build,))
$(eval $(call variant,build/san,$(SAN_FLAGS)))

UNIT_BIN     = $(patsubst tests/unit/%.c,build/tests/%,$(UNIT_SRC))
UNIT_BIN_SAN = $(patsubst tests/unit/%.c,build/san/tests/%,$(UNIT_SRC))

.PHONY: all run test check-build asan ubsan deps lint format install uninstall clean fuzz bench

all: build/drgen

deps:
	@sh tools/install-deps.sh

run: deps
	@$(MAKE) --no-print-directory build/drgen
	@sh tools/run-sample.sh build/drgen $(SAMPLE) $(OUT)

# The whole suite, under AddressSanitizer and UndefinedBehaviorSanitizer.
test: deps
	@$(MAKE) --no-print-directory build/san/drgen $(UNIT_BIN_SAN) build/drgen $(TEST_EXTRA)
	@sh tests/run-tests.sh build/san

# Separate sanitizer builds on request (make test uses both at once).
asan:
	@$(MAKE) --no-print-directory CFLAGS='-O1 -g -fno-omit-frame-pointer -fsanitize=address' \
		build/drgen $(UNIT_BIN)
ubsan:
	@$(MAKE) --no-print-directory CFLAGS='-O1 -g -fsanitize=undefined -fno-sanitize-recover=undefined' \
		build/drgen $(UNIT_BIN)

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
		--inline-suppr --suppress=missingIncludeSystem -Isrc src tests/unit

format:
	clang-format -i src/*.c src/*.h tests/unit/*.c

install: build/drgen
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/drgen \
		$(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 build/drgen $(DESTDIR)$(PREFIX)/bin/drgen
	cp -R lua templates schema $(DESTDIR)$(PREFIX)/share/drgen/
	cp -R $(SAMPLE) $(DESTDIR)$(PREFIX)/share/drgen/sample
	[ ! -f docs/drgen.1 ] || install -m 644 docs/drgen.1 $(DESTDIR)$(PREFIX)/share/man/man1/

uninstall:
	rm -rf $(DESTDIR)$(PREFIX)/bin/drgen $(DESTDIR)$(PREFIX)/share/drgen \
		$(DESTDIR)$(PREFIX)/share/man/man1/drgen.1

clean:
	rm -rf build

# Extra targets of individual parts (fuzzing, benchmarks, spec runners).
-include $(sort $(wildcard mk/*.mk))
