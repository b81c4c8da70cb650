/*
 * chart_svg.c -- geometry and markup of the inline charts.
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

#define LABEL_W 190.0
#define BAR_H 18.0
#define ROW_H 26.0
#define CHART_W 720.0
#define VALUE_W 110.0

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
		{"n/a", "#9e9e9e"},
	};
	for (size_t i = 0; status && i < ARRAY_LEN(fills); i++) {
		if (strcmp(fills[i].status, status) == 0)
			return fills[i].fill;
	}
	return "#37474f";
}

/* font-size="12" on the root: the stylesheet sets the sizes in browsers
 * (CSS wins over a presentation attribute), but a renderer that does not
 * apply the page's CSS inside SVG (WeasyPrint, for --format pdf) would take
 * 16 and push labels past the viewBox, where they are clipped. */
static void open_svg(struct buf *out, const char *id, const char *title, const char *desc,
		     double width, double height)
{
	buf_printf(out,
		   "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" "
		   "viewBox=\"0 0 %.1f %.1f\" width=\"100%%\" preserveAspectRatio=\"xMinYMin meet\" "
		   "font-size=\"12\" aria-labelledby=\"%s-title %s-desc\">",
		   width, height, id, id);
	buf_printf(out, "<title id=\"%s-title\">", id);
	chart_svg_escape(out, title);
	buf_printf(out, "</title><desc id=\"%s-desc\">", id);
	chart_svg_escape(out, desc);
	buf_puts(out, "</desc>");
}

static double scale_value(double v, double max, int log_scale)
{
	if (!(v > 0) || !(max > 0))
		return 0;
	if (log_scale)
		return log10(1 + v) / log10(1 + max);
	return v / max;
}

void chart_svg_bars(struct buf *out, const char *id, const char *title, const char *desc,
		    const struct chart_bar *bars, size_t n, const char *axis_label,
		    int log_scale)
{
	double max = 0;
	for (size_t i = 0; i < n; i++) {
		if (bars[i].value > max)
			max = bars[i].value;
		if (!isnan(bars[i].target) && bars[i].target > max)
			max = bars[i].target;
	}
	double plot_w = CHART_W - LABEL_W - VALUE_W;
	double height = ROW_H * (double)n + 34;
	open_svg(out, id, title, desc, CHART_W, height);
	for (size_t i = 0; i < n; i++) {
		const struct chart_bar *b = &bars[i];
		double y = 6 + ROW_H * (double)i;
		double w = plot_w * scale_value(b->value, max, log_scale);
		buf_printf(out, "<g class=\"bar ");
		put_class(out, b->status);
		buf_printf(out, "\"><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" class=\"label\">",
			   LABEL_W - 8, y + BAR_H - 5);
		chart_svg_escape(out, b->label);
		buf_printf(out, "</text><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
				"fill=\"%s\"/>",
			   LABEL_W, y, w < 1 && b->value > 0 ? 1.0 : w, BAR_H,
			   fallback_fill(b->status));
		if (!isnan(b->target)) {
			double tx = LABEL_W + plot_w * scale_value(b->target, max, log_scale);
			buf_printf(out, "<line class=\"target\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
					"y2=\"%.1f\" stroke=\"#111\" stroke-width=\"2\" "
					"stroke-dasharray=\"3 2\"/>",
				   tx, tx, y - 3, y + BAR_H + 3);
		}
		buf_printf(out, "<text x=\"%.1f\" y=\"%.1f\" class=\"value\">",
			   LABEL_W + w + 6, y + BAR_H - 5);
		chart_svg_escape(out, b->value_text);
		if (b->status) {
			buf_puts(out, " (");
			chart_svg_escape(out, b->status);
			buf_putc(out, ')');
		}
		buf_puts(out, "</text></g>");
	}
	double axis_y = 6 + ROW_H * (double)n + 16;
	buf_printf(out, "<text x=\"%.1f\" y=\"%.1f\" class=\"axis\">", LABEL_W, axis_y);
	chart_svg_escape(out, axis_label);
	if (log_scale)
		buf_puts(out, " (logarithmic scale; dashed line: target)");
	else
		buf_puts(out, " (dashed line: target)");
	buf_puts(out, "</text></svg>");
}

