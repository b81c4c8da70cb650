/*
 * chart_svg.c -- geometry and markup of the inline charts.
 *
 * Layout: every row of a bar chart is a text line (the label at the left,
 * the value at the right) over a bar line (the bar and its target
 * marker), so a target line or a bar never crosses a word: text and
 * graphics live in separate horizontal bands.  When the label and the
 * value do not fit side by side the value gets a line of its own; a label
 * or value wider than the chart is cut with an ellipsis (the desc element
 * always has the full data).  Text widths are estimated from the font size
 * with generous per-character widths (text_width), so an estimate is never
 * smaller than what a sans-serif font draws.
 *
 * Each chart is drawn twice, at a wide and a narrow width (class
 * chart-wide and chart-narrow, ids ID and ID-n); the stylesheet shows one
 * of them, so on a phone the numbers stay readable and on screen instead
 * of being scaled down or scrolled off.  Every text element carries its
 * font-size, so the geometry can be checked from the SVG alone.
 *
 * All coordinates are printed with one decimal so that output does not
 * depend on floating-point noise.  Colours come from CSS classes
 * (.st-ok, .st-stale, ...) defined by the page's stylesheet, so a restyled
 * template restyles the charts too; the SVG carries fallback fills for
 * viewers that show it alone.
 */
#include "chart_svg.h"

#include <math.h>
#include <string.h>

#define WIDE_W 720.0
#define NARROW_W 360.0
#define COLUMNS_WIDE_W 560.0
#define PAD 4.0
#define FONT 12.0        /* labels and values */
#define AXIS_FONT 11.0   /* axis notes and legend */
#define LINE_H 16.0      /* one text line */
#define BAR_H 14.0
#define ROW_GAP 10.0
#define TEXT_GAP 12.0    /* least space between two texts on a line */

void chart_svg_escape(struct buf *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&':
			buf_puts(out, "&amp;");
			break;
		case '<':
			buf_puts(out, "&lt;");
			break;
		case '>':
			buf_puts(out, "&gt;");
			break;
		case '"':
			buf_puts(out, "&quot;");
			break;
		case '\'':
			buf_puts(out, "&#39;");
			break;
		default:
			buf_putc(out, *s);
		}
	}
}

/* Status words are class names: keep only [a-z0-9_-]. */
static void put_class(struct buf *out, const char *status)
{
	buf_puts(out, "st-");
	if (!status || !*status) {
		buf_puts(out, "none");
		return;
	}
	for (const char *p = status; *p; p++) {
		char c = *p;
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')
			buf_putc(out, c);
		else
			buf_putc(out, '-');
	}
}

/* Fallback fill when the page's CSS is absent (the SVG opened alone). */
static const char *fallback_fill(const char *status)
{
	static const struct { const char *status, *fill; } fills[] = {
		{"ok", "#2e7d32"}, {"pass", "#2e7d32"}, {"passed", "#2e7d32"},
		{"late", "#b26a00"}, {"partial", "#b26a00"}, {"attest", "#6a1b9a"},
		{"stale", "#c62828"}, {"fail", "#c62828"}, {"failed", "#c62828"},
		{"never", "#7f0000"}, {"no_data", "#616161"}, {"waived", "#1565c0"},
		{"alternative", "#1565c0"},
		{"n/a", "#9e9e9e"},
	};
	for (size_t i = 0; status && i < ARRAY_LEN(fills); i++) {
		if (strcmp(fills[i].status, status) == 0)
			return fills[i].fill;
	}
	return "#37474f";
}

/* ---- text ---------------------------------------------------------------- */

/* Width of one character in em, on the generous side for sans-serif fonts. */
static double char_em(unsigned char c)
{
	if (c >= 0xC0)
		return 1.0;               /* a multi-byte character: as wide as "M" */
	if (c == ' ')
		return 0.33;
	if (strchr("iljtfr.,:;'!|()[]", c))
		return 0.42;
	if (c == 'm' || c == 'w')
		return 0.92;
	if (c == 'M' || c == 'W' || c == '%' || c == '@')
		return 1.0;
	if (c >= 'A' && c <= 'Z')
		return 0.76;
	return 0.62;
}

