/*
 * load_backups_record.c -- the backup loader's hot path: one chunk read
 * into the worker's buffer, each line scanned into a struct rec, each valid
 * record folded into the worker's summaries (the design is at the top of
 * load_backups.c).
 *
 * Everything called for every record is in this file, static, so that the
 * compiler can inline it; what runs only for a rejected line (the text of
 * its message) is in load_backups_report.c.
 */
#include "load_backups_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "dates.h"
#include "restore_tests.h"

#define MAX_DEPTH    64            /* nesting inside values of unknown keys */
#define SECONDS_PER_DAY 86400
#define RETENTION_FOREVER 3650000  /* days; longer counts as never expiring */

#define BIT(k) (1u << (k))
/* Required in every record (null is refused as soon as it is read)... */
#define REQUIRED (BIT(K_ID) | BIT(K_DATASTORE) | BIT(K_STARTED) | BIT(K_STATUS))
/* ...and by kind, checked once the record is read. */
#define REQUIRED_BACKUP (BIT(K_TYPE) | BIT(K_LOCATION))
#define REQUIRED_TEST   BIT(K_METHOD)
/* Keys of one kind only; on a record of the other kind they are ignored
 * with a counted warning, like unknown keys. */
#define BACKUP_ONLY (BIT(K_TYPE) | BIT(K_BYTES) | BIT(K_ENCRYPTION) | BIT(K_COMPRESSION) | \
		     BIT(K_IMMUTABLE) | BIT(K_RETENTION_DAYS) | BIT(K_VERIFICATION) | \
		     BIT(K_VERIFIED_OK))
#define TEST_ONLY (BIT(K_METHOD) | BIT(K_TESTED_BACKUP) | BIT(K_TESTED_BACKUP_TIME) | \
		   BIT(K_TARGET))

const char *const lb_key_names[K_COUNT] = {
	"id", "datastore", "type", "started", "finished", "status", "bytes",
	"location", "region", "encryption", "compression", "immutable",
	"retention_days", "verification", "verified_ok", "kind", "method",
	"tested_backup", "tested_backup_time", "target", "provenance",
};

enum kind { KIND_STRING, KIND_NUMBER, KIND_BOOL, KIND_OBJECT };

static const unsigned char key_kind[K_COUNT] = {
	[K_BYTES] = KIND_NUMBER, [K_RETENTION_DAYS] = KIND_NUMBER,
	[K_IMMUTABLE] = KIND_BOOL, [K_VERIFIED_OK] = KIND_BOOL,
	[K_PROVENANCE] = KIND_OBJECT,
};

static const char *const kind_desc[] = {"a string", "a number", "true or false",
					"an object"};

/*
 * The fast path for keys: p is at the opening quote of a key written
 * plainly (no escapes), which is how every log writer writes them.
 * Compares "name" with its closing quote in place; K_UNKNOWN sends the key
 * through the full scanner.  Reads past the line end stay inside the
 * buffer's padding.
 */
static int key_fast(const char *p, const char **end)
{
#define TRY(lit, k) \
	if (memcmp(p + 1, lit "\"", sizeof(lit)) == 0) { \
		*end = p + sizeof(lit) + 1; \
		return (k); \
	}
	switch (p[1]) {
	case 'i': TRY("id", K_ID); TRY("immutable", K_IMMUTABLE); break;
	case 'd': TRY("datastore", K_DATASTORE); break;
	case 't': TRY("type", K_TYPE); TRY("tested_backup", K_TESTED_BACKUP);
		TRY("tested_backup_time", K_TESTED_BACKUP_TIME); TRY("target", K_TARGET); break;
	case 'k': TRY("kind", K_KIND); break;
	case 'm': TRY("method", K_METHOD); break;
	case 'p': TRY("provenance", K_PROVENANCE); break;
	case 's': TRY("started", K_STARTED); TRY("status", K_STATUS); break;
	case 'f': TRY("finished", K_FINISHED); break;
	case 'b': TRY("bytes", K_BYTES); break;
	case 'l': TRY("location", K_LOCATION); break;
	case 'r': TRY("region", K_REGION); TRY("retention_days", K_RETENTION_DAYS); break;
	case 'e': TRY("encryption", K_ENCRYPTION); break;
	case 'c': TRY("compression", K_COMPRESSION); break;
	case 'v': TRY("verification", K_VERIFICATION); TRY("verified_ok", K_VERIFIED_OK); break;
	default: break;
	}
	return K_UNKNOWN;
#undef TRY
}

static int key_find(const char *s, size_t len)
{
#define KEY(k) (memcmp(s, lb_key_names[k], len) == 0 ? (k) : K_UNKNOWN)
	switch (len) {
	case 2: return KEY(K_ID);
	case 4: return s[0] == 'k' ? KEY(K_KIND) : KEY(K_TYPE);
	case 5: return KEY(K_BYTES);
	case 6:
		switch (s[0]) {
		case 's': return KEY(K_STATUS);
		case 'm': return KEY(K_METHOD);
		case 't': return KEY(K_TARGET);
		default: return KEY(K_REGION);
		}
	case 7: return KEY(K_STARTED);
	case 8: return s[0] == 'f' ? KEY(K_FINISHED) : KEY(K_LOCATION);
	case 9: return s[0] == 'd' ? KEY(K_DATASTORE) : KEY(K_IMMUTABLE);
	case 10: return s[0] == 'p' ? KEY(K_PROVENANCE) : KEY(K_ENCRYPTION);
	case 11: return s[0] == 'c' ? KEY(K_COMPRESSION) : KEY(K_VERIFIED_OK);
	case 12: return KEY(K_VERIFICATION);
	case 13: return KEY(K_TESTED_BACKUP);
	case 14: return KEY(K_RETENTION_DAYS);
	case 18: return KEY(K_TESTED_BACKUP_TIME);
	default: return K_UNKNOWN;
	}
#undef KEY
}

/* ---------------------------------------------------------------------
 * Small helpers
 */

static bool is_digit(char c)
{
	return (unsigned)(c - '0') < 10;
}

static const char *skip_ws(const char *p)
{
	/* One compare in the common case: the next byte is no blank. */
	while ((unsigned char)*p <= ' ' && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}

/* Whether name equals s[0..len); s holds no NUL (the scanner refuses it). */
static bool name_is(const char *name, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (name[i] != s[i])
			return false;
	}
	return name[len] == '\0';
}

