/*
 * pdf.c -- PDF/A-3b through WeasyPrint, as child processes (pdf.h).
 *
 * The engine is WeasyPrint's Python library, driven by the short script
 * below (passed with `python3 -I -c`, so no file of drgen's has to be
 * installed next to it and no PYTHON* variable or user site changes what
 * runs).  The interpreter is the one of the weasyprint program's #! line,
 * which is the one WeasyPrint is installed for.  Each child gets /dev/null
 * as input, its own process group (so a timeout kills everything it
 * started; it is killed too if drgen dies), and two pipes: the PDF comes
 * back on stdout, messages on
 * stderr; the last few KiB of those are quoted when it fails.  Every
 * descriptor drgen holds is O_CLOEXEC, so the child inherits none.
 */
#include "pdf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define PDF_PACKAGE "weasyprint"
#define STDERR_KEEP 4096
/* The script's exit status when it cannot import WeasyPrint. */
#define EXIT_NO_ENGINE 97

/* argv: HTML file, PDF identifier, attachments... */
static const char pdf_script[] =
	"import sys, os, logging\n"
	"try:\n"
	"    import weasyprint, pydyf\n"
	"except Exception as e:\n"
	"    sys.stderr.write('cannot import weasyprint: %s\\n' % e)\n"
	"    sys.exit(97)\n"
	"html_path, ident = sys.argv[1], sys.argv[2]\n"
	"allowed = {}\n"
	"for a in sys.argv[3:]:\n"
	"    allowed['file://' + os.path.abspath(a)] = a\n"
	"refused = []\n"
	"def fetch(url, timeout=10, ssl_context=None):\n"
	"    if url in allowed:\n"
	"        return {'file_obj': open(allowed[url], 'rb'),\n"
	"                'mime_type': 'application/octet-stream'}\n"
	"    if url.startswith('data:'):\n"
	"        return weasyprint.default_url_fetcher(url)\n"
	"    refused.append(url)\n"
	"    raise ValueError('drgen fetches nothing for a PDF')\n"
	"logging.getLogger('weasyprint').setLevel(logging.CRITICAL)\n"
	"with open(html_path, 'rb') as f:\n"
	"    html = f.read().decode('utf-8')\n"
	"doc = weasyprint.HTML(string=html, url_fetcher=fetch).render()\n"
	"MIME = {'.json': '/application#2Fjson', '.csv': '/text#2Fcsv'}\n"
	"def finisher(document, pdf):\n"
	"    af = pydyf.Array()\n"
	"    for o in pdf.objects:\n"
	"        if isinstance(o, dict) and o.get('Type') == '/Filespec':\n"
	"            o['AFRelationship'] = '/Data'\n"
	"            af.append(o.reference)\n"
	"            name = str(o['UF'].string)\n"
	"            o['F'] = pydyf.String(name)\n"
	"            n = int(o['EF']['F'].split()[0])\n"
	"            pdf.objects[n].extra['Subtype'] = MIME.get(\n"
	"                os.path.splitext(name)[1], '/application#2Foctet-stream')\n"
	"    if len(af):\n"
	"        pdf.catalog['AF'] = af\n"
	"atts = [weasyprint.Attachment(url=u, url_fetcher=fetch,\n"
	"                              description=os.path.basename(a))\n"
	"        for u, a in allowed.items()]\n"
	"out = doc.write_pdf(attachments=atts, variant='pdf/a-3b',\n"
	"                    identifier=ident.encode(), finisher=finisher)\n"
	"for u in refused:\n"
	"    sys.stderr.write('refused %s\\n' % u[:200].encode('unicode_escape').decode())\n"
	"sys.stdout.buffer.write(out)\n";

struct pdf_engine {
	char *program;      /* the weasyprint program */
	char *interpreter;  /* from its #! line */
};

void pdf_engine_free(struct pdf_engine *e)
{
	if (!e)
		return;
	free(e->program);
	free(e->interpreter);
	free(e);
}

static bool executable(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

static char *find_on_path(const char *name)
{
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	char *copy = xstrdup(path), *save = NULL;
	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char *full = xasprintf("%s/%s", *dir ? dir : ".", name);
		if (executable(full)) {
			free(copy);
			return full;
		}
		free(full);
	}
	free(copy);
	return NULL;
}

/* The interpreter of a "#!/usr/bin/python3" first line, or NULL. */
static char *shebang(const char *program)
{
	char line[512];
	FILE *f = fopen(program, "re");
	if (!f)
		return NULL;
	char *got = fgets(line, sizeof(line), f);
	fclose(f);
	if (!got || line[0] != '#' || line[1] != '!')
		return NULL;
	char *s = line + 2;
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strcspn(s, " \t\r\n");
	if (n == 0)
		return NULL;
	s[n] = '\0';
	/* "#!/usr/bin/env python3": the interpreter is found on PATH. */
	if (strcmp(s, "/usr/bin/env") == 0) {
		char *arg = s + n + 1;
		while (*arg == ' ' || *arg == '\t')
			arg++;
		arg[strcspn(arg, " \t\r\n")] = '\0';
		return *arg ? find_on_path(arg) : NULL;
	}
	return executable(s) ? xstrdup(s) : NULL;
}