/* Estimated width of the first len bytes of s at font size font. */
static double text_width_n(const char *s, size_t len, double font)
{
	double em = 0;
	for (size_t i = 0; s && i < len && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x80 && c < 0xC0)
			continue;         /* continuation byte */
		em += char_em(c);
	}
	return em * font;
}

static double text_width(const char *s, double font)
{
	return text_width_n(s, s ? strlen(s) : 0, font);
}

/*
 * Copies s into t, cut at a character boundary with "…" so that it is at
 * most max wide.  Returns the width of what was copied.
 */
static double fit_text(struct buf *t, const char *s, double font, double max)
{
	const char *ellipsis = "\xE2\x80\xA6";
	size_t len = s ? strlen(s) : 0, end = 0;
	double ell = text_width(ellipsis, font);
	buf_reset(t);
	if (text_width(s, font) <= max) {
		buf_puts(t, s ? s : "");
		return text_width(s, font);
	}
	for (size_t i = 1; i <= len; i++) {
		if (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
			continue;
		if (text_width_n(s, i, font) + ell > max)
			break;
		end = i;
	}
	buf_append(t, s, end);
	buf_puts(t, ellipsis);
	return text_width_n(s, end, font) + ell;
}

/* One text element; anchor NULL for start. */
static void put_text(struct buf *out, double x, double y, const char *anchor, const char *cls,
		     double font, const char *s)
{
	buf_printf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.0f\"", x, y, font);
	if (anchor)
		buf_printf(out, " text-anchor=\"%s\"", anchor);
	buf_printf(out, " class=\"%s\">", cls);
	chart_svg_escape(out, s);
	buf_puts(out, "</text>");
}

/*
 * Words of s in lines at most max wide, one text element each, starting
 * at baseline y; returns the baseline after the last line.
 */
static double put_wrapped(struct buf *out, double x, double y, double max, const char *cls,
			  double font, const char *s)
{
	struct buf line = BUF_INIT, cut = BUF_INIT;
	const char *p = s ? s : "";
	while (*p) {
		const char *sp = strchr(p, ' ');
		size_t wl = sp ? (size_t)(sp - p) : strlen(p);
		struct buf cand = BUF_INIT;
		if (line.len)
			buf_printf(&cand, "%s ", line.data);
		buf_append(&cand, p, wl);
		if (line.len && text_width(cand.data, font) > max) {
			fit_text(&cut, line.data, font, max);
			put_text(out, x, y, NULL, cls, font, cut.data);
			y += font + 4;
			buf_reset(&line);
			buf_append(&line, p, wl);
		} else {
			buf_reset(&line);
			buf_puts(&line, cand.data);
		}
		buf_free(&cand);
		p += wl;
		while (*p == ' ')
			p++;
	}
	if (line.len) {
		fit_text(&cut, line.data, font, max);
		put_text(out, x, y, NULL, cls, font, cut.data);
		y += font + 4;
	}
	buf_free(&line);
	buf_free(&cut);
	return y;
}

/*
 * The text line(s) of one row: label at the left, value at the right, on
 * one line when both fit, else on two.  y is the top of the row; returns
 * the top of the bar line.
 */
static double put_row_text(struct buf *out, double y, double width, const char *label,
			   const char *value)
{
	struct buf l = BUF_INIT, v = BUF_INIT;
	double room = width - 2 * PAD;
	double lw = fit_text(&l, label, FONT, room);
	double vw = fit_text(&v, value, FONT, room);
	double base = y + FONT;
	put_text(out, PAD, base, NULL, "label", FONT, l.data);
	if (lw + TEXT_GAP + vw > room)
		base += LINE_H;
	put_text(out, width - PAD, base, "end", "value", FONT, v.data);
	buf_free(&l);
	buf_free(&v);
	return base + 5;
}

