# tests/conformance: krpc-sim against kRPC's own TestServer, a differential
# test over a corpus of cases (conformance.py; the corpus is cases.txt).  It
# skips (exit 77) when the TestServer or mono is missing, as for a user's
# clone.  `make conformance` runs it alone; CONFORMANCE_FLAGS passes options
# (--only REGEX, --show, --unpaced).

CONFORMANCE_FILES = tests/conformance/conformance.py tests/conformance/kcorpus.py \
	tests/conformance/ksession.py tests/conformance/kvalue.py tests/conformance/cases.txt
EXTRA_DIST += $(CONFORMANCE_FILES)
TESTS += tests/conformance/conformance.py


conformance: tests/sim/krpc-sim$(EXEEXT)
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	    $(PYTHON3) $(srcdir)/tests/conformance/conformance.py $(CONFORMANCE_FLAGS)
.PHONY: conformance
