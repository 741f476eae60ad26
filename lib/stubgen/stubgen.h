/*
 * krpc-stubgen internals: the emission model of a service (C names and
 * kinds for every procedure, parameter and type) shared by the modules
 * that read the definitions, build the model and write the C files.
 */
#ifndef KRPC_STUBGEN_H
#define KRPC_STUBGEN_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "krpcmux/krpcmux.h"

#define STUBGEN_NAME	"krpc-stubgen"

/* ---- arena.c: allocations freed together; out of memory ends the program ---- */

typedef struct arena arena_t;

arena_t		*arena_new(void);
void		 arena_free(arena_t *);
void		*arena_alloc(arena_t *, size_t);
char		*arena_strdup(arena_t *, const char *);
char		*arena_printf(arena_t *, const char *, ...) __attribute__((format(printf, 2, 3)));
/* malloc, realloc and strdup that end the program on out-of-memory. */
void		*xmalloc(size_t);
void		*xrealloc(void *, size_t);
char		*xstrdup(const char *);

/* ---- text.c: growable text and writing files ---------------------------- */

typedef struct text {
	char	*s;
	size_t	 len;
	size_t	 cap;
} text_t;

#define TEXT_INIT { NULL, 0, 0 }

void		 text_puts(text_t *, const char *);
void		 text_putc(text_t *, char);
void		 text_printf(text_t *, const char *, ...) __attribute__((format(printf, 2, 3)));
void		 text_vprintf(text_t *, const char *, va_list) __attribute__((format(printf, 2, 0)));
/* The text so far, NUL-terminated (never NULL). */
const char	*text_str(text_t *);
void		 text_free(text_t *);
/*
 * Writes data to path unless the file already holds exactly these bytes.
 * Returns 1 if written, 0 if unchanged, -1 on error (reported on stderr).
 */
int		 text_write_file(const char *path, const void *data, size_t len);
/* Reads a whole file (malloc'd); NULL on error (reported). */
uint8_t		*text_read_file(const char *path, size_t *len);

/* ---- doc.c: kRPC XML documentation as comment text ----------------------- */

/*
 * The plain text of an XML documentation string's summary (references
 * written as their names, entities decoded, "*" "/" kept apart); "" if none.
 */
char		*doc_summary(arena_t *, const char *xml);
/* s made safe for a comment line (control characters escaped, no comment delimiters). */
char		*doc_escape(arena_t *, const char *s);
/* A fragment such as a deprecation reason as plain text. */
char		*doc_plain(arena_t *, const char *fragment);
/* Writes body as " * "-prefixed comment lines wrapped at 90 columns. */
void		 doc_lines(text_t *, const char *prefix, const char *body);
/*
 * Writes a comment block: prefix ("" or "\t") before each line, the text
 * wrapped at 90 columns, extra lines (may be NULL) appended verbatim.
 */
void		 doc_comment(text_t *, const char *prefix, const char *body, const char *const *extra,
		    size_t nextra);

/* ---- ctype.c: kRPC types in C --------------------------------------------- */

/* How a kRPC type travels through the generated C functions. */
typedef enum ctype_kind {
	CT_VOID,		/* no value (void procedures) */
	CT_DOUBLE,
	CT_FLOAT,
	CT_SINT32,
	CT_SINT64,
	CT_UINT32,
	CT_UINT64,
	CT_BOOL,
	CT_ENUM,		/* a C enum of this service, or int32_t */
	CT_CLASS,		/* a uint64_t handle typedef, or uint64_t */
	CT_STRING,		/* const char * in, char ** out (malloc'd) */
	CT_BYTES,		/* const void *, size_t in; uint8_t **, size_t * out */
	CT_STATUS,		/* decoded into the <Service>_Status struct (krpc_status_t) */
	CT_EVENT,		/* krpc_event_t * out */
	CT_VALUE,		/* krpc_value_t tree (collections, messages, other services' structs) */
	CT_RECORD,		/* a generated C struct: a TUPLE, or a STRUCT of this service */
} ctype_kind_t;

/* The kind of t; CT_RECORD for every TUPLE and STRUCT (see model_type()). */
ctype_kind_t	 ctype_kind(const krpc_type_t *);
/* True for the kinds passed by value in C (numbers, bool, enums, handles). */
bool		 ctype_is_scalar(ctype_kind_t);
/*
 * The C type of a value of t as seen from service svc ("double",
 * "SpaceCenter_Vessel" for a class of any service, "SpaceCenter_Mode" for
 * an enumeration of svc, int32_t for one of another service, ...); records
 * are named by the model (record.c).
 */