/* ---- frame --------------------------------------------------------------- */

struct variant {
	const char *cls;     /* chart-wide, chart-narrow */
	const char *suffix;  /* appended to the id */
	double width;
};

static const struct variant variants[] = {
	{"chart-wide", "", WIDE_W},
	{"chart-narrow", "-n", NARROW_W},
};

/*
 * The svg element.  Its height is only known once the rows are drawn, so
 * the body is drawn first into `body` and wrapped here.  font-size="12"
 * on the root: the stylesheet sets the sizes in browsers (CSS wins over a
 * presentation attribute), but a renderer that does not apply the page's
 * CSS inside SVG (WeasyPrint, for --format pdf) would take 16 and push
 * labels past the viewBox, where they are clipped.
 */
static void put_svg(struct buf *out, const char *id, const struct variant *var, double width,
		    const char *title, const char *desc, double height, const struct buf *body)
{
	buf_printf(out,
		   "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart %s\" role=\"img\" "
		   "viewBox=\"0 0 %.1f %.1f\" width=\"100%%\" preserveAspectRatio=\"xMinYMin meet\" "
		   "font-size=\"12\" aria-labelledby=\"%s%s-title %s%s-desc\">",
		   var->cls, width, height, id, var->suffix, id, var->suffix);
	buf_printf(out, "<title id=\"%s%s-title\">", id, var->suffix);
	chart_svg_escape(out, title);
	buf_printf(out, "</title><desc id=\"%s%s-desc\">", id, var->suffix);
	chart_svg_escape(out, desc);
	buf_puts(out, "</desc>");
	if (body->data)
		buf_append(out, body->data, body->len);
	buf_puts(out, "</svg>");
}

static double scale_value(double v, double max, int log_scale)
{
	if (!(v > 0) || !(max > 0))
		return 0;
	if (log_scale)
		return log10(1 + v) / log10(1 + max);
	return v / max;
}

/* ---- bars ---------------------------------------------------------------- */

/*
 * Diagonal white stripes over a bar of width w at (x, top): the mark of a
 * value that does not exist (no pattern, so no url() reference in the page).
 */
static void put_hatch(struct buf *out, double x, double top, double w)
{
	buf_puts(out, "<path class=\"hatch\" fill=\"none\" stroke=\"#ffffff\" "
		      "stroke-opacity=\"0.6\" stroke-width=\"3\" d=\"");
	for (double sx = x; sx + BAR_H <= x + w; sx += 10)
		buf_printf(out, "M%.1f %.1fl%.1f %.1f", sx, top + BAR_H, BAR_H, -BAR_H);
	buf_puts(out, "\"/>");
}