static int enum_match(const char *const *names, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++) {
		if (name_is(names[i], s, len))
			return (int)i;
	}
	return -1;
}

/* ---------------------------------------------------------------------
 * Key names counted in a chunk
 */

static void note_key(struct line *l, const struct str *key, const char *at, int note)
{
	struct chunk *c = l->c;
	size_t n = cut_len(key->p, key->len, SHOW_MAX);
	for (size_t i = 0; i < c->n_keys; i++) {
		if (c->keys[i].note == note && strlen(c->keys[i].name) == n &&
		    memcmp(c->keys[i].name, key->p, n) == 0) {
			c->keys[i].count++;
			return;
		}
	}
	if (c->n_keys == KEYS_KEEP) {
		c->keys_dropped++;
		return;
	}
	if (!c->keys)
		c->keys = xcalloc(KEYS_KEEP, sizeof(*c->keys));
	struct unknown_key *k = &c->keys[c->n_keys++];
	k->name = xstrndup(key->p, n);
	k->note = note;
	k->count = 1;
	k->line = l->lineno;
	k->col = (int)(at - l->start) + 1;
}

static void note_unknown_key(struct line *l, const struct str *key, const char *at)
{
	note_key(l, key, at, NOTE_UNKNOWN);
}

/* ---------------------------------------------------------------------
 * JSON scanning.  Every function takes p inside the line and stops at the
 * line's '\n' at the latest; on a syntax error it reports and returns NULL.
 */

/* The first '"', '\\', control byte or non-ASCII byte at or after p. */
static const char *string_stop(const char *p)
{
#if defined(__SSE2__)
	const __m128i quote = _mm_set1_epi8('"');
	const __m128i bslash = _mm_set1_epi8('\\');
	const __m128i space = _mm_set1_epi8(' ');
	for (;;) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		/* Signed compare: bytes >= 0x80 are negative, so below ' ' too. */
		__m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote),
							_mm_cmpeq_epi8(v, bslash)),
					   _mm_cmplt_epi8(v, space));
		unsigned mask = (unsigned)_mm_movemask_epi8(hit);
		if (mask)
			return p + __builtin_ctz(mask);
		p += 16;
	}
#else
	for (;; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
			return p;
	}
#endif
}

static bool hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

/* Length of the escape at p (p[0] == '\\'), or 0 after reporting it. */
static size_t escape_check(struct line *l, const char *p)
{
	char fb[16];
	unsigned cp, lo;
	switch (p[1]) {
	case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
		return 2;
	case 'u':
		if (!hex4(p + 2, &cp)) {
			lb_line_fail(l, p, "invalid JSON: \\u must be followed by four hex digits");
			return 0;
		}
		if (cp == 0) {
			lb_line_fail(l, p, "\\u0000 (NUL) is not allowed in strings");
			return 0;
		}
		if (cp < 0xD800 || cp > 0xDFFF)
			return 6;
		if (cp <= 0xDBFF && p[6] == '\\' && p[7] == 'u' && hex4(p + 8, &lo) &&
		    lo >= 0xDC00 && lo <= 0xDFFF)
			return 12;
		lb_line_fail(l, p, "invalid JSON: unpaired surrogate in \\u escape");
		return 0;
	default:
		lb_line_fail(l, p, "invalid JSON: invalid escape, backslash followed by %s",
			  lb_found(l, p + 1, fb));
		return 0;
	}
}

static size_t utf8_put(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Decodes the checked string body s[0..len) into out; never longer. */
static size_t decode_into(char *out, const char *s, size_t len)
{
	const char *e = s + len;
	char *o = out;
	unsigned cp, lo;
	while (s < e) {
		if (*s != '\\') {
			*o++ = *s++;
			continue;
		}
		switch (s[1]) {
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			hex4(s + 2, &cp);
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				hex4(s + 8, &lo);
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				s += 6;
			}
			o += utf8_put(o, cp);
			s += 4;
			break;
		default: *o++ = s[1]; break;  /* '"', '\\', '/' */
		}
		s += 2;
	}
	return (size_t)(o - out);
}

/* scan_string when the string has escapes, non-ASCII bytes or errors. */
static const char *scan_string_slow(struct line *l, const char *p, struct str *out)
{
	const char *open = p, *body = p + 1;
	bool escapes = false;
	p = body;
	for (;;) {
		p = string_stop(p);
		unsigned char c = (unsigned char)*p;
		if (c == '"')
			break;
		if (c == '\\') {
			size_t n = escape_check(l, p);
			if (!n)
				return NULL;
			escapes = true;
			p += n;
		} else if (c >= 0x80) {
			size_t n = utf8_seq(p);
			if (!n) {
				lb_line_fail(l, p, "invalid UTF-8");
				return NULL;
			}
			p += n;
		} else if (p == l->end) {
			lb_line_fail(l, open, "invalid JSON: unterminated string");
			return NULL;
		} else {
			lb_line_fail(l, p, "invalid JSON: control character U+%04X in a string "
				  "(write it as an escape)", c);
			return NULL;
		}
	}
	if (out) {
		size_t len = (size_t)(p - body);
		if (escapes) {
			char *dst = l->w->scratch +
				    (size_t)l->w->cur * l->w->scratch_half + l->used;
			out->len = decode_into(dst, body, len);
			out->p = dst;
			l->used += out->len;
		} else {
			out->p = body;
			out->len = len;
		}
	}
	return p + 1;
}

/* A JSON number at p.  simple: a plain integer that fits, in *value. */
/*
 * p is at the opening quote.  Returns the byte after the closing one.  With
 * out, the decoded string (the raw bytes when there are no escapes).
 */
static inline const char *scan_string(struct line *l, const char *p, struct str *out)
{
	const char *body = p + 1, *q = string_stop(body);
	if (*q != '"')
		return scan_string_slow(l, p, out);
	if (out) {
		out->p = body;
		out->len = (size_t)(q - body);
	}
	return q + 1;
}