char		*ctype_name(arena_t *, const char *svc, const krpc_type_t *);
/* The library's type code constant ("KRPC_TYPE_DOUBLE"). */
const char	*ctype_code_macro(krpc_type_code_t);
/* Suffix of the krpc_value_<x>() constructor and krpc_value_as_<x>() reader. */
const char	*ctype_value_fn(ctype_kind_t);
/* The type text krpc_call() decodes with ("" for void). */
char		*ctype_text(arena_t *, const krpc_type_t *);
/* The type text for comments: like ctype_text() but structures without their fields. */
char		*ctype_display(arena_t *, const krpc_type_t *);
/*
 * A C expression for the default of a scalar, enum, bool or string
 * parameter, or NULL if it has no such literal.  *needs_math is set when
 * the literal uses NAN or INFINITY.
 */
char		*ctype_default_literal(arena_t *, const krpc_services_t *, const char *svc,
		    const krpc_parameter_t *, bool *needs_math);
/* A C string literal (with quotes) for s. */
char		*ctype_c_string(arena_t *, const char *s, size_t len);

/* ---- names.c: C identifiers ----------------------------------------------- */

/* True if s is a C or C++ keyword or a name the generated code uses itself. */
bool		 names_reserved(const char *s);
/* s made safe as a parameter name (a trailing "_" for reserved words). */
char		*names_param(arena_t *, const char *s);
/* True if name is taken, or is taken's "_len" companion when taken holds bytes. */
bool		 names_clash(const char *name, const char *taken, bool bytes);
/* "Vessel" -> "vessel", "CelestialBody" -> "celestialBody". */
char		*names_lower_first(arena_t *, const char *s);

/* ---- model.c: the emission model ------------------------------------------ */

struct sg_record;

typedef struct sg_param {
	const krpc_parameter_t	*p;
	char			*cname;		/* C parameter name */
	ctype_kind_t		 kind;
	char			*ctype;		/* C type of the value */
	struct sg_record	*rec;		/* CT_RECORD: its C struct */
	const krpc_type_t	*type;
	bool			 nullable;
	bool			 has_default;
	bool			 by_pointer;	/* nullable scalar passed as const T * */
	char			*def_macro;	/* name of its _DEFAULT macro, or NULL */
	char			*def_literal;	/* the macro's value */
} sg_param_t;

typedef struct sg_proc {
	const krpc_procedure_t	*p;
	const char		*wire;		/* wire name */
	char			*cname;		/* <Service>_<wire name> */
	size_t			 nparams;
	sg_param_t		*params;
	ctype_kind_t		 ret_kind;
	char			*ret_ctype;	/* C type of the result ("" for void) */
	struct sg_record	*ret_rec;	/* CT_RECORD: its C struct */
	char			*ret_text;	/* type text for krpc_call() */
	bool			 ret_nullable;
	char			*doc;		/* plain summary */
	char			*signature;	/* "Vessel_Flight(this: ..., ...) -> ..." */
	char			*deprecated;	/* plain reason ("" if none given), NULL if not deprecated */
} sg_proc_t;

typedef struct sg_service {
	arena_t			*arena;
	const krpc_services_t	*model;
	const krpc_service_t	*s;
	const char		*name;
	size_t			 nprocs;
	sg_proc_t		*procs;
	size_t			 max_params;
	bool			 uses_math;	/* NAN/INFINITY in a default */
	bool			 uses_status;	/* some procedure returns STATUS */
	char			*status_type;	/* "<Service>_Status" */
	uint64_t		 fingerprint;	/* FNV-1a of the service's definition */
	const char		*include;	/* how the source includes the header ("SpaceCenter.h") */
	struct sg_record	*records;	/* C structs, each after the ones it holds */
	const char		**foreign;	/* other services' classes used ("Svc_Class") */
	size_t			 nforeign;
} sg_service_t;

/*
 * The C view of a type in sv: its kind, C type and (CT_RECORD) record,
 * created on first use; another service's STRUCT is a CT_VALUE tree, and
 * another service's class is remembered for its handle typedef.
 */
void		 model_type(sg_service_t *, const krpc_type_t *, ctype_kind_t *kind, char **ctype,
		    struct sg_record **rec);
/*
 * Builds the model of one service; NULL (reason on stderr) if the service
 * cannot be written as C (clashing names).  Free with model_free().
 */
sg_service_t	*model_build(const krpc_services_t *, const krpc_service_t *);
void		 model_free(sg_service_t *);

/* ---- record.c: C structs for tuples and structures -------------------------- */

/* One member of a record. */
typedef struct sg_field {
	char			*cname;		/* e0, e1... or the structure's field name */
	ctype_kind_t		 kind;
	char			*ctype;
	struct sg_record	*rec;		/* CT_RECORD */
	const krpc_type_t	*type;
} sg_field_t;