static void draw_bars(struct buf *out, const char *id, const struct variant *var,
		      const char *title, const char *desc, const struct chart_bar *bars, size_t n,
		      const char *axis_label, int log_scale)
{
	double max = 0, W = var->width, plot_w = W - 2 * PAD, y = 4;
	struct buf body = BUF_INIT, value = BUF_INIT;
	bool any_missing = false;

	for (size_t i = 0; i < n; i++) {
		if (bars[i].value > max)
			max = bars[i].value;
		if (!isnan(bars[i].target) && bars[i].target > max)
			max = bars[i].target;
		any_missing = any_missing || bars[i].missing;
	}

	for (size_t i = 0; i < n; i++) {
		const struct chart_bar *b = &bars[i];
		double w = b->missing ? plot_w : plot_w * scale_value(b->value, max, log_scale);
		buf_reset(&value);
		buf_puts(&value, b->value_text ? b->value_text : "");
		if (b->status && !b->missing) {
			buf_printf(&value, " (%s", b->status);
			if (b->note && *b->note)
				buf_printf(&value, ": %s", b->note);
			buf_putc(&value, ')');
		}
		buf_puts(&body, "<g class=\"bar ");
		put_class(&body, b->status);
		if (b->missing)
			buf_puts(&body, " missing");
		buf_puts(&body, "\">");
		double top = put_row_text(&body, y, W, b->label, value.data);
		buf_printf(&body, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
				  "fill=\"%s\"/>",
			   PAD, top, w < 1 && b->value > 0 ? 1.0 : w, BAR_H, fallback_fill(b->status));
		if (b->missing)
			buf_printf(&body, "<rect class=\"outline\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
					  "height=\"%.1f\" fill=\"none\" stroke=\"#111111\" "
					  "stroke-width=\"1\" stroke-dasharray=\"4 2\"/>",
				   PAD, top, w, BAR_H);
		if (b->missing)
			put_hatch(&body, PAD, top, w);
		if (!isnan(b->target)) {
			double tx = PAD + plot_w * scale_value(b->target, max, log_scale);
			buf_printf(&body, "<line class=\"target\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
					  "y2=\"%.1f\" stroke=\"#111\" stroke-width=\"2\" "
					  "stroke-dasharray=\"3 2\"/>",
				   tx, tx, top - 1, top + BAR_H + 1);
		}
		buf_puts(&body, "</g>");
		y = top + BAR_H + ROW_GAP;
	}
	buf_reset(&value);
	buf_puts(&value, axis_label ? axis_label : "");
	buf_puts(&value, log_scale ? " (logarithmic scale; dashed line: target"
				   : " (dashed line: target");
	buf_puts(&value, any_missing ? "; striped full bar: no copy ever)" : ")");
	y = put_wrapped(&body, PAD, y + AXIS_FONT, W - 2 * PAD, "axis", AXIS_FONT, value.data);
	put_svg(out, id, var, W, title, desc, y, &body);
	buf_free(&body);
	buf_free(&value);
}

void chart_svg_bars(struct buf *out, const char *id, const char *title, const char *desc,
		    const struct chart_bar *bars, size_t n, const char *axis_label,
		    int log_scale)
{
	for (size_t v = 0; v < ARRAY_LEN(variants); v++)
		draw_bars(out, id, &variants[v], title, desc, bars, n, axis_label, log_scale);
}

/* ---- columns ------------------------------------------------------------- */

static void draw_columns(struct buf *out, const char *id, const struct variant *var,
			 double W, const char *title, const char *desc,
			 const struct chart_bar *bars, size_t n)
{
	double max = 0;
	const double plot_h = 150, top = 24;
	double pitch = n ? (W - 2 * PAD) / (double)n : W;
	double col_w = pitch * 0.7 < 90 ? pitch * 0.7 : 90;
	struct buf body = BUF_INIT, t = BUF_INIT;

	for (size_t i = 0; i < n; i++) {
		if (bars[i].value > max)
			max = bars[i].value;
	}
	for (size_t i = 0; i < n; i++) {
		const struct chart_bar *b = &bars[i];
		double h = plot_h * scale_value(b->value, max, 0);
		double cx = PAD + pitch * ((double)i + 0.5);
		double y = top + plot_h - h;
		buf_puts(&body, "<g class=\"column ");
		put_class(&body, b->status);
		buf_printf(&body, "\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
				  "fill=\"%s\"/>",
			   cx - col_w / 2, y, col_w, h, fallback_fill(b->status));
		fit_text(&t, b->value_text, FONT, pitch - TEXT_GAP);
		put_text(&body, cx, y - 6, "middle", "value", FONT, t.data);
		fit_text(&t, b->label, FONT, pitch - TEXT_GAP);
		put_text(&body, cx, top + plot_h + 20, "middle", "label", FONT, t.data);
		buf_puts(&body, "</g>");
	}
	put_svg(out, id, var, W, title, desc, plot_h + top + 30, &body);
	buf_free(&body);
	buf_free(&t);
}

