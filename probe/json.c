/* Minimal JSON-lines writer. Objects are flat except for raw fragments (arrays). */
#include "probe.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void put(struct jw *w, const char *s)
{
	size_t l = strlen(s);
	if (w->overflow || w->n + l >= sizeof w->buf - 4) {
		/* never print a cut object: jw_end prints a "truncated" line instead */
		w->overflow = true;
		return;
	}
	memcpy(w->buf + w->n, s, l);
	w->n += l;
	w->buf[w->n] = 0;
}

static void key(struct jw *w, const char *k)
{
	if (!w->first)
		put(w, ",");
	w->first = false;
	put(w, "\"");
	put(w, k);
	put(w, "\":");
}

static void esc(struct jw *w, const char *v)
{
	char c[8];
	put(w, "\"");
	for (; *v; v++) {
		unsigned char ch = (unsigned char)*v;
		if (ch == '"' || ch == '\\') {
			c[0] = '\\'; c[1] = (char)ch; c[2] = 0;
		} else if (ch < 0x20) {
			snprintf(c, sizeof c, "\\u%04x", ch);
		} else {
			c[0] = (char)ch; c[1] = 0;
		}
		put(w, c);
	}
	put(w, "\"");
}

void jw_begin(struct jw *w, const char *kind)
{
	w->n = 0;
	w->buf[0] = 0;
	w->first = true;
	w->overflow = false;
	snprintf(w->kind, sizeof w->kind, "%s", kind);
	put(w, "{");
	jw_str(w, "kind", kind);
}

void jw_int(struct jw *w, const char *k, int64_t v)
{
	char b[32];
	snprintf(b, sizeof b, "%lld", (long long)v);
	key(w, k);
	put(w, b);
}

void jw_num(struct jw *w, const char *k, double v)
{
	char b[48];
	if (!isfinite(v))
		snprintf(b, sizeof b, "null");
	else
		snprintf(b, sizeof b, "%.6g", v);
	key(w, k);
	put(w, b);
}

void jw_str(struct jw *w, const char *k, const char *v)
{
	key(w, k);
	esc(w, v ? v : "");
}

void jw_bool(struct jw *w, const char *k, bool v)
{
	key(w, k);
	put(w, v ? "true" : "false");
}

void jw_raw(struct jw *w, const char *k, const char *json)
{
	key(w, k);
	put(w, json);
}

void jw_end(struct jw *w)
{
	put(w, "}");
	if (w->overflow) {
		/* a line over the buffer: say so in valid JSON rather than print half an object */
		note("a \"%s\" line did not fit in %zu bytes; printed as truncated", w->kind, sizeof w->buf);
		struct jw t;
		jw_begin(&t, "truncated");
		jw_str(&t, "of", w->kind);
		jw_int(&t, "limitBytes", (int64_t)sizeof w->buf);
		put(&t, "}");
		fputs(t.buf, stdout);
		fputc('\n', stdout);
		fflush(stdout);
		return;
	}
	fputs(w->buf, stdout);
	fputc('\n', stdout);
	fflush(stdout);
}

void emit_skip(const char *cs, const char *reason)
{
	struct jw w;
	jw_begin(&w, "skip");
	jw_str(&w, "case", cs);
	jw_str(&w, "reason", reason);
	jw_end(&w);
	note("skip case %s: %s", cs, reason);
}
