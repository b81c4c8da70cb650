/*
 * load_drills_xml.c -- drills from JUnit XML (drills/<name>.xml).
 *
 * Mapping (SPEC 2.3, docs/drill-format.md): <testsuite> is a drill, its
 * properties drill.id, drill.type, drill.availability and
 * drill.traffic_percent, its timestamp the drill's date; <testcase> is one
 * service's recovery (classname = service id, time = seconds to recover);
 * <failure> or <error> means not recovered; <skipped> is left out of the
 * results with a warning.  <testsuites> may wrap several drills.
 *
 * Safety.  Drill files come from CI systems and people, so the parser must
 * never reach the network or the file system and never expand entities:
 *  - options: XML_PARSE_NONET, and never NOENT, DTDLOAD, DTDATTR, DTDVALID,
 *    XINCLUDE or HUGE (so libxml2's size and depth limits stay on);
 *  - a DOCTYPE is refused: our SAX internalSubset hook stops the parser at
 *    "<!DOCTYPE", before any internal subset (entity declarations) or
 *    external subset is read, so a billion-laughs or XXE document costs a
 *    few bytes of scanning; entityDecl and externalSubset stop it too, and
 *    getEntity resolves nothing, in case some path reaches them;
 *  - the process-wide external entity loader refuses everything (set once,
 *    with xmlInitParser, under pthread_once);
 *  - libxml2's error reports go to diagnostics through a structured error
 *    handler on the parser context, and the thread's generic and structured
 *    handlers are swapped for silent ones during the parse, so libxml2
 *    never prints to stderr.
 * Library code never calls xmlCleanupParser: other threads may parse.
 *
 * Where: diagnostics carry the XML element path
 * ("/testsuites/testsuite[2]/testcase[3]": indices count same-named
 * elements from 1; the root has none) and the element's line.
 */
#include "load_drills.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "dates.h"

/* At most this many libxml2 diagnostics per file (it rarely gives more). */
#define XML_MAX_PARSE_DIAGS 10
/* A failure message longer than this is cut (stack traces, dumps). */
#define XML_MAX_FAILURE 2000