void chart_svg_columns(struct buf *out, const char *id, const char *title, const char *desc,
		       const struct chart_bar *bars, size_t n)
{
	for (size_t v = 0; v < ARRAY_LEN(variants); v++) {
		double W = variants[v].width < COLUMNS_WIDE_W ? variants[v].width : COLUMNS_WIDE_W;
		draw_columns(out, id, &variants[v], W, title, desc, bars, n);
	}
}

/* ---- stacked ------------------------------------------------------------- */

static void draw_stacked(struct buf *out, const char *id, const struct variant *var,
			 const char *title, const char *desc, const struct chart_stack *rows,
			 size_t n)
{
	double W = var->width, plot_w = W - 2 * PAD, y = 4;
	struct buf body = BUF_INIT, value = BUF_INIT;
	/* The legend lists each status once, in order of first appearance. */
	const char *legend[16];
	size_t n_legend = 0;

	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < rows[i].n_segments; k++) {
			const char *s = rows[i].segments[k].status;
			size_t j;
			for (j = 0; j < n_legend; j++) {
				if (strcmp(legend[j], s) == 0)
					break;
			}
			if (j == n_legend && n_legend < ARRAY_LEN(legend))
				legend[n_legend++] = s;
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct chart_stack *r = &rows[i];
		double total = 0, x = PAD;
		for (size_t k = 0; k < r->n_segments; k++)
			total += r->segments[k].value;
		buf_reset(&value);
		for (size_t k = 0, shown = 0; k < r->n_segments; k++) {
			if (r->segments[k].value <= 0)
				continue;
			buf_printf(&value, "%s%.0f %s", shown++ ? ", " : "", r->segments[k].value,
				   r->segments[k].status);
		}
		buf_puts(&body, "<g class=\"stack\">");
		double top = put_row_text(&body, y, W, r->label, value.data ? value.data : "");
		for (size_t k = 0; k < r->n_segments && total > 0; k++) {
			const struct chart_segment *s = &r->segments[k];
			double w = plot_w * s->value / total;
			if (w <= 0)
				continue;
			buf_puts(&body, "<rect class=\"");
			put_class(&body, s->status);
			buf_printf(&body, "\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
					  "fill=\"%s\"><title>",
				   x, top, w, BAR_H, fallback_fill(s->status));
			chart_svg_escape(&body, s->status);
			buf_printf(&body, ": %.0f</title></rect>", s->value);
			x += w;
		}
		buf_puts(&body, "</g>");
		y = top + BAR_H + ROW_GAP;
	}
	/* Legend entries left to right, wrapping at the chart's width. */
	double ly = y + AXIS_FONT, lx = PAD;
	for (size_t j = 0; j < n_legend; j++) {
		double w = 16 + text_width(legend[j], AXIS_FONT);
		if (lx > PAD && lx + w > W - PAD) {
			lx = PAD;
			ly += AXIS_FONT + 8;
		}
		buf_puts(&body, "<g class=\"legend\"><rect class=\"");
		put_class(&body, legend[j]);
		buf_printf(&body, "\" x=\"%.1f\" y=\"%.1f\" width=\"11\" height=\"11\" fill=\"%s\"/>",
			   lx, ly - 10, fallback_fill(legend[j]));
		put_text(&body, lx + 16, ly, NULL, "axis", AXIS_FONT, legend[j]);
		buf_puts(&body, "</g>");
		lx += w + TEXT_GAP;
	}
	put_svg(out, id, var, W, title, desc, ly + 6, &body);
	buf_free(&body);
	buf_free(&value);
}

void chart_svg_stacked(struct buf *out, const char *id, const char *title, const char *desc,
		       const struct chart_stack *rows, size_t n)
{
	for (size_t v = 0; v < ARRAY_LEN(variants); v++)
		draw_stacked(out, id, &variants[v], title, desc, rows, n);
}
