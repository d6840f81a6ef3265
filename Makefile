# pipemail - plain GNU make.  Targets: all deps test install clean run bench
# fuzz (fuzz-NAME, fuzz-build, fuzz-deps: see fuzz/README)
PREFIX    ?= /usr/local
DESTDIR   ?=
SYSCONFDIR ?= $(PREFIX)/etc/pipemail
BUILD     ?= build
# main.cf's mail_owner and setgid_group, made by make install as root
MAIL_OWNER   ?= postfix
SETGID_GROUP ?= postdrop

# Every bin/NAME.c is the main() of program NAME.
PROGRAMS  := $(patsubst bin/%.c,%,$(wildcard bin/*.c))
# Names that run a program through argv[0]: name=program
LINKS     := $(foreach l,mailq=sendmail newaliases=sendmail mail=mailx,\
               $(if $(filter $(lastword $(subst =, ,$(l))),$(PROGRAMS)),$(l)))

CC        ?= cc
PKGS      := libpcre2-8 libssl libcrypto libsasl2
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lgdbm

WARN      := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wformat=2 -Wimplicit-fallthrough -Wvla
CFLAGS    ?= -O2 -g
CFLAGS    += -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) \
             -fstack-protector-strong -D_FORTIFY_SOURCE=2 -Werror \
             -DPIPEMAIL_SYSCONFDIR='"$(SYSCONFDIR)"' \
             -DPIPEMAIL_BINDIR='"$(PREFIX)/sbin"' -Ilibcommon $(PKG_CFLAGS)
ifeq ($(SANITIZE),1)
BUILD     := build-san
CFLAGS    := $(filter-out -O2 -D_FORTIFY_SOURCE=2,$(CFLAGS)) -O1 \
             -fsanitize=address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=undefined
LDFLAGS   += -fsanitize=address,undefined
endif
LDFLAGS   += -Wl,--as-needed
LDLIBS    += $(PKG_LIBS)

LIB_SRC   := $(wildcard libcommon/*.c)
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB       := $(BUILD)/libcommon.a
BIN_OBJ   := $(PROGRAMS:%=$(BUILD)/bin/%.o)
BINS      := $(PROGRAMS:%=$(BUILD)/bin/%)
LINK_BINS := $(foreach l,$(LINKS),$(BUILD)/bin/$(firstword $(subst =, ,$(l))))
UNIT_SRC  := $(wildcard t/unit/test_*.c)
UNITS     := $(UNIT_SRC:t/unit/%.c=$(BUILD)/t/%)

# Debian packages to build, run and test.
DEPS_PKGS := gcc make pkg-config libssl-dev libsasl2-dev libsasl2-modules \
             sasl2-bin libgdbm-dev libpcre2-dev bats swaks python3 openssl \
             tmux procps s-nail

.PHONY: all deps test unit bats install clean run bench check fuzz
all: $(BINS) $(LINK_BINS) $(UNITS)

deps:
	@missing=; for p in $(DEPS_PKGS); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  { apt-get install -y -qq --no-install-recommends $$missing || \
	    { apt-get update -qq && apt-get install -y -qq \
	      --no-install-recommends $$missing; }; } >/dev/null || exit 1; \
	fi

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/bin/%: $(BUILD)/bin/%.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(LINK_BINS): $(BUILD)/bin/%: | $(BINS)
	ln -sf $(word 2,$(subst =, ,$(filter $*=%,$(LINKS)))) $@

$(BUILD)/t/%: $(BUILD)/t/unit/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

test: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) t/run-tests

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin \
	  $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5 \
	  $(DESTDIR)$(PREFIX)/share/man/man8 $(DESTDIR)$(SYSCONFDIR)
	for p in $(PROGRAMS); do install -m 755 $(BUILD)/bin/$$p \
	  $(DESTDIR)$(PREFIX)/sbin/$$p; done
	for l in $(LINKS); do ln -sf $${l#*=} \
	  $(DESTDIR)$(PREFIX)/sbin/$${l%%=*}; done
	# Programs find their siblings beside themselves: users' mail and
	# mailx are links into sbin.
	for p in mailx mail; do [ ! -e $(DESTDIR)$(PREFIX)/sbin/$$p ] || \
	  ln -sf ../sbin/$$p $(DESTDIR)$(PREFIX)/bin/$$p; done
	for m in man/*.[1-8]; do s=$${m##*.}; \
	  install -m 644 $$m $(DESTDIR)$(PREFIX)/share/man/man$$s/; done
	for f in etc/*; do t=$(DESTDIR)$(SYSCONFDIR)/$${f##*/}; \
	  [ -e $$t ] || install -m 644 $$f $$t; done
	# Users' sendmail queues through queue-inject set-group-id to the
	# spool group (setgid_group), as Postfix's postdrop; the spool is
	# mail_owner's.  As root on the target system, make both if missing.
	@qi=$(DESTDIR)$(PREFIX)/sbin/queue-inject; \
	if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then \
	  getent group $(SETGID_GROUP) >/dev/null || \
	    groupadd --system $(SETGID_GROUP) || exit 1; \
	  getent passwd $(MAIL_OWNER) >/dev/null || \
	    useradd --system --no-create-home --home-dir /nonexistent \
	      --shell /usr/sbin/nologin $(MAIL_OWNER) || exit 1; \
	  chgrp $(SETGID_GROUP) $$qi && chmod 2755 $$qi; \
	else echo "make install: then, as root: chgrp $(SETGID_GROUP)" \
	  "$(PREFIX)/sbin/queue-inject; chmod 2755" \
	  "$(PREFIX)/sbin/queue-inject"; fi

# make run: the instance in $(RUN_DIR), smtp-listen on 127.0.0.1:$(RUN_PORT).
RUN_DIR   ?= run
RUN_PORT  ?= 2525
run: deps all
	@BUILD=$(BUILD) RUN_DIR=$(RUN_DIR) RUN_PORT=$(RUN_PORT) t/run-instance

# make fuzz: every fuzz/fuzz_NAME.c is a libFuzzer target; each is built
# with clang (libcommon too, into $(FUZZ_DIR), so make and make test are
# untouched) and run for FUZZ_TIME seconds over a copy of its seed corpus
# fuzz/corpus/NAME and the crashes it once found, fuzz/regress/NAME.
# make fuzz-NAME runs one; make fuzz-build only builds.  A crash stops
# the run, its input saved as $(FUZZ_DIR)/crash-NAME-*.  clang's
# -Wformat=2 also warns about the vprintf-style helpers in exits.c, hence
# -Wno-format-nonliteral.
FUZZ_TIME ?= 60
FUZZ_CC   ?= clang
FUZZ_DIR  := $(BUILD)/fuzz
FUZZ_NAMES := $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_NAMES:%=$(FUZZ_DIR)/fuzz_%)
FUZZ_OBJ  := $(LIB_SRC:%.c=$(FUZZ_DIR)/obj/%.o) $(FUZZ_DIR)/obj/fuzz/memfile.o
FUZZ_SAN  := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS := -g -O1 -fno-omit-frame-pointer $(FUZZ_SAN) \
             -fsanitize=fuzzer-no-link -std=c11 -D_POSIX_C_SOURCE=200809L \
             -D_DEFAULT_SOURCE $(WARN) -Wno-format-nonliteral -Werror \
             -DPIPEMAIL_SYSCONFDIR='"$(SYSCONFDIR)"' \
             -DPIPEMAIL_BINDIR='"$(PREFIX)/sbin"' -Ilibcommon $(PKG_CFLAGS)
