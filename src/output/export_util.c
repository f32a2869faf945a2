/* export_util.c - shared helpers of the SARIF and OCSF writers; see
 * export_util.h.
 *
 * Strings from the store came from inventories and policy files and are
 * nearly always valid UTF-8; checking costs one pass and copies nothing in
 * that case.  The rare bad byte is replaced rather than dropped so that a
 * reader can see something was there.
 */
#include "output/export_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Length of the valid UTF-8 sequence at s[0..n), or 0 when it is not one
 * (overlong forms, surrogates and code points above U+10FFFF are not). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80) return 1;
    size_t len;
    unsigned cp;
    if ((s[0] & 0xE0) == 0xC0) {
        len = 2;
        cp = s[0] & 0x1F;
    } else if ((s[0] & 0xF0) == 0xE0) {
        len = 3;
        cp = s[0] & 0x0F;
    } else if ((s[0] & 0xF8) == 0xF0) {
        len = 4;
        cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    static const unsigned min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_cp[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

static jv repaired(arena *a, const char *s, size_t n)
{
    size_t i = 0, k;
    while (i < n && (k = utf8_seq((const unsigned char *)s + i, n - i)) != 0)
        i += k;
    if (i == n) return jv_str_nocopy(s, n);
    buf b = BUF_INIT;
    for (i = 0; i < n;) {
        k = utf8_seq((const unsigned char *)s + i, n - i);
        if (k) {
            buf_append(&b, s + i, k);
            i += k;
        } else {
            buf_append(&b, "\xEF\xBF\xBD", 3); /* U+FFFD */
            i++;
        }
    }
    jv v = jv_str(a, b.data, b.len);
    buf_free(&b);
    return v;
}

jv ex_str(arena *a, const char *s)
{
    return s ? repaired(a, s, strlen(s)) : jv_null();
}

jv ex_fmt(arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = arena_vsprintf(a, fmt, ap);
    va_end(ap);
    return repaired(a, s, strlen(s));
}

/* Makes every string in v valid UTF-8 (the parser accepts escaped lone
 * surrogates, which a strict reader would not). */
static void repair_tree(arena *a, jv *v)
{
    if (v->kind == JV_STRING) {
        *v = repaired(a, v->u.str, v->len);
    } else if (v->kind == JV_ARRAY) {
        for (uint32_t i = 0; i < v->len; i++)
            repair_tree(a, &v->u.items[i]);
    } else if (v->kind == JV_OBJECT) {
        for (uint32_t i = 0; i < v->len; i++) {
            jv_member *m = &v->u.members[i];
            jv k = repaired(a, m->key, m->klen);
            m->key = k.u.str;
            m->klen = k.len;
            repair_tree(a, &m->val);
        }
    }
}

jv ex_json(arena *a, const char *text)
{
    if (!text) return jv_null();
    jv v;
    json_error err;
    if (json_parse(a, text, strlen(text), &v, &err) != 0) return ex_str(a, text);
    repair_tree(a, &v);
    return v;
}

jv ex_time(arena *a, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char s[40];
    if (!gmtime_r(&tt, &tm) || !strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", &tm)) return jv_null();
    return jv_cstr(a, s);
}

void ex_set(jv_builder *b, const char *key, jv v)
{
    if (v.kind != JV_NULL) jvb_set(b, key, strlen(key), v);
}

const char *ex_type_short(const char *resource_type)
{
    if (!resource_type) return "resource";
    const char *dot = strchr(resource_type, '.');
    return dot && dot[1] ? dot + 1 : resource_type;
}

int ex_severity_rank(int rank, const char *name)
{
    if (rank >= 0 && rank <= 4) return rank;
    static const char *const names[] = {"info", "low", "medium", "high", "critical"};
    for (int i = 0; name && i < 5; i++)
        if (!strcmp(name, names[i])) return i;
    return 0;
}

jv ex_suppression(arena *a, const stored_finding *f)
{
    if (!f->suppression_id) return jv_null();
    jv_builder s;
    jvb_object(&s, a);
    ex_set(&s, "id", jv_int(f->suppression_id));
    ex_set(&s, "reason", ex_str(a, f->suppression_reason));
    ex_set(&s, "author", ex_str(a, f->suppression_author));
    if (f->suppressed_until) ex_set(&s, "until", ex_time(a, f->suppressed_until));
    return jvb_done(&s);
}
