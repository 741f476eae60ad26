/*
 * krpc-stubgen status: STATUS (KRPC.GetStatus) is part of the protocol,
 * not of a service definition; the library decodes it (krpc_status_t,
 * krpcmux/status.h) and the stubs give it the service's name.
 */
#include "stubgen.h"

/* The type and its two functions, in the header. */
void
status_emit_decl(text_t *t, const sg_service_t *sv)
{
	const char *ty = sv->status_type;

	text_printf(t, "/* The server's status: the library's krpc_status_t (krpcmux/status.h). */\n"
	    "typedef krpc_status_t %s;\n", ty);
	text_printf(t, "/* Decodes a STATUS value (e.g. a stream's); free with %s_free(). */\n"
	    "#define %s_decode(status, out) krpc_status_decode((status), (out))\n", ty, ty);
	text_printf(t, "/* Frees what a decoded status holds (not the struct itself). */\n"
	    "#define %s_free(status) krpc_status_free(status)\n", ty);
}