struct pdf_engine *pdf_engine_find(struct diags *d)
{
	const char *given = getenv("DRGEN_WEASYPRINT");
	char *program = given && *given ? (executable(given) ? xstrdup(given) : NULL)
					: find_on_path("weasyprint");
	char *interp = program ? shebang(program) : NULL;
	if (!program || !interp) {
		diag_error(d, NULL, 0, 0,
			   "--format pdf needs WeasyPrint, which %s: install the Debian package "
			   "\"" PDF_PACKAGE "\" (apt-get install " PDF_PACKAGE ", or `make deps`)",
			   !program ? (given && *given ? "is not at DRGEN_WEASYPRINT"
					  : "is not on PATH")
				    : "has no usable #! interpreter line");
		free(program);
		free(interp);
		return NULL;
	}
	struct pdf_engine *e = xcalloc(1, sizeof(*e));
	e->program = program;
	e->interpreter = interp;
	return e;
}

/* One child at work. */
struct child {
	const struct pdf_job *job;
	pid_t pid;
	int out_fd, err_fd;  /* -1 once at end of file */
	struct buf out;
	char err[STDERR_KEEP + 1];
	size_t err_len;
	int status;
	bool done, too_big;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int timeout_seconds(void)
{
	const char *s = getenv("DRGEN_PDF_TIMEOUT");
	char *end;
	long v = s && *s ? strtol(s, &end, 10) : 0;
	return s && *s && *end == '\0' && v > 0 && v < 86400 ? (int)v : PDF_TIMEOUT_DEFAULT;
}

static bool spawn(const struct pdf_engine *e, struct child *c, const char *html,
		  const char *const *atts, size_t n_atts, struct diags *d)
{
	int out[2], err[2];
	if (pipe2(out, O_CLOEXEC) != 0)
		goto fail;
	if (pipe2(err, O_CLOEXEC) != 0) {
		close(out[0]);
		close(out[1]);
		goto fail;
	}
	const char **argv = xcalloc(n_atts + 7, sizeof(*argv));
	size_t k = 0;
	argv[k++] = e->interpreter;
	argv[k++] = "-I";
	argv[k++] = "-c";
	argv[k++] = pdf_script;
	argv[k++] = html;
	argv[k++] = c->job->identifier ? c->job->identifier : "drgen";
	for (size_t i = 0; i < n_atts; i++)
		argv[k++] = atts[i];
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		setpgid(0, 0);
		/* dies with drgen (an interrupted build leaves no engine behind) */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(125);
		if (null < 0 || dup2(null, 0) < 0 || dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0)
			_exit(126);
		signal(SIGPIPE, SIG_DFL);
		execv(e->interpreter, (char *const *)argv);
		_exit(127);
	}
	free(argv);
	close(out[1]);
	close(err[1]);
	if (pid < 0) {
		close(out[0]);
		close(err[0]);
		goto fail;
	}
	setpgid(pid, pid);  /* also here: no race with the kill below */
	c->pid = pid;
	c->out_fd = out[0];
	c->err_fd = err[0];
	return true;
fail:
	diag_error(d, NULL, 0, 0, "cannot start the PDF engine for %s: %s", c->job->pdf,
		   strerror(errno));
	return false;
}

/* Reads what fd has; false at end of file or on an error. */
static bool drain(struct child *c, int fd)
{
	char chunk[65536];
	ssize_t n = read(fd, chunk, sizeof(chunk));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	if (fd == c->out_fd) {
		if (c->out.len + (size_t)n > PDF_MAX_BYTES)
			c->too_big = true;
		else
			buf_append(&c->out, chunk, (size_t)n);
	} else {
		/* keep the last STDERR_KEEP bytes */
		size_t m = (size_t)n;
		if (m >= STDERR_KEEP) {
			memcpy(c->err, chunk + m - STDERR_KEEP, STDERR_KEEP);
			c->err_len = STDERR_KEEP;
		} else {
			if (c->err_len + m > STDERR_KEEP) {
				size_t drop = c->err_len + m - STDERR_KEEP;
				memmove(c->err, c->err + drop, c->err_len - drop);
				c->err_len -= drop;
			}
			memcpy(c->err + c->err_len, chunk, m);
			c->err_len += m;
		}
		c->err[c->err_len] = '\0';
	}
	return true;
}

/* The engine's messages as diagnostics: refused URLs are warnings. */
static void report_stderr(const struct child *c, bool failed, struct diags *d)
{
	char *copy = xstrdup(c->err), *save = NULL;
	struct buf rest = BUF_INIT;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "refused ", 8) == 0) {
			diag_add(d, DIAG_WARNING, c->job->html, 0, 0, NULL,
				 "the PDF engine was kept from loading %s (drgen fetches nothing "
				 "for a PDF)", line + 8);
		} else if (failed) {
			if (rest.len)
				buf_puts(&rest, " | ");
			buf_puts(&rest, line);
		}
	}
	if (failed && rest.len) {
		/* the last line says most: quote the tail */
		const char *tail = rest.data;
		if (rest.len > 600)
			tail = rest.data + rest.len - 600;
		diag_add(d, DIAG_NOTE, NULL, 0, 0, NULL, "WeasyPrint said: %s", tail);
	}
	buf_free(&rest);
	free(copy);
}