/* ---- parsing, safely ---- */

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static xmlParserInputPtr refuse_entity_loader(const char *url, const char *id,
					      xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

static void xml_init_once(void)
{
	xmlInitParser();
	xmlSetExternalEntityLoader(refuse_entity_loader);
}

struct parse_state {
	struct diags *d;
	const char *file;
	int reported;        /* libxml2 diagnostics added so far */
	bool doctype;        /* a DOCTYPE stopped the parser */
	bool fatal;          /* a fatal error was reported */
};

static void silent_generic(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static void silent_structured(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	(void)e;
}

/* libxml2's message, trimmed, first letter lowered unless an acronym. */
static void report_xml_error(struct parse_state *st, const xmlError *e)
{
	enum diag_severity sev;
	char msg[512];
	size_t n;

	/*
	 * After a fatal error libxml2 goes on to report its consequences
	 * ("premature end of data"); the first one is the one to fix.
	 */
	if (st->doctype || st->fatal || e->level == XML_ERR_NONE)
		return;
	if (st->reported >= XML_MAX_PARSE_DIAGS)
		return;
	if (e->level == XML_ERR_FATAL)
		st->fatal = true;
	sev = e->level == XML_ERR_WARNING ? DIAG_WARNING : DIAG_ERROR;
	snprintf(msg, sizeof(msg), "%s", e->message ? e->message : "parse error");
	n = strlen(msg);
	if (n == sizeof(msg) - 1) {
		/* Cut: never end inside a UTF-8 sequence (names can be long). */
		while (n > 0 && ((unsigned char)msg[n - 1] & 0xC0) == 0x80)
			n--;
		if (n > 0 && (unsigned char)msg[n - 1] >= 0xC0)
			n--;
		msg[n] = '\0';
	}
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' ' ||
			 msg[n - 1] == '\t' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	if (msg[0] >= 'A' && msg[0] <= 'Z' && !(msg[1] >= 'A' && msg[1] <= 'Z'))
		msg[0] = (char)(msg[0] - 'A' + 'a');
	diag_add(st->d, sev, st->file, e->line > 0 ? e->line : 0,
		 e->int2 > 0 ? e->int2 : 0, NULL, "%s: %s",
		 sev == DIAG_ERROR ? "malformed XML" : "XML", msg);
	st->reported++;
}

/* The context's handler: ctx is the parser context (its userData). */
static void on_ctxt_error(void *ctx, xmlErrorPtr e)
{
	xmlParserCtxtPtr ctxt = ctx;

	report_xml_error(ctxt->_private, e);
}

static void stop_at_dtd(xmlParserCtxtPtr ctxt)
{
	struct parse_state *st = ctxt->_private;

	if (!st->doctype) {
		int line = ctxt->input ? ctxt->input->line : 0;

		diag_add(st->d, DIAG_ERROR, st->file, line, 0, NULL,
			 "DOCTYPE is not allowed in drill XML");
		st->doctype = true;
		st->reported++;
	}
	xmlStopParser(ctxt);
}

static void on_internal_subset(void *ctx, const xmlChar *name,
			       const xmlChar *external_id,
			       const xmlChar *system_id)
{
	(void)name;
	(void)external_id;
	(void)system_id;
	stop_at_dtd(ctx);
}

static void on_entity_decl(void *ctx, const xmlChar *name, int type,
			   const xmlChar *public_id, const xmlChar *system_id,
			   xmlChar *content)
{
	(void)name;
	(void)type;
	(void)public_id;
	(void)system_id;
	(void)content;
	stop_at_dtd(ctx);
}

static xmlEntityPtr on_get_entity(void *ctx, const xmlChar *name)
{
	(void)ctx;
	(void)name;
	return NULL;
}

/*
 * Parses data into a tree, or returns NULL after adding diagnostics.
 * Caller frees the tree with xmlFreeDoc.
 */
static xmlDocPtr parse_document(const char *file, const char *data,
				size_t len, struct diags *d)
{
	struct parse_state st = {d, file, 0, false, false};
	xmlGenericErrorFunc old_generic = xmlGenericError;
	void *old_generic_ctx = xmlGenericErrorContext;
	xmlStructuredErrorFunc old_structured = xmlStructuredError;
	void *old_structured_ctx = xmlStructuredErrorContext;
	xmlParserCtxtPtr ctxt = NULL;
	xmlDocPtr doc = NULL;
	int options = XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES |
		      XML_PARSE_IGNORE_ENC;

	pthread_once(&xml_once, xml_init_once);
	if (len > (size_t)SOURCE_MAX_XML || len > (size_t)INT32_MAX) {
		diag_add(d, DIAG_ERROR, file, 0, 0, NULL,
			 "XML document too large (limit %u bytes)",
			 (unsigned)SOURCE_MAX_XML);
		return NULL;
	}
	/* Per-thread in libxml2: swapping them here affects only this parse. */
	xmlSetGenericErrorFunc(NULL, silent_generic);
	xmlSetStructuredErrorFunc(NULL, silent_structured);

	ctxt = xmlCreateMemoryParserCtxt(data, (int)len);
	if (!ctxt) {
		diag_add(d, DIAG_ERROR, file, 0, 0, NULL,
			 "cannot start the XML parser");
		goto out;
	}
	ctxt->_private = &st;
	ctxt->sax->serror = on_ctxt_error;
	ctxt->sax->internalSubset = on_internal_subset;
	ctxt->sax->externalSubset = on_internal_subset;
	ctxt->sax->entityDecl = on_entity_decl;
	ctxt->sax->getEntity = on_get_entity;
	ctxt->sax->getParameterEntity = on_get_entity;
	xmlCtxtUseOptions(ctxt, options);

	xmlParseDocument(ctxt);
	doc = ctxt->myDoc;
	ctxt->myDoc = NULL;
	if (st.doctype || !ctxt->wellFormed) {
		if (!st.doctype && !st.fatal)
			diag_add(d, DIAG_ERROR, file, 0, 0, NULL,
				 "malformed XML");
		goto out_free_doc;
	}
	if (!doc || !xmlDocGetRootElement(doc)) {
		diag_add(d, DIAG_ERROR, file, 0, 0, NULL,
			 "malformed XML: no root element");
		goto out_free_doc;
	}
	/* The hooks above stop any DOCTYPE; this is a second line of defence. */
	if (doc->intSubset || doc->extSubset) {
		diag_add(d, DIAG_ERROR, file, 0, 0, NULL,
			 "DOCTYPE is not allowed in drill XML");
		goto out_free_doc;
	}
	goto out;

out_free_doc:
	xmlFreeDoc(doc);
	doc = NULL;
out:
	if (ctxt)
		xmlFreeParserCtxt(ctxt);
	xmlSetGenericErrorFunc(old_generic_ctx, old_generic);
	xmlSetStructuredErrorFunc(old_structured_ctx, old_structured);
	return doc;
}

/* ---- the JUnit mapping ---- */

struct xctx {
	struct model *m;
	const char *rel;
	const char *file;
	struct diags *d;
	const struct load_drills_sidecar *sc;   /* NULL: none */
	struct load_drills_quotes q;
	bool error;
};

static const char *quote(struct xctx *c, const char *s)
{
	return load_drills_quote(&c->q, s);
}

PRINTF_LIKE(5, 6)
static void xdiag(struct xctx *c, enum diag_severity sev, xmlNodePtr n,
		  const char *path, const char *fmt, ...)
{
	va_list ap;
	long line = n ? xmlGetLineNo(n) : 0;

	if (sev == DIAG_ERROR)
		c->error = true;
	va_start(ap, fmt);
	diag_vadd(c->d, sev, c->file, line > 0 && line < INT32_MAX ? (int)line : 0,
		  0, path, fmt, ap);
	va_end(ap);
}

static bool is_element(xmlNodePtr n)
{
	return n->type == XML_ELEMENT_NODE;
}

static bool named(xmlNodePtr n, const char *name)
{
	return is_element(n) && strcmp((const char *)n->name, name) == 0;
}

/* s with leading and trailing whitespace removed, in the arena. */
static char *trimmed(struct arena *a, const char *s, size_t max)
{
	size_t n;
	bool cut = false;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
			 s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	if (max && n > max) {
		/* Cut at a character boundary, never inside a UTF-8 sequence. */
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
		cut = true;
	}
	if (cut)
		return arena_printf(a, "%.*s...", (int)n, s);
	return arena_strndup(a, s, n);
}

/* An attribute's value (trimmed, in the arena), or NULL when absent. */
static char *attr(struct xctx *c, xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *s;

	if (!v)
		return NULL;
	s = trimmed(c->m->arena, (const char *)v, 0);
	xmlFree(v);
	return s;
}

/* The element's text (trimmed, cut at max bytes when max > 0). */
static char *text(struct xctx *c, xmlNodePtr n, size_t max)
{
	xmlChar *v = xmlNodeGetContent(n);
	char *s;

	if (!v)
		return arena_strdup(c->m->arena, "");
	s = trimmed(c->m->arena, (const char *)v, max);
	xmlFree(v);
	return s;
}

/*
 * A decimal number, as JSON writes them (no hex, inf or nan, which strtod
 * would take); the C locale is assumed, as everywhere in drgen.
 */
static bool parse_number(const char *s, double *out)
{
	const char *p = s;
	char *end;
	double v;

	if (*p == '-' || *p == '+')
		p++;
	if (!((*p >= '0' && *p <= '9') || (*p == '.' && p[1] >= '0' && p[1] <= '9')))
		return false;
	for (; *p; p++)
		if (!((*p >= '0' && *p <= '9') || *p == '.' || *p == 'e' ||
		      *p == 'E' || *p == '+' || *p == '-'))
			return false;
	v = strtod(s, &end);
	if (*end != '\0' || !isfinite(v))
		return false;
	*out = v;
	return true;
}

/*
 * A number of seconds as test runners write them: a plain decimal, or with
 * thousands separators in the integer part ("1,024.612", Surefire).
 */
static bool parse_seconds(const char *s, double *out)
{
	char buf[64];
	size_t n = 0, digits = 0, group = 0;
	const char *p = s;

	if (!strchr(s, ','))
		return parse_number(s, out);
	/* d{1,3}(,ddd)+ then an optional fraction; nothing else. */
	for (; *p && *p != '.'; p++) {
		if (*p == ',') {
			if (digits == 0 || (group == 0 ? digits > 3 : digits != 3))
				return false;
			group++;
			digits = 0;
			continue;
		}
		if (!(*p >= '0' && *p <= '9') || n + 2 >= sizeof(buf))
			return false;
		buf[n++] = *p;
		digits++;
	}
	if (digits != 3)
		return false;
	for (; *p; p++) {
		if (!((*p >= '0' && *p <= '9') || *p == '.') || n + 2 >= sizeof(buf))
			return false;
		buf[n++] = *p;
	}
	buf[n] = '\0';
	return parse_number(buf, out);
}

/*
 * JUnit timestamps are usually ISO 8601 without an offset
 * ("2026-07-14T10:00:00"); those are read as UTC.  Otherwise the drill date
 * rules apply (YYYY-MM-DD, or RFC 3339 with offset).
 */
static bool parse_timestamp(const char *s, int tz_offset, int64_t *out)
{
	size_t n = strlen(s);
	char buf[64];

	if (date_parse_any(s, n, out))
		return true;
	if (n < 19 || n + 2 > sizeof(buf) || s[10] != 'T')
		return false;
	for (size_t i = 19; i < n; i++)
		if (!(s[i] == '.' || (s[i] >= '0' && s[i] <= '9')))
			return false;
	memcpy(buf, s, n);
	buf[n] = 'Z';
	buf[n + 1] = '\0';
	if (!date_parse_rfc3339(buf, n + 1, out))
		return false;
	/* Local time at tz_offset east of UTC: UTC is that much earlier. */
	*out -= tz_offset;
	return true;
}

/*
 * The first YYYY-MM-DD in a file name ("drills/2026-10-20-ci.xml"), as the
 * drill date when neither the XML nor its sidecar gives one.
 */
static bool date_from_name(const char *rel, int64_t *out)
{
	const char *base = strrchr(rel, '/');

	base = base ? base + 1 : rel;
	for (const char *p = base; strlen(p) >= 10; p++) {
		bool shape = p[4] == '-' && p[7] == '-';

		for (int i = 0; shape && i < 10; i++)
			if (i != 4 && i != 7 && !(p[i] >= '0' && p[i] <= '9'))
				shape = false;
		if (shape && (p == base || !(p[-1] >= '0' && p[-1] <= '9')) &&
		    !(p[10] >= '0' && p[10] <= '9'))
			return date_parse_day(p, 10, out);
	}
	return false;
}

static const char *const suite_props[] = {
	"drill.id", "drill.type", "drill.availability", "drill.traffic_percent",
	"drill.date", "drill.tz",
};
enum { SP_ID, SP_TYPE, SP_AVAILABILITY, SP_TRAFFIC, SP_DATE, SP_TZ, SP_COUNT };

static const char *const case_props[] = {
	"data_loss_seconds", "data_integrity", "target_rto_minutes",
	"target_rpo_minutes", "restored_from_backup", "drill.service",
};
enum { CP_LOSS, CP_INTEGRITY, CP_RTO, CP_RPO, CP_FROM_BACKUP, CP_SERVICE,
       CP_COUNT };

/* One <property>, read: its value and where it was written. */
struct prop {
	const char *value;
	xmlNodePtr node;
	const char *path;
	const struct load_drills_sc_value *sc;  /* from the sidecar instead */
};

/* A diagnostic at the place a property's value was written. */
PRINTF_LIKE(4, 5)
static void pdiag(struct xctx *c, enum diag_severity sev,
		  const struct prop *p, const char *fmt, ...)
{
	va_list ap;

	if (sev == DIAG_ERROR)
		c->error = true;
	va_start(ap, fmt);
	if (p->sc) {
		diag_vadd(c->d, sev, c->sc->file, p->sc->line, p->sc->col,
			  p->sc->pointer, fmt, ap);
	} else {
		long line = p->node ? xmlGetLineNo(p->node) : 0;

		diag_vadd(c->d, sev, c->file,
			  line > 0 && line < INT32_MAX ? (int)line : 0, 0,
			  p->path, fmt, ap);
	}
	va_end(ap);
}

/* A property the XML lacks, from the sidecar's value v (when it has one). */
static void prop_fallback(struct prop *p, const struct load_drills_sc_value *v)
{
	if (p->value || !v || !v->s)
		return;
	p->value = v->s;
	p->sc = v;
}

/*
 * Reads the <property> children of a <properties> element into
 * found[0..n) by name (names[]).  Properties named "drill.*" that are not
 * known are warnings; others are the suite's own business, unless they are
 * so close to a known name that they look like a typo.
 */
static void read_properties(struct xctx *c, xmlNodePtr props,
			    const char *path, const char *const *names,
			    size_t n, bool warn_drill_prefix,
			    struct prop *found)
{
	size_t index = 0;

	for (xmlNodePtr p = props->children; p; p = p->next) {
		const char *ppath, *name, *value, *hint;
		int k;

		if (!is_element(p))
			continue;
		if (!named(p, "property")) {
			xdiag(c, DIAG_WARNING, p, path,
			      "unknown element <%.64s> in <properties>", p->name);
			continue;
		}
		ppath = arena_printf(c->m->arena, "%s/property[%zu]", path,
				     ++index);
		name = attr(c, p, "name");
		if (!name || !name[0]) {
			xdiag(c, DIAG_WARNING, p, ppath,
			      "<property> without a name is ignored");
			continue;
		}
		value = attr(c, p, "value");
		if (!value)
			value = text(c, p, 0);
		k = model_enum_find(names, n, name);
		if (k < 0) {
			hint = util_closest(name, names, n);
			if (hint)
				xdiag(c, DIAG_WARNING, p, ppath,
				      "unknown property %s, did you mean \"%s\"",
				      quote(c, name), hint);
			else if (warn_drill_prefix &&
				 strncmp(name, "drill.", 6) == 0)
				xdiag(c, DIAG_WARNING, p, ppath,
				      "unknown property %s", quote(c, name));
			continue;
		}
		if (found[k].node) {
			xdiag(c, DIAG_ERROR, p, ppath,
			      "duplicate property %s (first on line %ld)",
			      quote(c, name), xmlGetLineNo(found[k].node));
			continue;
		}
		found[k].value = value;
		found[k].node = p;
		found[k].path = ppath;
	}
}

/* A property holding a number in [lo, hi]; NAN when absent or wrong. */
static double prop_number(struct xctx *c, const struct prop *p,
			  const char *name, double lo, double hi,
			  const char *expected)
{
	double v;

	if (!p->value)
		return NAN;
	if (!parse_number(p->value, &v) || v < lo || v > hi) {
		pdiag(c, DIAG_ERROR, p,
		      "invalid value for property \"%s\": expected %s, found %s",
		      name, expected, quote(c, p->value));
		return NAN;
	}
	return v;
}

/* "classname.name" (or either alone) of a testcase, for messages. */
static const char *testcase_label(struct xctx *c, xmlNodePtr tc)
{
	const char *cls = attr(c, tc, "classname"), *name = attr(c, tc, "name");

	if (cls && cls[0] && name && name[0])
		return arena_printf(c->m->arena, "%s.%s", cls, name);
	if (name && name[0])
		return name;
	return cls ? cls : "";
}

/* The sidecar's "services" entry for key, or NULL. */
static const struct load_drills_sc_value *sidecar_service(struct xctx *c,
							  const char *key)
{
	if (!c->sc || !key || !key[0])
		return NULL;
	return load_drills_sidecar_service(c->sc, key);
}

/*
 * The service a testcase recovered: its property "drill.service", else the
 * sidecar's "services" entry for "classname.name", "name" or "classname",
 * else the classname itself when it is a service id (the classname is
 * usually a module path: tests.test_failover, org.example.FailoverIT).
 * *id is the id found (NULL when none); errors are reported unless quiet
 * (skipped testcases only warn).
 */
static const struct service *testcase_service(struct xctx *c, xmlNodePtr tc,
					      const char *path,
					      const struct prop *prop,
					      bool quiet, const char **id)
{
	const char *cls = attr(c, tc, "classname"), *name = attr(c, tc, "name");
	const struct load_drills_sc_value *v = NULL;
	const struct service *svc;

	*id = NULL;
	if (prop->node) {
		svc = model_service_find(c->m, prop->value);
		*id = prop->value;
		if (!svc && !quiet)
			xdiag(c, DIAG_ERROR, prop->node, prop->path,
			      "unknown service %s%s", quote(c, prop->value),
			      load_drills_suggest_service(&c->q, c->m,
							  prop->value));
		return svc;
	}
	if (cls && cls[0] && name && name[0])
		v = sidecar_service(c, arena_printf(c->m->arena, "%s.%s", cls,
						    name));
	if (!v)
		v = sidecar_service(c, name);
	if (!v)
		v = sidecar_service(c, cls);
	if (v) {
		svc = model_service_find(c->m, v->s);
		*id = v->s;
		if (!svc && !quiet) {
			diag_add(c->d, DIAG_ERROR, c->sc->file, v->line, v->col,
				 v->pointer, "unknown service %s%s",
				 quote(c, v->s),
				 load_drills_suggest_service(&c->q, c->m, v->s));
			c->error = true;
		}
		return svc;
	}
	if (!cls || !cls[0]) {
		if (!quiet)
			xdiag(c, DIAG_ERROR, tc, path,
			      "missing attribute \"classname\" on <testcase> (the service id)");
		return NULL;
	}
	svc = model_service_find(c->m, cls);
	if (svc) {
		*id = cls;
		return svc;
	}
	if (quiet)
		return NULL;
	if (strchr(cls, '.') || strchr(cls, '/'))
		xdiag(c, DIAG_ERROR, tc, path,
		      "no service for testcase %s: classname %s is not a service id; "
		      "add a property \"drill.service\" to the testcase or map it in "
		      "\"services\" of %s.json",
		      quote(c, testcase_label(c, tc)), quote(c, cls), c->rel);
	else
		xdiag(c, DIAG_ERROR, tc, path, "unknown service %s%s",
		      quote(c, cls),
		      load_drills_suggest_service(&c->q, c->m, cls));
	return NULL;
}

static void read_testcase(struct xctx *c, struct drill *dr, xmlNodePtr tc,
			  const char *path, struct strmap *seen)
{
	struct prop props[CP_COUNT] = {{NULL, NULL, NULL, NULL}};
	struct drill_result *r = &dr->results[dr->n_results];
	const struct service *svc;
	xmlNodePtr failed = NULL, skipped = NULL;
	const char *service, *time_s;
	size_t n_props = 0;
	double v;

	memset(r, 0, sizeof(*r));
	r->target_rto_minutes = r->target_rpo_minutes = NAN;
	r->recovery_minutes = r->data_loss_minutes = r->data_integrity = NAN;
	r->recovered = true;

	for (xmlNodePtr k = tc->children; k; k = k->next) {
		if (!is_element(k))
			continue;
		if (named(k, "properties")) {
			const char *ppath = arena_printf(c->m->arena,
							 "%s/properties", path);
			if (n_props++)
				ppath = arena_printf(c->m->arena, "%s[%zu]",
						     ppath, n_props);
			read_properties(c, k, ppath, case_props, CP_COUNT,
					false, props);
		} else if (named(k, "failure") || named(k, "error")) {
			if (!failed)
				failed = k;
		} else if (named(k, "skipped")) {
			skipped = k;
		} else if (!named(k, "system-out") && !named(k, "system-err")) {
			xdiag(c, DIAG_WARNING, k, path,
			      "unknown element <%.64s> in <testcase>", k->name);
		}
	}

	svc = testcase_service(c, tc, path, &props[CP_SERVICE], skipped != NULL,
			       &service);
	if (skipped) {
		if (service)
			xdiag(c, DIAG_WARNING, skipped, path,
			      "skipped testcase for service %s is not counted as a result",
			      quote(c, service));
		else
			xdiag(c, DIAG_WARNING, skipped, path,
			      "skipped testcase %s is not counted as a result",
			      quote(c, testcase_label(c, tc)));
		return;
	}
	if (!svc)
		return;
	if (strmap_get(seen, svc->id)) {
		xdiag(c, DIAG_ERROR, tc, path,
		      "duplicate result for service %s", quote(c, service));
		return;
	}
	strmap_put(seen, svc->id, (void *)svc);

	r->service = svc->id;
	r->service_index = (size_t)(svc - c->m->services);
	time_s = attr(c, tc, "time");
	if (time_s) {
		if (parse_seconds(time_s, &v) && v >= 0)
			r->recovery_minutes = v / 60.0;
		else
			xdiag(c, DIAG_ERROR, tc, path,
			      "invalid value for attribute \"time\": expected a number of seconds, 0 or more, found %s",
			      quote(c, time_s));
	}
	v = prop_number(c, &props[CP_LOSS], "data_loss_seconds", 0, HUGE_VAL,
			"a number of seconds, 0 or more");
	r->data_loss_minutes = isnan(v) ? NAN : v / 60.0;
	r->target_rto_minutes = prop_number(c, &props[CP_RTO],
					    "target_rto_minutes", 0, HUGE_VAL,
					    "a number of minutes, 0 or more");
	r->target_rpo_minutes = prop_number(c, &props[CP_RPO],
					    "target_rpo_minutes", 0, HUGE_VAL,
					    "a number of minutes, 0 or more");
	if (props[CP_INTEGRITY].node) {
		const char *s = props[CP_INTEGRITY].value;

		if (strcmp(s, "true") == 0)
			r->data_integrity = 1;
		else if (strcmp(s, "false") == 0)
			r->data_integrity = 0;
		else
			r->data_integrity = prop_number(c, &props[CP_INTEGRITY],
				"data_integrity", 0, 1,
				"a number from 0 to 1, true or false");
	}
	if (props[CP_FROM_BACKUP].node) {
		const char *s = props[CP_FROM_BACKUP].value;

		if (strcmp(s, "true") == 0)
			r->restored_from_backup = true;
		else if (strcmp(s, "false") != 0)
			xdiag(c, DIAG_ERROR, props[CP_FROM_BACKUP].node, props[CP_FROM_BACKUP].path,
			      "invalid value for property \"restored_from_backup\": expected true or false, found %s",
			      quote(c, s));
	}
	if (failed) {
		const char *msg = attr(c, failed, "message");

		if (msg && strlen(msg) > XML_MAX_FAILURE)
			msg = trimmed(c->m->arena, msg, XML_MAX_FAILURE);
		if (!msg || !msg[0])
			msg = text(c, failed, XML_MAX_FAILURE);
		if (!msg[0])
			msg = attr(c, failed, "type");
		if (!msg || !msg[0])
			msg = (const char *)failed->name;
		r->recovered = false;
		r->failure = arena_strdup(c->m->arena, msg);
	}
	dr->scope_services[dr->n_scope_services++] = r->service;
	dr->n_results++;
}

static void read_testsuite(struct xctx *c, const char *rel, xmlNodePtr ts,
			   const char *path, struct load_drills_batch *out)
{
	struct prop props[SP_COUNT] = {{NULL, NULL, NULL, NULL}};
	struct drill *dr = load_drills_batch_add(out, c->m, rel, c->file);
	size_t n_cases = 0, case_index = 0, n_props = 0;
	bool bad_id = false;
	const char *stamp;
	char why[64];
	struct strmap *seen;
	int type, tz_offset = 0;

	dr->pos.line = (int)xmlGetLineNo(ts);
	dr->pos.pointer = arena_strdup(c->m->arena, path);

	for (xmlNodePtr k = ts->children; k; k = k->next) {
		if (!is_element(k))
			continue;
		if (named(k, "testcase")) {
			n_cases++;
		} else if (named(k, "properties")) {
			const char *ppath = arena_printf(c->m->arena,
							 "%s/properties", path);
			if (n_props++)
				ppath = arena_printf(c->m->arena, "%s[%zu]",
						     ppath, n_props);
			read_properties(c, k, ppath, suite_props, SP_COUNT,
					true, props);
		} else if (!named(k, "system-out") && !named(k, "system-err")) {
			xdiag(c, DIAG_WARNING, k, path,
			      "unknown element <%.64s> in <testsuite>", k->name);
		}
	}

	if (c->sc) {
		prop_fallback(&props[SP_ID], &c->sc->id);
		prop_fallback(&props[SP_TYPE], &c->sc->type);
		prop_fallback(&props[SP_AVAILABILITY], &c->sc->availability);
		prop_fallback(&props[SP_TRAFFIC], &c->sc->traffic);
		prop_fallback(&props[SP_DATE], &c->sc->date);
		prop_fallback(&props[SP_TZ], &c->sc->tz);
	}
	if (props[SP_TZ].value &&
	    !date_parse_offset(props[SP_TZ].value, &tz_offset))
		pdiag(c, DIAG_ERROR, &props[SP_TZ],
		      "invalid value for property \"drill.tz\": expected a UTC offset (\"+01:00\", \"-05:00\", \"Z\"), found %s",
		      quote(c, props[SP_TZ].value));

	if (!props[SP_ID].value) {
		xdiag(c, DIAG_ERROR, ts, path,
		      "missing property \"drill.id\" in <testsuite> (or \"id\" in the sidecar %s.json)",
		      c->rel);
		bad_id = true;
	} else if (!load_drills_id_valid(props[SP_ID].value)) {
		if (props[SP_ID].sc)
			load_drills_report_id(c->d, c->sc->file,
					      props[SP_ID].sc->line,
					      props[SP_ID].sc->col,
					      props[SP_ID].sc->pointer,
					      props[SP_ID].value);
		else
			load_drills_report_id(c->d, c->file,
					      (int)xmlGetLineNo(props[SP_ID].node), 0,
					      props[SP_ID].path, props[SP_ID].value);
		c->error = true;
		bad_id = true;
	} else {
		dr->id = props[SP_ID].value;
	}

	stamp = attr(c, ts, "timestamp");
	if (!stamp && props[SP_DATE].value) {
		if (!parse_timestamp(props[SP_DATE].value, tz_offset, &dr->date))
			pdiag(c, DIAG_ERROR, &props[SP_DATE],
			      "invalid date %s for \"drill.date\": expected YYYY-MM-DD or an ISO 8601 time",
			      quote(c, props[SP_DATE].value));
	} else if (!stamp && date_from_name(c->rel, &dr->date))
		;
	else if (!stamp)
		xdiag(c, DIAG_ERROR, ts, path,
		      "missing attribute \"timestamp\" on <testsuite> (the drill date): "
		      "give a property \"drill.date\", \"date\" in the sidecar %s.json, "
		      "or a YYYY-MM-DD in the file name", c->rel);
	else if (parse_timestamp(stamp, tz_offset, &dr->date))
		;
	else if (load_drills_date_impossible(stamp, why, sizeof(why)))
		xdiag(c, DIAG_ERROR, ts, path,
		      "impossible date %s for attribute \"timestamp\": %s",
		      quote(c, stamp), why);
	else
		xdiag(c, DIAG_ERROR, ts, path,
		      "invalid date %s for attribute \"timestamp\": expected YYYY-MM-DD or an ISO 8601 time (2026-10-01T09:30:00, read as UTC, or with an offset)",
		      quote(c, stamp));

	if (!props[SP_TYPE].value) {
		xdiag(c, DIAG_ERROR, ts, path,
		      "missing property \"drill.type\" in <testsuite> (or \"type\" in the sidecar %s.json)",
		      c->rel);
	} else {
		type = model_enum_find(model_drill_type_names, DRILL_TYPE_COUNT,
				       props[SP_TYPE].value);
		if (type < 0)
			pdiag(c, DIAG_ERROR, &props[SP_TYPE],
			      "invalid value for property \"drill.type\": expected \"tabletop\", \"partial_failover\", \"full_simulation\" or \"chaos\", found %s",
			      quote(c, props[SP_TYPE].value));
		else
			dr->type = (enum drill_type)type;
	}
	dr->availability = prop_number(c, &props[SP_AVAILABILITY],
				       "drill.availability", 0, 1,
				       "a number from 0 to 1");
	dr->traffic_percent = prop_number(c, &props[SP_TRAFFIC],
					  "drill.traffic_percent", 0, 100,
					  "a number from 0 to 100");

	if (n_cases) {
		dr->results = arena_calloc(c->m->arena, n_cases,
					   sizeof(*dr->results));
		dr->scope_services = arena_calloc(c->m->arena, n_cases,
						  sizeof(*dr->scope_services));
	}
	seen = strmap_new(n_cases);
	for (xmlNodePtr k = ts->children; k; k = k->next) {
		if (named(k, "testcase"))
			read_testcase(c, dr,  k,
				      arena_printf(c->m->arena, "%s/testcase[%zu]",
						   path, ++case_index),
				      seen);
	}
	strmap_free(seen);
	if (n_cases && !dr->n_results && !c->error)
		xdiag(c, DIAG_WARNING, ts, path,
		      "no testcase of this drill counts as a result (all skipped or "
		      "unusable): it records that the drill ran, not what recovered");

	/* Without a usable id the drill cannot be referred to: drop it. */
	if (bad_id)
		out->n--;
}

bool load_drills_xml(struct model *m, const char *rel, const char *file,
		     const char *data, size_t len,
		     struct load_drills_batch *out, struct diags *d)
{
	return load_drills_xml_sidecar(m, rel, file, data, len, NULL, out, d);
}

bool load_drills_xml_sidecar(struct model *m, const char *rel,
			     const char *file, const char *data, size_t len,
			     const struct load_drills_sidecar *sc,
			     struct load_drills_batch *out, struct diags *d)
{
	struct xctx c;
	xmlDocPtr doc = parse_document(file, data, len, d);
	xmlNodePtr root;
	size_t index = 0;

	if (!doc)
		return false;
	memset(&c, 0, sizeof(c));
	c.m = m;
	c.rel = rel;
	c.file = file;
	c.d = d;
	c.sc = sc;
	root = xmlDocGetRootElement(doc);
	if (named(root, "testsuite")) {
		read_testsuite(&c, rel, root, "/testsuite", out);
	} else if (named(root, "testsuites")) {
		for (xmlNodePtr k = root->children; k; k = k->next) {
			if (named(k, "testsuite"))
				read_testsuite(&c, rel, k,
					       arena_printf(m->arena,
							    "/testsuites/testsuite[%zu]",
							    ++index),
					       out);
			else if (is_element(k) && !named(k, "properties"))
				xdiag(&c, DIAG_WARNING, k, "/testsuites",
				      "unknown element <%.64s> in <testsuites>",
				      k->name);
		}
	} else {
		xdiag(&c, DIAG_ERROR, root, NULL,
		      "expected <testsuites> or <testsuite> as the root element, found <%.64s>",
		      root->name);
	}
	xmlFreeDoc(doc);
	/* A mapping no testcase used is likely a typo in its key. */
	for (size_t i = 0; sc && i < sc->n_services; i++)
		if (!sc->used[i])
			diag_add(d, DIAG_WARNING, sc->file, sc->services[i].line,
				 sc->services[i].col, sc->services[i].pointer,
				 "no testcase of %s is named %s (classname.name, name or classname)",
				 rel, quote(&c, sc->service_keys[i]));
	return !c.error;
}
