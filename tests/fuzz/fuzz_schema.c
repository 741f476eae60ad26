/*
 * Fuzz target for the cached GetServices (schema.c): a Services message of
 * any bytes is loaded (and the slow-lane and isolation marks applied), then
 * calls read from the rest of the input are looked up by name and by
 * numeric ids, their nested calls checked, and their canonical stream keys
 * built.  Seeded with krpc-sim's own GetServices.  Built for libFuzzer by
 * `make fuzz`, and run over its seed corpus and pseudo-random inputs in
 * `make check`.
 */
#include <stdlib.h>
#include <string.h>

#include "krpcmuxd.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct event_base *ev_base;

/* Looks one call up every way the proxy does. */
static void
fuzz_lookup(const uint8_t *p, size_t len)
{
	Krpc__Schema__ProcedureCall *pc = (Krpc__Schema__ProcedureCall *)krpc_lenient_read(
	    KRPC_LENIENT_CALL, p, len, NULL);
	krpc_buf_t key = KRPC_BUF_INIT;
	char why[256];
	bool isolated;

	if (pc == NULL)
		return;
	(void)schema_lookup(pc);
	(void)schema_nested_ok(pc, why, sizeof why, &isolated);
	schema_call_key(&key, pc);
	xbuf_check(&key);
	if (pc->service != NULL && pc->procedure != NULL)
		(void)schema_find_n(pc->service, strlen(pc->service), pc->procedure,
		    strlen(pc->procedure));
	krpc_buf_free(&key);
	krpc__schema__procedure_call__free_unpacked(pc, NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[512];
	size_t split, off, n;

	if (cfg == NULL) {
		log_set_level(LOG_LEVEL_ERROR);
		if ((cfg = config_load(NULL, true, NULL, 0, why, sizeof why)) == NULL)
			abort();
	}
	if (size < 2)
		return 0;
	split = ((size_t)data[0] << 8 | data[1]) % (size - 1);
	schema_reset();
	if (schema_load(data + 2, split, why, sizeof why)) {
		schema_set_slow(cfg);
		(void)schema_count();
		for (off = 2 + split; off < size; off += n) {	/* calls, each after its length byte */
			n = data[off++];
			if (n > size - off)
				n = size - off;
			fuzz_lookup(data + off, n);
		}
	}
	schema_reset();
	return 0;
}