static const char *scan_number(struct line *l, const char *p, bool *simple,
			       uint64_t *value)
{
	const char *s = p;
	uint64_t v = 0;
	bool plain = true;
	if (*p == '-') {
		plain = false;
		p++;
	}
	if (*p == '0') {
		p++;
	} else if (is_digit(*p)) {
		const char *digits = p;
		while (is_digit(*p))
			p++;
		if (p - digits > 19) {  /* 19 digits always fit in 64 bits */
			plain = false;
			for (const char *q = digits; q < p; q++) {
				unsigned d = (unsigned)(*q - '0');
				if (v > (UINT64_MAX - d) / 10)
					break;
				v = v * 10 + d;
			}
		} else {
			for (const char *q = digits; q < p; q++)
				v = v * 10 + (unsigned)(*q - '0');
		}
	} else {
		goto bad;
	}
	if (*p == '.') {
		plain = false;
		if (!is_digit(*++p))
			goto bad;
		while (is_digit(*p))
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		plain = false;
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!is_digit(*p))
			goto bad;
		while (is_digit(*p))
			p++;
	}
	if (is_digit(*p) || *p == '.' || *p == '+' || *p == '-' ||
	    ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z'))
		goto bad;
	*simple = plain;
	*value = v;
	return p;
bad:
	lb_line_fail(l, s, "invalid JSON: invalid number");
	return NULL;
}

enum num_check { NUM_OK, NUM_NEGATIVE, NUM_FRACTION, NUM_TOO_LARGE };

/*
 * The value of the valid JSON number s[0..e) as a non-negative integer,
 * exactly: 1.5e3 is 1500, 1e-1 is a fraction, -0 is 0.
 */
static enum num_check number_value(const char *s, const char *e, uint64_t *out)
{
	bool neg = *s == '-', frac = false, overflow = false;
	uint64_t mant = 0;
	int64_t exp = 0, zeros = 0;  /* value = mant * 10^(exp + zeros) */
	if (neg)
		s++;
	for (; s < e && *s != 'e' && *s != 'E'; s++) {
		if (*s == '.') {
			frac = true;
			continue;
		}
		if (frac)
			exp--;
		if (*s == '0') {
			zeros++;  /* held back, so trailing zeros never overflow */
			continue;
		}
		for (; zeros > 0; zeros--) {
			if (mant > UINT64_MAX / 10)
				overflow = true;
			else
				mant *= 10;
		}
		unsigned d = (unsigned)(*s - '0');
		if (mant > (UINT64_MAX - d) / 10)
			overflow = true;
		else
			mant = mant * 10 + d;
	}
	if (s < e) {  /* the exponent */
		s++;
		bool eneg = *s == '-';
		if (*s == '+' || *s == '-')
			s++;
		int64_t ev = 0;
		for (; s < e; s++) {
			if (ev < 1000000)
				ev = ev * 10 + (*s - '0');
		}
		exp += eneg ? -ev : ev;
	}
	if (mant == 0 && !overflow) {
		*out = 0;
		return NUM_OK;
	}
	if (neg)
		return NUM_NEGATIVE;
	exp += zeros;
	if (exp < 0)
		return NUM_FRACTION;
	if (overflow)
		return NUM_TOO_LARGE;
	for (; exp > 0; exp--) {
		if (mant > UINT64_MAX / 10)
			return NUM_TOO_LARGE;
		mant *= 10;
	}
	*out = mant;
	return NUM_OK;
}

static const char *scan_literal(struct line *l, const char *p, const char *word)
{
	size_t n = strlen(word);
	for (size_t i = 0; i < n; i++) {
		if (p[i] != word[i])
			goto bad;
	}
	if ((p[n] | 0x20) >= 'a' && (p[n] | 0x20) <= 'z')
		goto bad;
	return p + n;
bad:
	lb_line_fail(l, p, "invalid JSON: expected a value (a string, number, object, "
		  "array, true, false or null)");
	return NULL;
}

static const char *skip_value(struct line *l, const char *p, int depth);

static const char *skip_container(struct line *l, const char *p, int depth)
{
	char fb[16];
	bool object = *p == '{';
	char close = object ? '}' : ']';
	if (depth >= MAX_DEPTH) {
		lb_line_fail(l, p, "invalid JSON: nested deeper than %d levels", MAX_DEPTH);
		return NULL;
	}
	p = skip_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (object) {
			if (*p != '"') {
				lb_line_fail(l, p, "invalid JSON: expected a key in double quotes, found %s",
					  lb_found(l, p, fb));
				return NULL;
			}
			if (!(p = scan_string(l, p, NULL)))
				return NULL;
			p = skip_ws(p);
			if (*p != ':') {
				lb_line_fail(l, p, "invalid JSON: expected ':' after a key, found %s",
					  lb_found(l, p, fb));
				return NULL;
			}
			p = skip_ws(p + 1);
		}
		if (!(p = skip_value(l, p, depth + 1)))
			return NULL;
		p = skip_ws(p);
		if (*p == ',') {
			p = skip_ws(p + 1);
			continue;
		}
		if (*p == close)
			return p + 1;
		lb_line_fail(l, p, "invalid JSON: expected ',' or '%c', found %s", close,
			  lb_found(l, p, fb));
		return NULL;
	}
}

static const char *skip_value(struct line *l, const char *p, int depth)
{
	char fb[16];
	bool simple;
	uint64_t v;
	switch (*p) {
	case '"': return scan_string(l, p, NULL);
	case 't': return scan_literal(l, p, "true");
	case 'f': return scan_literal(l, p, "false");
	case 'n': return scan_literal(l, p, "null");
	case '{': case '[': return skip_container(l, p, depth);
	default:
		if (*p == '-' || is_digit(*p))
			return scan_number(l, p, &simple, &v);
		lb_line_fail(l, p, "invalid JSON: expected a value, found %s", lb_found(l, p, fb));
		return NULL;
	}
}

/* ---------------------------------------------------------------------
 * Values of the known keys
 */

static bool enum_value(struct line *l, const char *at, enum key k, const struct str *s,
		       const char *const *names, size_t n, int *out)
{
	int v = enum_match(names, n, s->p, s->len);
	if (v < 0)
		return lb_enum_error(l, at, k, s, names, n);
	*out = v;
	return true;
}

static void datastore_value(const struct job *j, struct rec *r, const struct str *s)
{
	r->datastore = *s;
	r->datastore_hash = id_hash(s->p, s->len);
	/* The slot is needed when the record ends: fetch it meanwhile. */
	__builtin_prefetch(&j->index[(size_t)r->datastore_hash & j->index_mask]);
}

