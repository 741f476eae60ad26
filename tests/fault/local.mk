# tests/fault/: krpcmuxd's fault suite (issue 12; docs/reliability.md has its
# figures).  `make check` runs the short form (under a minute); `make fault`
# runs the long form (100 upstream kills, 10,000 connect cycles, ...) and
# keeps its report in tests/fault/fault-long.txt.
TESTS += tests/fault/krpcmux-fault.py
EXTRA_DIST += tests/fault/krpcmux-fault.py

fault: all
	$(MKDIR_P) tests/fault
	@echo "  FAULT    long form (about 10 minutes): tests/fault/fault-long.txt"
	@$(AM_TESTS_ENVIRONMENT) rc=0; $(PYTHON3) $(srcdir)/tests/fault/krpcmux-fault.py --long \
	    >tests/fault/fault-long.txt 2>&1 || rc=$$?; cat tests/fault/fault-long.txt; exit $$rc
.PHONY: fault
CLEANFILES += tests/fault/fault-long.txt
