/* value_from.c - `value_from`: a value filter's list read from a local
 * file (json, csv, csv2dict or txt, from `format` or the extension),
 * optionally through a JMESPath `expr`, as Custodian's ValuesFrom does.
 * Files are read once at compile time, relative to the policy file, so
 * evaluation never touches the disk; URLs other than file:// are refused
 * with a message saying to download them (no network during a scan).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filters/value_int.h"

/* ------------------------------------------------------------ value_from */

static char *path_join(arena *a, const char *base, const char *p)
{
    if (p[0] == '/' || !base || !*base) return arena_strdup(a, p);
    return arena_sprintf(a, "%s/%s", base, p);
}

/* One CSV record (RFC 4180 quoting); advances *pp. */
static jv csv_row(arena *a, const char **pp, const char *end)
{
    jv_builder row;
    jvb_array(&row, a);
    const char *p = *pp;
    buf cell = BUF_INIT;
    for (;;) {
        buf_reset(&cell);
        if (p < end && *p == '"') {
            p++;
            while (p < end) {
                if (*p == '"') {
                    if (p + 1 < end && p[1] == '"') {
                        buf_putc(&cell, '"');
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                buf_putc(&cell, *p++);
            }
        }
        while (p < end && *p != ',' && *p != '\n' && *p != '\r')
            buf_putc(&cell, *p++);
        jvb_push(&row, jv_str(a, cell.data ? cell.data : "", cell.len));
        if (p < end && *p == ',') {
            p++;
            continue;
        }
        break;
    }
    if (p < end && *p == '\r') p++;
    if (p < end && *p == '\n') p++;
    *pp = p;
    buf_free(&cell);
    return jvb_done(&row);
}

static jv dedupe(arena *a, jv_builder *b)
{
    jv in = jvb_done(b);
    jv_builder out;
    jvb_array(&out, a);
    for (uint32_t i = 0; i < in.len; i++) {
        bool dup = false;
        for (uint32_t k = 0; k < out.v.len && !dup; k++)
            dup = jv_equal(&out.v.u.items[k], &in.u.items[i]);
        if (!dup) jvb_push(&out, in.u.items[i]);
    }
    return jvb_done(&out);
}

static bool value_from_expr(filter_compiler *fc, const jv *expr, const jv *data, jv *out)
{
    jp_error err;
    const jp_node *e = jp_compile(fc->a, expr->u.str, expr->len, &err);
    if (!e) {
        fc_error(fc, expr, "invalid value_from expr '%s': %s", expr->u.str, err.msg);
        return false;
    }
    if (jp_eval(e, data, fc->a, out, &err) < 0) *out = jv_null();
    return true;
}

bool load_value_from(filter_compiler *fc, const jv *spec, jv *out)
{
    if (spec->kind != JV_OBJECT) {
        fc_error(fc, spec, "value_from must be a mapping with 'url'");
        return false;
    }
    const jv *url = NULL, *fmt = NULL, *expr = NULL;
    bool ok = true;
    for (uint32_t i = 0; i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        if (!strcmp(m->key, "url"))
            url = &m->val;
        else if (!strcmp(m->key, "format"))
            fmt = &m->val;
        else if (!strcmp(m->key, "expr"))
            expr = &m->val;
        else if (strcmp(m->key, "headers") != 0) {
            fc_error(fc, m, "unknown key '%s' in value_from (expected url, format, expr, headers)",
                     m->key);
            ok = false;
        }
    }
    if (!url || url->kind != JV_STRING) {
        fc_error(fc, url ? (const void *)url : spec, "value_from needs 'url' (a string)");
        return false;
    }
    if (expr && expr->kind != JV_STRING && !(expr->kind == JV_NUMBER && (expr->flags & JVF_INT))) {
        fc_error(fc, expr, "value_from expr must be a string or an integer");
        return false;
    }
    const char *u = url->u.str;
    if (strstr(u, "://") && strncmp(u, "file://", 7) != 0) {
        fc_error(fc, url,
                 "value_from url '%s': only local files are supported (no network access "
                 "during evaluation); download it and give a path",
                 u);
        return false;
    }
    if (!strncmp(u, "file://", 7)) u += 7;
    const char *f = NULL;
    if (fmt) {
        if (fmt->kind != JV_STRING ||
            (strcmp(fmt->u.str, "json") && strcmp(fmt->u.str, "csv") &&
             strcmp(fmt->u.str, "csv2dict") && strcmp(fmt->u.str, "txt"))) {
            fc_error(fc, fmt, "value_from format must be one of json, csv, csv2dict, txt");
            return false;
        }
        f = fmt->u.str;
    } else {
        const char *dot = strrchr(u, '.');
        if (dot && (!strcmp(dot, ".json") || !strcmp(dot, ".csv") || !strcmp(dot, ".txt")))
            f = dot + 1;
        else {
            fc_error(fc, url,
                     "value_from: cannot tell the format of '%s'; add format: json, csv, "
                     "csv2dict or txt",
                     u);
            return false;
        }
    }
    if (!ok) return false;
    char *path = path_join(fc->a, fc->base_dir, u);
    size_t len;
    char *text = read_file(path, &len);
    if (!text) {
        fc_error(fc, url, "value_from: cannot read '%s': %s", path, strerror(errno));
        return false;
    }
    const char *end = text + len;
    bool rc = true;
    jv_builder b;
    jvb_array(&b, fc->a);
    if (!strcmp(f, "json")) {
        json_error je;
        jv data;
        if (json_parse(fc->a, text, len, &data, &je) < 0) {
            fc_error(fc, url, "value_from: %s:%d:%d: %s", path, je.line, je.col, je.msg);
            rc = false;
        } else if (expr && expr->kind == JV_STRING) {
            rc = value_from_expr(fc, expr, &data, out);
        } else {
            *out = data;
        }
        free(text);
        return rc;
    }
    if (!strcmp(f, "txt")) {
        for (const char *p = text; p < end;) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            const char *le = nl ? nl : end;
            const char *a = p, *z = le;
            while (a < z && isspace((unsigned char)*a))
                a++;
            while (z > a && isspace((unsigned char)z[-1]))
                z--;
            jvb_push(&b, jv_str(fc->a, a, (size_t)(z - a)));
            p = nl ? nl + 1 : end;
        }
        *out = dedupe(fc->a, &b);
        free(text);
        return true;
    }
    jv_builder rows;
    jvb_array(&rows, fc->a);
    for (const char *p = text; p < end;)
        jvb_push(&rows, csv_row(fc->a, &p, end));
    jv table = jvb_done(&rows);
    if (!strcmp(f, "csv")) {
        if (expr && expr->kind == JV_NUMBER) {
            int64_t col;
            if (!jv_num_in(expr, 0, UINT32_MAX, &col)) col = -1;
            for (uint32_t i = 0; i < table.len; i++)
                if (col >= 0 && (uint64_t)col < table.u.items[i].len)
                    jvb_push(&b, table.u.items[i].u.items[col]);
            *out = dedupe(fc->a, &b);
        } else if (expr) {
            rc = value_from_expr(fc, expr, &table, out);
        } else {
            for (uint32_t i = 0; i < table.len; i++)
                for (uint32_t k = 0; k < table.u.items[i].len; k++)
                    jvb_push(&b, table.u.items[i].u.items[k]);
            *out = dedupe(fc->a, &b);
        }
    } else { /* csv2dict: {header: [column values]}, columns cut to the shortest row */
        uint32_t ncol = UINT32_MAX;
        for (uint32_t i = 0; i < table.len; i++)
            if (table.u.items[i].len < ncol) ncol = table.u.items[i].len;
        if (table.len == 0) ncol = 0;
        jv_builder obj;
        jvb_object(&obj, fc->a);
        for (uint32_t c = 0; c < ncol; c++) {
            jv_builder col;
            jvb_array(&col, fc->a);
            for (uint32_t i = 1; i < table.len; i++) {
                jvb_push(&col, table.u.items[i].u.items[c]);
                jvb_push(&b, table.u.items[i].u.items[c]);
            }
            const jv *h = &table.u.items[0].u.items[c];
            jvb_set(&obj, h->u.str, h->len, jvb_done(&col));
        }
        jv dict = jvb_done(&obj);
        if (expr && expr->kind == JV_STRING)
            rc = value_from_expr(fc, expr, &dict, out);
        else
            *out = dedupe(fc->a, &b);
    }
    free(text);
    return rc;
}
