/*
 * chart_svg.h -- small inline SVG charts for the HTML documents.
 *
 * Charts are drawn in C because their geometry is arithmetic, not policy;
 * what they show (which rows, which order, which status) is decided by the
 * view builders.  Every chart is an accessible image: role="img", a
 * <title> and a <desc> that states the data in words, and each bar carries
 * its value and status as text, so nothing is told by colour alone.  Output
 * is deterministic (fixed decimals, no ids from addresses).
 */
#ifndef DRGEN_CHART_SVG_H
#define DRGEN_CHART_SVG_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* One horizontal bar, with an optional target marker. */
struct chart_bar {
	const char *label;       /* left of the bar */
	double value;            /* bar length, in the chart's unit */
	double target;           /* marker position; NAN for none */
	const char *value_text;  /* printed after the bar ("42 min") */
	const char *status;      /* CSS class suffix and word ("ok", "stale"); may be NULL */
	const char *note;        /* after the status: "(fail: integrity)"; may be NULL */
	bool missing;            /* no value at all: a full-width hatched bar, value_text alone */
};

/*
 * Every chart is written twice, as two svg elements: class "chart-wide"
 * (id) and "chart-narrow" (id "-n"), for the stylesheet to show one.
 *
 * Horizontal bars scaled to the largest value or target.  With log_scale
 * the axis is logarithmic (ages range from minutes to weeks).  id must be
 * unique within the page (it names the title and desc elements).
 */
void chart_svg_bars(struct buf *out, const char *id, const char *title, const char *desc,
		    const struct chart_bar *bars, size_t n, const char *axis_label,
		    int log_scale);

/* One segment of a stacked bar. */
struct chart_segment {
	const char *status;      /* "pass", "fail", ...: class and legend word */
	double value;
};

struct chart_stack {
	const char *label;
	const struct chart_segment *segments;
	size_t n_segments;
};

/* Stacked 100 % bars, one per row, with a legend of the statuses used. */
void chart_svg_stacked(struct buf *out, const char *id, const char *title, const char *desc,
		       const struct chart_stack *rows, size_t n);

/* Vertical columns (e.g. services per tier). */
void chart_svg_columns(struct buf *out, const char *id, const char *title, const char *desc,
		       const struct chart_bar *bars, size_t n);

/* XML text escaping for SVG (and anything else written by hand). */
void chart_svg_escape(struct buf *out, const char *s);

#endif
