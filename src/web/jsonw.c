/* jsonw.c - see jsonw.h.  Depth beyond JW_MAX_DEPTH is a programming
 * error; the writer stops tracking commas there rather than overflow. */
#include "web/jsonw.h"

#include <string.h>
#include <time.h>

#include "json/json.h"

void jw_init(jw *w, buf *b, arena *a)
{
    memset(w, 0, sizeof *w);
    w->b = b;
    w->a = a;
}

static void before_value(jw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth > 0 && w->depth <= JW_MAX_DEPTH) {
        if (w->need_comma[w->depth - 1]) buf_putc(w->b, ',');
        w->need_comma[w->depth - 1] = true;
    }
}

static void open(jw *w, char c)
{
    before_value(w);
    buf_putc(w->b, c);
    if (w->depth < JW_MAX_DEPTH) {
        w->need_comma[w->depth] = false;
        w->closer[w->depth] = c == '{' ? '}' : ']';
    }
    w->depth++;
}

void jw_obj(jw *w)
{
    open(w, '{');
}

void jw_arr(jw *w)
{
    open(w, '[');
}

void jw_end(jw *w)
{
    if (w->depth <= 0) return;
    w->depth--;
    buf_putc(w->b, w->depth < JW_MAX_DEPTH && w->closer[w->depth] ? w->closer[w->depth] : '}');
}

void jw_key(jw *w, const char *key)
{
    before_value(w);
    json_write_string(w->b, key, strlen(key));
    buf_putc(w->b, ':');
    w->after_key = true;
}

void jw_str(jw *w, const char *s)
{
    before_value(w);
    if (s)
        json_write_string(w->b, s, strlen(s));
    else
        buf_puts(w->b, "null");
}

void jw_int(jw *w, int64_t v)
{
    before_value(w);
    buf_printf(w->b, "%lld", (long long)v);
}

void jw_bool(jw *w, bool v)
{
    before_value(w);
    buf_puts(w->b, v ? "true" : "false");
}

void jw_null(jw *w)
{
    before_value(w);
    buf_puts(w->b, "null");
}

void jw_json(jw *w, const char *text)
{
    if (!text || !*text) {
        jw_null(w);
        return;
    }
    jv v;
    json_error e;
    before_value(w);
    if (json_parse(w->a, text, strlen(text), &v, &e) == 0)
        json_write(w->b, &v);
    else
        json_write_string(w->b, text, strlen(text));
}

void jw_time(jw *w, int64_t t)
{
    if (!t) {
        jw_null(w);
        return;
    }
    char iso[32];
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
    jw_str(w, iso);
}

void jw_kstr(jw *w, const char *key, const char *s)
{
    jw_key(w, key);
    jw_str(w, s);
}

void jw_kint(jw *w, const char *key, int64_t v)
{
    jw_key(w, key);
    jw_int(w, v);
}