void chart_svg_columns(struct buf *out, const char *id, const char *title, const char *desc,
		       const struct chart_bar *bars, size_t n)
{
	double max = 0;
	for (size_t i = 0; i < n; i++) {
		if (bars[i].value > max)
			max = bars[i].value;
	}
	const double plot_h = 150, col_w = 90, gap = 40, top = 24;
	double width = gap + (col_w + gap) * (double)n;
	open_svg(out, id, title, desc, width, plot_h + top + 44);
	for (size_t i = 0; i < n; i++) {
		const struct chart_bar *b = &bars[i];
		double h = plot_h * scale_value(b->value, max, 0);
		double x = gap + (col_w + gap) * (double)i;
		double y = top + plot_h - h;
		buf_puts(out, "<g class=\"column ");
		put_class(out, b->status);
		buf_printf(out, "\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
				"fill=\"%s\"/>",
			   x, y, col_w, h, fallback_fill(b->status));
		buf_printf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"value\">",
			   x + col_w / 2, y - 6);
		chart_svg_escape(out, b->value_text);
		buf_printf(out, "</text><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
				"class=\"label\">",
			   x + col_w / 2, top + plot_h + 20);
		chart_svg_escape(out, b->label);
		buf_puts(out, "</text></g>");
	}
	buf_puts(out, "</svg>");
}

void chart_svg_stacked(struct buf *out, const char *id, const char *title, const char *desc,
		       const struct chart_stack *rows, size_t n)
{
	double plot_w = CHART_W - LABEL_W - VALUE_W;
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
	double height = ROW_H * (double)n + 40;
	open_svg(out, id, title, desc, CHART_W, height);
	for (size_t i = 0; i < n; i++) {
		const struct chart_stack *r = &rows[i];
		double y = 6 + ROW_H * (double)i, total = 0, x = LABEL_W;
		for (size_t k = 0; k < r->n_segments; k++)
			total += r->segments[k].value;
		buf_printf(out, "<g class=\"stack\"><text x=\"%.1f\" y=\"%.1f\" "
				"text-anchor=\"end\" class=\"label\">",
			   LABEL_W - 8, y + BAR_H - 5);
		chart_svg_escape(out, r->label);
		buf_puts(out, "</text>");
		for (size_t k = 0; k < r->n_segments && total > 0; k++) {
			const struct chart_segment *s = &r->segments[k];
			double w = plot_w * s->value / total;
			if (w <= 0)
				continue;
			buf_puts(out, "<rect class=\"");
			put_class(out, s->status);
			buf_printf(out, "\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
					"fill=\"%s\"><title>",
				   x, y, w, BAR_H, fallback_fill(s->status));
			chart_svg_escape(out, s->status);
			buf_printf(out, ": %.0f</title></rect>", s->value);
			x += w;
		}
		buf_printf(out, "<text x=\"%.1f\" y=\"%.1f\" class=\"value\">",
			   LABEL_W + plot_w + 6, y + BAR_H - 5);
		for (size_t k = 0, shown = 0; k < r->n_segments; k++) {
			if (r->segments[k].value <= 0)
				continue;
			buf_printf(out, "%s%.0f ", shown++ ? ", " : "", r->segments[k].value);
			chart_svg_escape(out, r->segments[k].status);
		}
		buf_puts(out, "</text></g>");
	}
	double ly = 6 + ROW_H * (double)n + 14, lx = LABEL_W;
	for (size_t j = 0; j < n_legend; j++) {
		buf_puts(out, "<g class=\"legend\"><rect class=\"");
		put_class(out, legend[j]);
		buf_printf(out, "\" x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>"
				"<text x=\"%.1f\" y=\"%.1f\" class=\"axis\">",
			   lx, ly - 10, fallback_fill(legend[j]), lx + 16, ly);
		chart_svg_escape(out, legend[j]);
		buf_puts(out, "</text></g>");
		lx += 24 + 8.0 * (double)strlen(legend[j]);
	}
	buf_puts(out, "</svg>");
}