/* Checks a string value of key k and stores it; false: reported. */
static bool string_value(struct line *l, struct rec *r, enum key k, const struct str *s,
			 const char *at)
{
	char sb[SHOW_MAX * 6 + 8];
	switch (k) {
	case K_ID:
	case K_DATASTORE:
	case K_TESTED_BACKUP:
		if (s->len == 0) {
			lb_rec_error(l, at, "\"%s\" must not be empty", lb_key_names[k]);
			return false;
		}
		if (k != K_DATASTORE && s->len > BACKUP_ID_LIMIT) {
			lb_rec_error(l, at, "\"%s\" is %zu bytes long, above the limit of %d bytes",
				  lb_key_names[k], s->len, BACKUP_ID_LIMIT);
			return false;
		}
		if (k == K_ID)
			r->id = *s;
		else if (k == K_TESTED_BACKUP)
			r->tested_backup = *s;
		else
			datastore_value(l->w->job, r, s);
		return true;
	case K_TARGET:
		return true;  /* shown nowhere yet; checked as a string */
	case K_KIND:
		return enum_value(l, at, k, s, model_record_kind_names, RKIND_COUNT, &r->kind);
	case K_METHOD:
		return enum_value(l, at, k, s, model_restore_method_names, RMETHOD_COUNT,
				  &r->method);
	case K_REGION:
		r->region = *s;
		return true;
	case K_ENCRYPTION:
		r->encryption = *s;
		return true;
	case K_COMPRESSION:
		r->compression = *s;
		return true;
	case K_TYPE:
		return enum_value(l, at, k, s, model_backup_type_names, BTYPE_COUNT, &r->type);
	case K_STATUS:
		return enum_value(l, at, k, s, model_backup_status_names, BSTATUS_COUNT,
				  &r->status);
	case K_LOCATION:
		return enum_value(l, at, k, s, model_location_names, LOC_COUNT, &r->location);
	case K_VERIFICATION:
		return enum_value(l, at, k, s, model_verification_names, VERIFY_COUNT,
				  &r->verification);
	case K_STARTED:
	case K_FINISHED:
	case K_TESTED_BACKUP_TIME:
		if (date_parse_rfc3339(s->p, s->len, k == K_STARTED ? &r->started
				       : k == K_FINISHED ? &r->finished : &r->tested_time))
			return true;
		lb_rec_error(l, at, "invalid \"%s\" time \"%s\": expected an RFC 3339 "
			  "date-time with offset, like 2026-10-01T02:00:00Z",
			  lb_key_names[k], lb_show(sb, s->p, s->len));
		return false;
	default:
		return true;
	}
}

static bool number_value_check(struct line *l, struct rec *r, enum key k, const char *at,
			       const char *end, bool simple, uint64_t v)
{
	enum num_check c = simple ? NUM_OK : number_value(at, end, &v);
	switch (c) {
	case NUM_OK:
		if (k == K_BYTES)
			r->bytes = v;
		else
			r->retention_days = v;
		return true;
	case NUM_NEGATIVE:
		lb_rec_error(l, at, "\"%s\" must not be negative", lb_key_names[k]);
		return false;
	case NUM_FRACTION:
		lb_rec_error(l, at, "\"%s\" must be a whole number", lb_key_names[k]);
		return false;
	case NUM_TOO_LARGE:
	default:
		lb_rec_error(l, at, "\"%s\" is too large", lb_key_names[k]);
		return false;
	}
}

/*
 * Enumeration values written plainly, matched at their quote with
 * constant-size compares (the names are those of model.c, in its order);
 * -1 sends the value through the full path.
 */
#define TRY(lit, v) \
	if (memcmp(p + 1, lit "\"", sizeof(lit)) == 0) { \
		*end = p + sizeof(lit) + 1; \
		return (v); \
	}

static int type_fast(const char *p, const char **end)
{
	switch (p[1]) {
	case 'f': TRY("full", BTYPE_FULL); break;
	case 'i': TRY("incremental", BTYPE_INCREMENTAL); break;
	case 's': TRY("snapshot", BTYPE_SNAPSHOT); break;
	case 'c': TRY("continuous", BTYPE_CONTINUOUS); break;
	default: break;
	}
	return -1;
}

static int status_fast(const char *p, const char **end)
{
	switch (p[1]) {
	case 's': TRY("success", BSTATUS_SUCCESS); break;
	case 'f': TRY("failed", BSTATUS_FAILED); break;
	case 'p': TRY("partial", BSTATUS_PARTIAL); break;
	case 'r': TRY("running", BSTATUS_RUNNING); break;
	default: break;
	}
	return -1;
}

static int location_fast(const char *p, const char **end)
{
	switch (p[1]) {
	case 'p': TRY("primary", LOC_PRIMARY); break;
	case 's': TRY("secondary", LOC_SECONDARY); break;
	case 'o': TRY("offsite", LOC_OFFSITE); break;
	default: break;
	}
	return -1;
}

static int verification_fast(const char *p, const char **end)
{
	switch (p[1]) {
	case 'n': TRY("none", VERIFY_NONE); break;
	case 's': TRY("size_check", VERIFY_SIZE_CHECK); break;
	case 'c': TRY("checksum", VERIFY_CHECKSUM); break;
	case 'r': TRY("restore_test", VERIFY_RESTORE_TEST); break;
	default: break;
	}
	return -1;
}
#undef TRY

static bool two_digits(const char *s, unsigned max, unsigned *out)
{
	unsigned a = (unsigned)(s[0] - '0'), b = (unsigned)(s[1] - '0');
	*out = a * 10 + b;
	return a <= 9 && b <= 9 && *out <= max;
}

/*
 * "YYYY-MM-DDThh:mm:ssZ" (len 20) or "YYYY-MM-DDThh:mm:ss+hh:mm" (len 25)
 * at s, with the date looked up in the thread's day cache: a log is sorted
 * by time, so nearly every time has the date of the one before.  Anything
 * else goes to date_parse_rfc3339, whose result this always equals.
 */
static bool time_parse(struct day_cache *c, const char *s, size_t len, int64_t *out)
{
	unsigned hh, mm, ss, oh, om;
	int64_t offset = 0;
	if (!c->valid || memcmp(s, c->text, sizeof(c->text)) != 0) {
		c->valid = false;
		if (!date_parse_day(s, sizeof(c->text), &c->start))
			return date_parse_rfc3339(s, len, out);
		memcpy(c->text, s, sizeof(c->text));
		c->valid = true;
	}
	if (s[10] != 'T' || !two_digits(s + 11, 23, &hh) || s[13] != ':' ||
	    !two_digits(s + 14, 59, &mm) || s[16] != ':' || !two_digits(s + 17, 60, &ss))
		return date_parse_rfc3339(s, len, out);
	if (len == 20 && s[19] == 'Z') {
		offset = 0;
	} else if (len == 25 && (s[19] == '+' || s[19] == '-') && two_digits(s + 20, 23, &oh) &&
		   s[22] == ':' && two_digits(s + 23, 59, &om)) {
		offset = (int64_t)(oh * 3600 + om * 60);
		if (s[19] == '-')
			offset = -offset;
	} else {
		return date_parse_rfc3339(s, len, out);
	}
	*out = c->start + (int64_t)(hh * 3600 + mm * 60 + ss) - offset;
	return true;
}