FUZZ_OPTS ?= -timeout=20 -rss_limit_mb=1024
# Debian packages for make fuzz: clang and its fuzzer runtime.
FUZZ_PKGS := clang libclang-rt-14-dev

.PHONY: fuzz-deps fuzz-build
fuzz-deps:
	@$(MAKE) --no-print-directory deps DEPS_PKGS="$(FUZZ_PKGS)"

.SECONDARY: $(FUZZ_NAMES:%=$(FUZZ_DIR)/obj/fuzz/fuzz_%.o)

fuzz-build: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	@for n in $(FUZZ_NAMES); do \
	  $(MAKE) --no-print-directory fuzz-$$n || exit 1; done

fuzz-%: $(FUZZ_DIR)/fuzz_%
	@mkdir -p $(FUZZ_DIR)/corpus/$*
	@cp -f fuzz/corpus/$*/* $(FUZZ_DIR)/corpus/$*/ 2>/dev/null || true
	$(FUZZ_DIR)/fuzz_$* $(FUZZ_OPTS) -max_total_time=$(FUZZ_TIME) \
	  -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/crash-$*- \
	  $(FUZZ_DIR)/corpus/$* $(wildcard fuzz/regress/$*)

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_DIR)/libcommon.a: $(FUZZ_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/fuzz/fuzz_%.o $(FUZZ_DIR)/libcommon.a
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(LDFLAGS) $(LDLIBS)

bench: all
	@bench/run

clean:
	rm -rf build build-san

-include $(LIB_OBJ:.o=.d) $(BIN_OBJ:.o=.d) $(wildcard $(FUZZ_DIR)/obj/*/*.d) $(UNIT_SRC:t/unit/%.c=$(BUILD)/t/unit/%.d)