int pdf_render(const struct pdf_engine *e, struct publish *p, const struct pdf_job *jobs,
	       size_t n_jobs, const char *const *attachments, size_t n_attachments,
	       struct diags *d)
{
	struct child *c = xcalloc(n_jobs ? n_jobs : 1, sizeof(*c));
	const char **atts = xcalloc(n_attachments + 1, sizeof(*atts));
	int rc = 0, limit = timeout_seconds();
	size_t running = 0;

	for (size_t i = 0; i < n_attachments; i++)
		atts[i] = publish_staged_path(p, attachments[i]);
	for (size_t i = 0; i < n_jobs; i++) {
		c[i].job = &jobs[i];
		c[i].out_fd = c[i].err_fd = -1;
		char *html = publish_staged_path(p, jobs[i].html);
		bool ok = spawn(e, &c[i], html, atts, n_attachments, d);
		free(html);
		if (!ok) {
			rc = 3;
			break;
		}
		running++;
	}
	double deadline = now() + limit;
	struct pollfd *pf = xcalloc(2 * (n_jobs ? n_jobs : 1), sizeof(*pf));
	bool timed_out = false;
	while (rc == 0 && running > 0) {
		size_t n = 0;
		for (size_t i = 0; i < n_jobs; i++) {
			if (c[i].out_fd >= 0)
				pf[n++] = (struct pollfd){.fd = c[i].out_fd, .events = POLLIN};
			if (c[i].err_fd >= 0)
				pf[n++] = (struct pollfd){.fd = c[i].err_fd, .events = POLLIN};
		}
		if (n == 0)
			break;
		double left = deadline - now();
		if (left <= 0) {
			timed_out = true;
			break;
		}
		int r = poll(pf, n, left > 1.0 ? 1000 : (int)(left * 1000) + 1);
		if (r < 0 && errno != EINTR) {
			rc = 3;
			break;
		}
		for (size_t k = 0; r > 0 && k < n; k++) {
			if (!(pf[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			for (size_t i = 0; i < n_jobs; i++) {
				int *fd = pf[k].fd == c[i].out_fd ? &c[i].out_fd
					: pf[k].fd == c[i].err_fd ? &c[i].err_fd : NULL;
				if (fd && !drain(&c[i], *fd)) {
					close(*fd);
					*fd = -1;
				}
			}
		}
	}
	for (size_t i = 0; i < n_jobs; i++) {
		if (c[i].pid <= 0)
			continue;
		if (timed_out || rc != 0)
			kill(-c[i].pid, SIGKILL);
		while (waitpid(c[i].pid, &c[i].status, 0) < 0 && errno == EINTR)
			;
		if (c[i].out_fd >= 0)
			close(c[i].out_fd);
		if (c[i].err_fd >= 0)
			close(c[i].err_fd);
	}
	for (size_t i = 0; i < n_jobs && c[i].pid > 0; i++) {
		const char *what = c[i].job->pdf;
		int st = c[i].status;
		if (timed_out) {
			diag_error(d, NULL, 0, 0,
				   "the PDF engine did not finish %s within %d s (DRGEN_PDF_TIMEOUT "
				   "sets the limit); nothing was written", what, limit);
			rc = 3;
		} else if (WIFEXITED(st) && WEXITSTATUS(st) == EXIT_NO_ENGINE) {
			diag_error(d, NULL, 0, 0,
				   "--format pdf needs WeasyPrint, which %s cannot import: install "
				   "the Debian package \"" PDF_PACKAGE "\"", e->interpreter);
			rc = 3;
		} else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			diag_error(d, NULL, 0, 0, "the PDF engine failed on %s (%s %d)", what,
				   WIFEXITED(st) ? "exit status" : "signal",
				   WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
			report_stderr(&c[i], true, d);
			rc = 3;
		} else if (c[i].too_big || c[i].out.len < 5 ||
			   memcmp(c[i].out.data, "%PDF-", 5) != 0) {
			diag_error(d, NULL, 0, 0, "the PDF engine wrote no PDF for %s%s", what,
				   c[i].too_big ? " (over the size limit)" : "");
			report_stderr(&c[i], true, d);
			rc = 3;
		} else {
			report_stderr(&c[i], false, d);
			if (rc == 0 && !publish_write(p, what, c[i].out.data, c[i].out.len, d))
				rc = 3;
		}
	}
	for (size_t i = 0; i < n_jobs; i++)
		buf_free(&c[i].out);
	for (size_t i = 0; i < n_attachments; i++)
		free((char *)atts[i]);
	free(atts);
	free(pf);
	free(c);
	return rc;
}