/* A time written plainly, "...Z" or "...+00:00", parsed at its quote. */
static bool time_fast(struct day_cache *c, const char *p, int64_t *out, const char **end)
{
	for (size_t len = 20; len <= 25; len += 5) {
		if (p[len + 1] == '"' && time_parse(c, p + 1, len, out)) {
			*end = p + len + 2;
			return true;
		}
	}
	return false;
}

/*
 * The fast path for the values that take most of a record: enumerations
 * and times, recognised in place.  False sends the value through the full
 * scanner (and its diagnostics); a value accepted here is one the full
 * path would accept with the same result.
 */
static bool value_fast(struct day_cache *c, struct rec *r, enum key k, const char *p,
		       const char **end)
{
	int v;
	switch (k) {
	case K_TYPE:
		r->type = v = type_fast(p, end);
		return v >= 0;
	case K_STATUS:
		r->status = v = status_fast(p, end);
		return v >= 0;
	case K_LOCATION:
		r->location = v = location_fast(p, end);
		return v >= 0;
	case K_VERIFICATION:
		r->verification = v = verification_fast(p, end);
		return v >= 0;
	case K_STARTED:
		return time_fast(c, p, &r->started, end);
	case K_FINISHED:
		return time_fast(c, p, &r->finished, end);
	default:
		return false;
	}
}

/* The value of known key k at p.  Returns the byte after it, or NULL. */
static const char *key_value(struct line *l, struct rec *r, enum key k, const char *p)
{
	const char *at = p, *e;
	r->at[k] = at;
	if (*p == 'n') {
		if (!(e = scan_literal(l, p, "null")))
			return NULL;
		if (REQUIRED & BIT(k))
			lb_rec_error(l, at, "\"%s\" must be %s, found null", lb_key_names[k],
				  kind_desc[key_kind[k]]);
		return e;
	}
	switch (key_kind[k]) {
	case KIND_STRING:
		if (*p == '"') {
			struct str s;
			if (value_fast(&l->w->days, r, k, p, &e)) {
				r->valid |= BIT(k);
				return e;
			}
			if (!(e = scan_string(l, p, &s)))
				return NULL;
			if (string_value(l, r, k, &s, at))
				r->valid |= BIT(k);
			return e;
		}
		break;
	case KIND_NUMBER:
		if (*p == '-' || is_digit(*p)) {
			bool simple;
			uint64_t v;
			if (!(e = scan_number(l, p, &simple, &v)))
				return NULL;
			if (number_value_check(l, r, k, at, e, simple, v))
				r->valid |= BIT(k);
			return e;
		}
		break;
	case KIND_OBJECT:
		/* Provenance: any object, nested like values of unknown keys. */
		if (*p == '{') {
			if (!(e = skip_value(l, p, 0)))
				return NULL;
			r->valid |= BIT(k);
			return e;
		}
		break;
	case KIND_BOOL:
		if (*p == 't' || *p == 'f') {
			bool t = *p == 't';
			if (!(e = scan_literal(l, p, t ? "true" : "false")))
				return NULL;
			if (k == K_IMMUTABLE)
				r->immutable = t;
			else
				r->verified_ok = t;
			r->valid |= BIT(k);
			return e;
		}
		break;
	}
	/* The wrong kind of value: check its syntax, then say so. */
	if (!(e = skip_value(l, p, 0)))
		return NULL;
	lb_rec_error(l, at, "\"%s\" must be %s, found %s", lb_key_names[k], kind_desc[key_kind[k]],
		  lb_value_kind(*at));
	return e;
}

/* A key given on a record of the other kind: counted, then ignored. */
static void other_kind_keys(struct line *l, struct rec *r)
{
	unsigned other = r->seen & (r->kind == RKIND_RESTORE_TEST ? BACKUP_ONLY : TEST_ONLY);
	for (int k = 0; other && k < K_COUNT; k++) {
		if (other & BIT(k)) {
			struct str name = {lb_key_names[k], strlen(lb_key_names[k])};
			note_key(l, &name, r->key_at[k], r->kind == RKIND_RESTORE_TEST
				 ? NOTE_BACKUP_ONLY : NOTE_TEST_ONLY);
			r->valid &= ~BIT(k);
		}
	}
	if (r->kind == RKIND_BACKUP && (r->valid & BIT(K_VERIFICATION)) &&
	    r->verification == VERIFY_RESTORE_TEST) {
		struct str name = {"verification", 12};
		note_key(l, &name, r->at[K_VERIFICATION], NOTE_LEGACY);
	}
}