/* A C struct standing for a TUPLE, or for a STRUCT of the service. */
typedef struct sg_record {
	char			*cname;		/* "Svc_Tuple3_double_double_double", "Svc_Name" */
	char			*text;		/* the type's text (tells shapes apart) */
	const krpc_type_t	*type;
	const krpc_struct_t	*st;		/* a STRUCT's definition, else NULL */
	krpc_type_code_t	 code;		/* KRPC_TYPE_TUPLE or KRPC_TYPE_STRUCT */
	size_t			 nfields;
	sg_field_t		*fields;
	struct sg_record	*next;
} sg_record_t;

/* The record of a TUPLE or of a STRUCT of sv (and of those it holds), made on first use. */
sg_record_t	*record_of(sg_service_t *, const krpc_type_t *);
/* The C names a record defines (for the clash check); n set to their count. */
const char	**record_names(const sg_service_t *, const sg_record_t *, size_t *n);
/* The template helpers the records' functions use. */
unsigned	 record_uses(const sg_service_t *);
/* The typedefs and prototypes (header), and the functions (source). */
void		 record_emit_decl(text_t *, const sg_service_t *);
void		 record_emit_code(text_t *, const sg_service_t *);

/* ---- proto.c: function prototypes ----------------------------------------- */

/* Which function of a procedure. */
typedef enum proto_form {
	PROTO_CALL,		/* Svc_Proc(client, args..., out) */
	PROTO_STREAM,		/* Svc_Proc_stream(client, &stream, args...) */
	PROTO_GET_CALL,		/* Svc_Proc_call(&call, args...) */
} proto_form_t;

/* The C declaration of an input parameter ("const char *name"). */
char		*proto_param(arena_t *, const sg_param_t *);
/* The result parameters for a value ("double *out"), NULL for CT_VOID. */
char		*proto_out(arena_t *, ctype_kind_t, const char *ctype, bool nullable);
/* Writes head(pieces...), wrapped; definitions indent by 4 spaces, declarations by a tab. */
void		 proto_list(text_t *, const char *head, const char *const *pieces, size_t n,
		    bool definition);
/* Writes the prototype of one form (no trailing ";" or body), wrapped. */
void		 proto_write(text_t *, const sg_service_t *, const sg_proc_t *, proto_form_t,
		    bool definition);

/* ---- header.c, body.c, status.c: the files --------------------------------- */

/* The generated-file banner shared by the header and the source. */
void		 header_banner(text_t *, const sg_service_t *, const char *file, const char *what);
/* A section title of the header. */
void		 header_section(text_t *, const char *title);
void		 header_emit(text_t *, const sg_service_t *);
void		 body_emit(text_t *, const sg_service_t *);
/* <Service>_Status: the library's krpc_status_t under the service's name. */
void		 status_emit_decl(text_t *, const sg_service_t *);

/* ---- template.c: the fixed helpers of a generated source ------------------ */

/* Which helpers a source needs (template_emit() writes them in this order). */
enum template_use {
	TMPL_ARGS = 1 << 0,		/* the argument list (always) */
	TMPL_OBJECT = 1 << 1,		/* class arguments */
	TMPL_BORROW = 1 << 2,		/* value-tree arguments */
	TMPL_CALL = 1 << 3,		/* running a call */
	TMPL_STREAM = 1 << 4,		/* adding a stream */
	TMPL_GET_CALL = 1 << 5,		/* encoding a call */
	TMPL_EVENT = 1 << 6,		/* calls returning events */
	TMPL_RET_STRING = 1 << 7,	/* results */
	TMPL_RET_BYTES = 1 << 8,
	TMPL_RET_VALUE = 1 << 9,
	TMPL_FIELDS = 1 << 10,		/* structure constructors and readers */
	TMPL_APPEND_COPY = 1 << 11,
	TMPL_APPEND_STRING = 1 << 12,
	TMPL_APPEND_BYTES = 1 << 13,
	TMPL_ENCODED = 1 << 14,		/* record arguments */
	TMPL_RECORD = 1 << 15,		/* record decoders */
	TMPL_GET_STRING = 1 << 16,	/* record members */
	TMPL_GET_BYTES = 1 << 17,
	TMPL_GET_VALUE = 1 << 18,
	TMPL_GET_OBJECT = 1 << 19,
};

/* Writes the helpers whose TMPL_* flags are in use. */
void		 template_emit(text_t *, unsigned use);

/* ---- input.c: where the definitions come from ------------------------------- */

typedef struct input_opts {
	const char	*address;
	int		 rpc_port;
	const char	*rpc_path;	/* Unix socket instead of TCP */
	const char	*name;
	double		 timeout;
} input_opts_t;

/* KRPC.GetServices from a server: the serialised Services message (malloc'd). */
int		 input_from_server(const input_opts_t *, uint8_t **data, size_t *len);
/* A saved dump. */
int		 input_from_dump(const char *path, uint8_t **data, size_t *len);

#endif
