/* testutil.h -- what every cmocka test file includes, in the order cmocka needs. */
#ifndef DRGEN_TESTUTIL_H
#define DRGEN_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

/* The shared folder beside the repository, or NULL when absent. */
#include <stdlib.h>
#include <sys/stat.h>
static inline const char *testutil_shared_dir(void)
{
	const char *d = getenv("SHARED_DIR");
	struct stat st;
	if (d && stat(d, &st) == 0 && S_ISDIR(st.st_mode))
		return d;
	return NULL;
}

#endif