/* Checks that need the whole record. */
static void rec_check(struct line *l, struct rec *r, const char *open)
{
	if (!(r->seen & BIT(K_KIND)))
		r->kind = RKIND_BACKUP;
	else if (!(r->valid & BIT(K_KIND))) {
		if (*r->at[K_KIND] == 'n')
			r->kind = RKIND_BACKUP;  /* null: the default */
		else
			return;  /* reported; the other checks would guess */
	}
	bool test = r->kind == RKIND_RESTORE_TEST;
	unsigned need = REQUIRED | (test ? REQUIRED_TEST : REQUIRED_BACKUP);
	unsigned missing = need & ~r->seen;
	if (missing) {
		struct buf b = BUF_INIT;
		int n = 0;
		for (int k = 0; k < K_COUNT; k++) {
			if (missing & BIT(k))
				buf_printf(&b, "%s\"%s\"", n++ ? ", " : "", lb_key_names[k]);
		}
		lb_rec_error(l, open, "missing required key%s %s%s", n > 1 ? "s" : "", b.data,
			  test ? " (in a restore test)" : "");
		buf_free(&b);
	}
	unsigned nulls = need & ~REQUIRED & r->seen & ~r->valid;
	for (int k = 0; nulls && k < K_COUNT; k++) {
		if ((nulls & BIT(k)) && *r->at[k] == 'n')
			lb_rec_error(l, r->at[k], "\"%s\" must be %s, found null", lb_key_names[k],
				  kind_desc[key_kind[k]]);
	}
	if (test && !(r->seen & (BIT(K_TESTED_BACKUP) | BIT(K_TESTED_BACKUP_TIME))))
		lb_rec_error(l, open, "missing required key \"tested_backup\" or "
			  "\"tested_backup_time\" (a restore test names the backup it tested)");
	else if (test && !(r->valid & (BIT(K_TESTED_BACKUP) | BIT(K_TESTED_BACKUP_TIME))) &&
		 !(r->seen & BIT(K_TESTED_BACKUP) && *r->at[K_TESTED_BACKUP] != 'n') &&
		 !(r->seen & BIT(K_TESTED_BACKUP_TIME) && *r->at[K_TESTED_BACKUP_TIME] != 'n'))
		lb_rec_error(l, open, "\"tested_backup\" and \"tested_backup_time\" are both "
			  "null: a restore test names the backup it tested");
	other_kind_keys(l, r);
	if ((r->valid & BIT(K_STATUS)) && r->status != BSTATUS_RUNNING &&
	    !(r->seen & BIT(K_FINISHED)))
		lb_rec_error(l, open, "missing required key \"finished\" (required unless "
			  "\"status\" is \"running\")");
	else if ((r->valid & BIT(K_STATUS)) && r->status != BSTATUS_RUNNING &&
		 !(r->valid & BIT(K_FINISHED)) && *r->at[K_FINISHED] == 'n')
		lb_rec_error(l, r->at[K_FINISHED], "\"finished\" must be a string when "
			  "\"status\" is \"%s\", found null",
			  model_backup_status_names[r->status]);
	if ((r->valid & BIT(K_STARTED)) && (r->valid & BIT(K_FINISHED)) &&
	    r->finished < r->started)
		lb_rec_error(l, r->at[K_FINISHED], "\"finished\" is before \"started\"");
	if (test && (r->valid & BIT(K_TESTED_BACKUP_TIME)) && (r->valid & BIT(K_STARTED)) &&
	    r->tested_time > ((r->valid & BIT(K_FINISHED)) ? r->finished : r->started))
		lb_rec_error(l, r->at[K_TESTED_BACKUP_TIME], "\"tested_backup_time\" is after "
			  "the restore test: a test cannot test a later backup");
}

/* ---------------------------------------------------------------------
 * Folding records into summaries
 */

/* The datastore index of an id with the given hash, or SIZE_MAX. */
static size_t index_find(const struct job *j, const char *s, size_t len, uint64_t hash)
{
	for (size_t h = (size_t)hash & j->index_mask;; h = (h + 1) & j->index_mask) {
		const struct index_slot *e = &j->index[h];
		if (!e->len)
			return SIZE_MAX;
		if (e->len != len)
			continue;
		if (len <= INDEX_INLINE) {
			if (memcmp(e->key, s, len) == 0)
				return e->datastore;
		} else if (memcmp(e->key, s, INDEX_INLINE) == 0 &&
			   memcmp(j->m->datastores[e->datastore].id, s, len) == 0) {
			return e->datastore;
		}
	}
}

/*
 * The newest success wins; on equal times the greater id, then region,
 * encryption, compression (as stored).  Since everything stored takes part
 * in the comparison, the winner is the same in any order of folding.
 */
void lb_newest_take(int64_t *t, char *id, char *region, char *enc, char *comp,
			int64_t nt, const char *nid, const char *nregion, const char *nenc,
			const char *ncomp)
{
	if (nt == DATE_NONE || nt < *t)
		return;
	if (nt == *t) {
		int c = strcmp(nid, id);
		if (!c)
			c = strcmp(nregion, region);
		if (!c)
			c = strcmp(nenc, enc);
		if (!c)
			c = strcmp(ncomp, comp);
		if (c <= 0)
			return;
	}
	*t = nt;
	memcpy(id, nid, strlen(nid) + 1);
	memcpy(region, nregion, strlen(nregion) + 1);
	memcpy(enc, nenc, strlen(nenc) + 1);
	memcpy(comp, ncomp, strlen(ncomp) + 1);
}

static bool is_none(const struct str *s)
{
	return s->len == 0 || (s->len == 4 && memcmp(s->p, "none", 4) == 0);
}

/* A string field of r into a fixed field; "" when r has no valid value. */
static void copy_field(char *dst, size_t cap, const struct rec *r, enum key k,
		       const struct str *s)
{
	if (r->valid & BIT(k))
		copy_cut(dst, cap, s->p, s->len);
	else
		dst[0] = '\0';
}

static void fold_success(const struct job *j, struct hot *h, struct cold *c,
			 const struct rec *r)
{
	h->successes++;
	h->successes_by_type[r->type]++;
	if (!(r->valid & BIT(K_ENCRYPTION)) || is_none(&r->encryption))
		h->successes_unencrypted++;
	if ((r->valid & BIT(K_IMMUTABLE)) && r->immutable)
		h->successes_immutable++;
	bool retained = true;
	if (r->valid & BIT(K_RETENTION_DAYS)) {
		uint64_t days = r->retention_days;
		int64_t d = days > RETENTION_FOREVER ? RETENTION_FOREVER : (int64_t)days;
		if (d > h->max_retention_days)
			h->max_retention_days = d;
		retained = days > RETENTION_FOREVER ||
			   r->finished + d * SECONDS_PER_DAY > j->as_of;
	}
	if (retained && (r->valid & BIT(K_BYTES)))
		h->bytes_retained = add_sat(h->bytes_retained, r->bytes);
	if (r->finished > h->newest_success) {
		/* Strictly newer, the usual case in a log sorted by time: no tie
		 * to break, so the strings go straight into place. */
		h->newest_success = r->finished;
		copy_cut(c->newest_success_id, sizeof(c->newest_success_id), r->id.p, r->id.len);
		copy_field(c->newest_success_region, sizeof(c->newest_success_region), r,
			   K_REGION, &r->region);
		copy_field(c->newest_encryption, sizeof(c->newest_encryption), r, K_ENCRYPTION,
			   &r->encryption);
		copy_field(c->newest_compression, sizeof(c->newest_compression), r,
			   K_COMPRESSION, &r->compression);
	} else if (r->finished == h->newest_success) {
		char id[BACKUP_ID_MAX], region[BACKUP_NAME_MAX], enc[BACKUP_NAME_MAX],
			comp[BACKUP_NAME_MAX];
		copy_cut(id, sizeof(id), r->id.p, r->id.len);
		region[0] = enc[0] = comp[0] = '\0';
		if (r->valid & BIT(K_REGION))
			copy_cut(region, sizeof(region), r->region.p, r->region.len);
		if (r->valid & BIT(K_ENCRYPTION))
			copy_cut(enc, sizeof(enc), r->encryption.p, r->encryption.len);
		if (r->valid & BIT(K_COMPRESSION))
			copy_cut(comp, sizeof(comp), r->compression.p, r->compression.len);
		lb_newest_take(&h->newest_success, c->newest_success_id, c->newest_success_region,
			    c->newest_encryption, c->newest_compression, r->finished, id,
			    region, enc, comp);
	}
}

