/*
 * build_format.h -- the output formats a build writes, as bits.
 *
 * A header of its own, below build, render and views: the build asks for
 * formats (build_options.formats), the renderers read the same bits
 * (render_input.formats) and neither needs the other's header for them.
 * The names keep the build's prefix, since they are the build's options.
 */
#ifndef DRGEN_BUILD_FORMAT_H
#define DRGEN_BUILD_FORMAT_H

enum build_format {
	BUILD_HTML = 1 << 0,
	BUILD_MD = 1 << 1,
	BUILD_JSON = 1 << 2,   /* evidence/results.json (always written) */
	BUILD_JUNIT = 1 << 3,  /* evidence/controls.xml */
	BUILD_PDF = 1 << 4,    /* audit/PERIOD.pdf and plan.pdf, from the HTML (pdf.h) */
	BUILD_ALL = BUILD_HTML | BUILD_MD | BUILD_JSON | BUILD_JUNIT,
};

#endif