/* A backup's own verification (restore_test included: a claim about the
 * copy, not a restore-test record). */
static void fold_verification(struct hot *h, const struct rec *r, int64_t t)
{
	if (r->verified_ok) {
		if (t > h->newest_verified)
			h->newest_verified = t;
	} else {
		h->verification_failures++;
	}
}

/* A restore test at time t (at or before as-of) of datastore i. */
static void fold_test(struct worker *w, const struct rec *r, size_t i, int64_t t)
{
	const struct job *j = w->job;
	struct restore_test_summary *s = &w->tests[i * RMETHOD_COUNT + (size_t)r->method];
	if (r->status == BSTATUS_RUNNING)
		return;  /* counted in the records only */
	s->tests++;
	char id[BACKUP_ID_MAX];
	copy_cut(id, sizeof(id), r->id.p, r->id.len);
	if (r->status == BSTATUS_SUCCESS) {
		char tested[BACKUP_ID_MAX];
		copy_field(tested, sizeof(tested), r, K_TESTED_BACKUP, &r->tested_backup);
		restore_tests_take_ok(s, t, id, tested,
				      (r->valid & BIT(K_TESTED_BACKUP_TIME)) ? r->tested_time
									   : DATE_NONE,
				      (r->valid & BIT(K_LOCATION)) ? r->location : -1);
	} else {
		if (t >= j->period_start && t < j->period_end)
			s->failures_in_period++;
		restore_tests_take_failed(s, t, id);
	}
}

static int unknown_cmp(const void *a, const void *b)
{
	const struct unknown_id *x = *(const struct unknown_id *const *)a;
	const struct unknown_id *y = *(const struct unknown_id *const *)b;
	return strcmp(x->id, y->id);
}

/* Keeps the UNKNOWN_KEEP smallest ids (sorts the list). */
void lb_unknown_prune(struct unknown_ids *u)
{
	qsort(u->list, u->n, sizeof(*u->list), unknown_cmp);
	if (u->n <= UNKNOWN_KEEP)
		return;
	for (size_t i = UNKNOWN_KEEP; i < u->n; i++) {
		free(u->list[i]->id);
		free(u->list[i]);
	}
	u->n = UNKNOWN_KEEP;
	strmap_free(u->map);
	u->map = strmap_new(2 * UNKNOWN_KEEP);
	for (size_t i = 0; i < u->n; i++)
		strmap_put(u->map, u->list[i]->id, u->list[i]);
}

void lb_unknown_add(struct unknown_ids *u, const char *id, size_t len, uint64_t records)
{
	len = cut_len(id, len, BACKUP_ID_MAX - 1);
	u->records += records;
	if (!u->map)
		u->map = strmap_new(64);
	struct unknown_id *e = strmap_getn(u->map, id, len);
	if (e) {
		e->records += records;
		return;
	}
	if (u->n == u->cap) {
		u->cap = u->cap ? u->cap * 2 : 16;
		u->list = xrealloc(u->list, u->cap * sizeof(*u->list));
	}
	e = xmalloc(sizeof(*e));
	e->id = xstrndup(id, len);
	e->records = records;
	u->list[u->n++] = e;
	strmap_put(u->map, e->id, e);
	if (u->n >= 2 * UNKNOWN_KEEP)
		lb_unknown_prune(u);
}

/* Folds a valid record whose datastore index is i (SIZE_MAX: unknown). */
static void fold(struct worker *w, const struct rec *r, size_t i)
{
	const struct job *j = w->job;
	if (r->kind == RKIND_RESTORE_TEST)
		w->test_total++;
	else
		w->records++;
	if (i == SIZE_MAX) {
		lb_unknown_add(&w->unknown, r->datastore.p, r->datastore.len, 1);
		return;
	}
	int64_t t = (r->valid & BIT(K_FINISHED)) ? r->finished : r->started;
	if (r->kind == RKIND_RESTORE_TEST) {
		w->test_records[i]++;
		if (t > j->as_of)
			w->test_future[i]++;
		else
			fold_test(w, r, i, t);
		return;
	}
	if (t > j->as_of) {
		w->future[i]++;
		return;
	}
	size_t at = i * LOC_COUNT + (size_t)r->location;
	struct hot *h = &w->hot[at];
	struct cold *c = &w->cold[at];
	h->records++;
	if (r->status == BSTATUS_SUCCESS)
		fold_success(j, h, c, r);
	else if (r->status != BSTATUS_RUNNING && t >= j->period_start && t < j->period_end)
		h->failures_in_period++;
	if (r->status != BSTATUS_RUNNING && (r->valid & BIT(K_VERIFICATION)) &&
	    r->verification != VERIFY_NONE && (r->valid & BIT(K_VERIFIED_OK)))
		fold_verification(h, r, t);
}

/* Starts fetching what folding r at datastore i will touch. */
static inline __attribute__((always_inline)) void fold_prefetch(const struct worker *w, const struct rec *r, size_t i)
{
	if (i == SIZE_MAX)
		return;
	if (r->kind == RKIND_RESTORE_TEST) {
		__builtin_prefetch(&w->tests[i * RMETHOD_COUNT + (size_t)r->method], 1);
		return;
	}
	size_t at = i * LOC_COUNT + (size_t)r->location;
	__builtin_prefetch(&w->hot[at], 1);
	__builtin_prefetch((const char *)&w->hot[at] + 64, 1);
	if (r->status == BSTATUS_SUCCESS)
		__builtin_prefetch(&w->cold[at], 1);
}

static void fold_pending(struct worker *w)
{
	if (w->pending) {
		w->pending = false;
		fold(w, &w->recs[!w->cur], w->rec_index[!w->cur]);
	}
}

/* ---------------------------------------------------------------------
 * One line, one chunk
 */

static void not_an_object(struct line *l, const char *p)
{
	char fb[16];
	if (*p == '[' || *p == '"' || *p == '-' || is_digit(*p) ||
	    (*p == 't' && memcmp(p, "true", 4) == 0) ||
	    (*p == 'f' && memcmp(p, "false", 5) == 0) ||
	    (*p == 'n' && memcmp(p, "null", 4) == 0))
		lb_line_fail(l, p, "expected a JSON object, found %s", lb_value_kind(*p));
	else
		lb_line_fail(l, p, "invalid JSON: expected '{', found %s", lb_found(l, p, fb));
}

/* Scans the record l->start..l->end starting at p, and folds it when valid. */
static void line_scan(struct line *l, const char *p)
{
	char fb[16];
	struct worker *w = l->w;
	struct rec *r = &w->recs[w->cur];
	r->seen = r->valid = 0;
	r->n_unknown = 0;
	p = skip_ws(p);
	if (p == l->end)
		return;  /* blank lines are allowed */
	const char *open = p;
	if (*p != '{') {
		not_an_object(l, p);
		return;
	}
	p = skip_ws(p + 1);
	if (*p != '}') {
		for (;;) {
			if (*p != '"') {
				lb_line_fail(l, p, "invalid JSON: expected a key in double quotes, found %s",
					  lb_found(l, p, fb));
				return;
			}
			const char *kat = p;
			struct str key;
			int k = key_fast(p, &p);
			if (k == K_UNKNOWN) {
				if (!(p = scan_string(l, kat, &key)))
					return;
				k = key_find(key.p, key.len);
			}
			p = skip_ws(p);
			if (*p != ':') {
				lb_line_fail(l, p, "invalid JSON: expected ':' after a key, found %s",
					  lb_found(l, p, fb));
				return;
			}
			p = skip_ws(p + 1);
			if (k == K_UNKNOWN) {
				if (r->n_unknown == ARRAY_LEN(r->unknown))
					note_unknown_key(l, &key, kat);  /* rare */
				else {
					r->unknown[r->n_unknown] = key;
					r->unknown_at[r->n_unknown++] = kat;
				}
				p = skip_value(l, p, 0);
			} else if (r->seen & BIT(k)) {
				lb_rec_error(l, kat, "duplicate key \"%s\"", lb_key_names[k]);
				p = skip_value(l, p, 0);
			} else {
				r->seen |= BIT(k);
				r->key_at[k] = kat;
				p = key_value(l, r, (enum key)k, p);
			}
			if (!p)
				return;
			p = skip_ws(p);
			if (*p == ',') {
				p = skip_ws(p + 1);
				continue;
			}
			if (*p == '}')
				break;
			lb_line_fail(l, p, "invalid JSON: expected ',' or '}', found %s", lb_found(l, p, fb));
			return;
		}
	}
	p = skip_ws(p + 1);
	if (p != l->end) {
		lb_line_fail(l, p, "invalid JSON: %s after the end of the record", lb_found(l, p, fb));
		return;
	}
	for (size_t u = 0; u < r->n_unknown; u++)
		note_unknown_key(l, &r->unknown[u], r->unknown_at[u]);
	rec_check(l, r, open);
	if (l->bad)
		return;
	size_t i = index_find(w->job, r->datastore.p, r->datastore.len, r->datastore_hash);
	fold_prefetch(w, r, i);
	fold_pending(w);
	w->rec_index[w->cur] = i;
	w->pending = true;
	w->cur = !w->cur;
}

static void line_run(struct worker *w, struct chunk *c, uint64_t lineno, const char *s,
		     const char *nl)
{
	struct line l = {.w = w, .c = c, .lineno = lineno, .start = s, .end = nl};
	if ((size_t)(nl - s) > SOURCE_MAX_LINE) {
		lb_rec_error(&l, s, "line longer than the limit of %u bytes", SOURCE_MAX_LINE);
		return;
	}
	const char *p = s;
	if (lineno == 1 && c->start == 0 && nl - s >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		p += 3;  /* a byte-order mark */
	line_scan(&l, p);
}

/*
 * Reads the chunk in READ_BYTES pieces into the worker's buffer; an
 * unfinished line is moved to the front before the next read.  A line that
 * outgrows the limit is reported and skipped up to its newline.
 */
void lb_chunk_run(struct worker *w, struct chunk *c)
{
	const struct file *f = &w->job->files[c->file];
	char eb[128];
	int fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		c->fatal = xasprintf("cannot open file: %s", errno_text(errno, eb, sizeof(eb)));
		return;
	}
	uint64_t off = c->start, lineno = 0;
	size_t have = 0;
	bool skipping = false;
	while (off < c->end) {
		size_t want = c->end - off < READ_BYTES ? (size_t)(c->end - off) : READ_BYTES;
		ssize_t n = lb_read_at(fd, w->buf + have, want, off);
		if (n < 0) {
			c->fatal = xasprintf("cannot read file: %s",
					     errno_text(errno, eb, sizeof(eb)));
			goto out;
		}
		if ((size_t)n < want) {
			c->fatal = xstrdup("file changed while it was being read");
			goto out;
		}
		off += (uint64_t)n;
		char *p = w->buf, *end = w->buf + have + (size_t)n;
		if (off == c->end && end[-1] != '\n')
			*end++ = '\n';  /* the last line of a file may lack one */
		char *nl;
		while ((nl = memchr(p, '\n', (size_t)(end - p)))) {
			lineno++;
			if (skipping)
				skipping = false;
			else
				line_run(w, c, lineno, p, nl);
			p = nl + 1;
		}
		fold_pending(w);  /* its strings may live in buf */
		size_t rest = (size_t)(end - p);
		if (skipping) {
			have = 0;
		} else if (rest > SOURCE_MAX_LINE) {
			struct line l = {.w = w, .c = c, .lineno = lineno + 1, .start = p, .end = end};
			lb_rec_error(&l, p, "line longer than the limit of %u bytes", SOURCE_MAX_LINE);
			skipping = true;
			have = 0;
		} else {
			memmove(w->buf, p, rest);
			have = rest;
		}
	}
	c->lines = lineno;
out:
	fold_pending(w);
	close(fd);
}
