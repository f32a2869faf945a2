/* parse.c - reading and parsing batches of response files in parallel.
 *
 * A listing is usually many files (placebo pages, per-bucket calls), so the
 * unit of parallel work is one file: workers take the next index from an
 * atomic counter and parse into their own arena, which is then handed to
 * the inventory (freed at close).  Nothing is shared while parsing, so no
 * locks are taken except to register each worker's arena once.
 *
 * Placebo files are {"status_code", "data"}; datetimes inside them are
 * {"__class__": "datetime", ...} objects that become ISO-8601 strings the
 * way the AWS CLI prints them (Python's isoformat: "2016-11-24T21:01:33+00:00",
 * with ".ffffff" only when microseconds are non-zero).  The conversion walk
 * only runs when the raw text mentions "__class__", so big pages without
 * datetimes cost nothing extra.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inventory/inv_internal.h"
#include "util/parallel.h"

/* ---- interned paths ---- */

typedef struct path_node {
    struct path_node *next;
    char s[];
} path_node;

static path_node *g_paths;
static pthread_mutex_t g_paths_lock = PTHREAD_MUTEX_INITIALIZER;

const char *inv_path(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *tmp = NULL;
    int n = vasprintf(&tmp, fmt, ap);
    va_end(ap);
    if (n < 0) abort();
    path_node *p = malloc(sizeof *p + (size_t)n + 1);
    if (!p) abort();
    memcpy(p->s, tmp, (size_t)n + 1);
    free(tmp);
    pthread_mutex_lock(&g_paths_lock);
    p->next = g_paths;
    g_paths = p;
    pthread_mutex_unlock(&g_paths_lock);
    return p->s;
}

arena *inv_new_arena(inventory *inv, size_t chunk)
{
    arena *a = arena_new(chunk);
    pthread_mutex_lock(&inv->lock);
    if (inv->narenas == inv->caparenas) {
        size_t cap = inv->caparenas ? inv->caparenas * 2 : 16;
        arena **p = realloc(inv->arenas, cap * sizeof *p);
        if (!p) abort();
        inv->arenas = p;
        inv->caparenas = cap;
    }
    inv->arenas[inv->narenas++] = a;
    pthread_mutex_unlock(&inv->lock);
    return a;
}

/* ---- datetimes ---- */

static int int_member(const jv *o, const char *k, int dflt)
{
    const jv *v = jv_get(o, k);
    if (!jv_is(v, JV_NUMBER)) return dflt;
    double d = v->u.num;
    if (d != d || d < -1e9 || d > 1e9) return dflt;
    return (int)d;
}

static bool is_datetime(const jv *v)
{
    if (!jv_is(v, JV_OBJECT)) return false;
    const jv *c = jv_get(v, "__class__");
    return jv_str_eq(c, "datetime") && jv_get(v, "year");
}

static jv datetime_string(arena *a, const jv *o)
{
    char out[64];
    int us = int_member(o, "microsecond", 0);
    int n = snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d", int_member(o, "year", 1970),
                     int_member(o, "month", 1), int_member(o, "day", 1), int_member(o, "hour", 0),
                     int_member(o, "minute", 0), int_member(o, "second", 0));
    if (us > 0 && n > 0 && (size_t)n < sizeof out)
        n += snprintf(out + n, sizeof out - (size_t)n, ".%06d", us);
    if (n > 0 && (size_t)n < sizeof out) snprintf(out + n, sizeof out - (size_t)n, "+00:00");
    return jv_cstr(a, out);
}

static void convert_datetimes(arena *a, jv *v, int depth)
{
    if (depth > 256) return;
    if (is_datetime(v)) {
        *v = datetime_string(a, v);
        return;
    }
    if (v->kind == JV_ARRAY) {
        for (uint32_t i = 0; i < v->len; i++)
            convert_datetimes(a, &v->u.items[i], depth + 1);
    } else if (v->kind == JV_OBJECT) {
        for (uint32_t i = 0; i < v->len; i++)
            convert_datetimes(a, &v->u.members[i].val, depth + 1);
    }
}

/* ---- one file ---- */

static char *slurp(const char *path, size_t *len, int *err_no)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *err_no = errno;
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        *err_no = S_ISDIR(st.st_mode) ? EISDIR : errno;
        close(fd);
        return NULL;
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *b = malloc(cap);
    if (!b) abort();
    for (;;) {
        if (n + 1 >= cap) {
            cap *= 2;
            char *nb = realloc(b, cap);
            if (!nb) abort();
            b = nb;
        }
        ssize_t r = read(fd, b + n, cap - n - 1);
        if (r < 0) {
            if (errno == EINTR) continue;
            *err_no = errno;
            free(b);
            close(fd);
            return NULL;
        }
        if (r == 0) break;
        n += (size_t)r;
    }
    close(fd);
    b[n] = '\0';
    *len = n;
    return b;
}

/* share: the document is kept with the inventory (see json_parse_fast_shared). */
static int parse_response(arena *a, const char *text, size_t len, bool placebo, bool share, jv *out,
                          int *http_status, json_error *err)
{
    jv root;
    *http_status = 200;
    if ((share ? json_parse_fast_shared : json_parse_fast)(a, text, len, &root, err) != 0)
        return -1;
    if (placebo) {
        const jv *data = jv_get(&root, "data");
        const jv *sc = jv_get(&root, "status_code");
        if (!jv_is(&root, JV_OBJECT) || !data) {
            err->line = err->col = 0;
            err->offset = 0;
            snprintf(err->msg, sizeof err->msg,
                     "not a placebo response: expected {\"status_code\", \"data\"}");
            return -2;
        }
        if (jv_is(sc, JV_NUMBER) && sc->u.num >= 0 && sc->u.num < 1000)
            *http_status = (int)sc->u.num;
        root = *data;
    }
    if (memmem(text, len, "__class__", 9)) convert_datetimes(a, &root, 0);
    *out = root;
    return 0;
}

int inventory_parse_response(arena *a, const char *text, size_t len, bool placebo, jv *out,
                             int *http_status, json_error *err)
{
    return parse_response(a, text, len, placebo, true, out, http_status, err);
}

static void parse_one(arena *a, pfile *f, bool placebo, bool share)
{
    size_t len = 0;
    f->err_no = 0;
    char *text = slurp(f->path, &len, &f->err_no);
    if (!text) {
        f->status = f->err_no == ENOENT ? PF_MISSING : PF_IOERR;
        return;
    }
    int rc = parse_response(a, text, len, placebo, share, &f->data, &f->http, &f->err);
    free(text);
    f->status = rc == 0 ? PF_OK : rc == -1 ? PF_BADJSON : PF_BADSHAPE;
}

/* ---- the parallel loop ---- */

void inv_load_begin(inventory *inv, load_ctx *lc)
{
    memset(lc, 0, sizeof *lc);
    lc->inv = inv;
    lc->a = inv_new_arena(inv, 0);
    lc->threads = inv->threads;
}

void inv_load_begin_in(inventory *inv, load_ctx *lc, arena *a)
{
    memset(lc, 0, sizeof *lc);
    lc->inv = inv;
    lc->a = a;
    lc->threads = 1;
    lc->fixed = true;
}

const char *inv_fmt(load_ctx *lc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *s = arena_vsprintf(lc->a, fmt, ap);
    va_end(ap);
    return s;
}

typedef struct batch {
    load_ctx *lc;
    pfile *files;
    bool placebo;
} batch;

static void parse_task(size_t i, int worker, void *arg)
{
    batch *b = arg;
    arena **a = b->lc->fixed ? &b->lc->a : &b->lc->workers[worker];
    if (!*a) *a = inv_new_arena(b->lc->inv, 1 << 20);
    /* Parts are parsed into arenas reset right after: sharing strings
     * would only cost time there. */
    parse_one(*a, &b->files[i], b->placebo, !b->lc->fixed);
}

void inv_parse_files(load_ctx *lc, pfile *files, size_t n, bool placebo)
{
    batch b = {.lc = lc, .files = files, .placebo = placebo};
    /* Thread start-up costs more than parsing a few small files. */
    int nt = n < 8 ? 1 : lc->threads;
    if (nt > INV_MAX_THREADS) nt = INV_MAX_THREADS;
    parallel_for(nt, n, parse_task, &b);
}

void inv_file_diag(const pfile *f, diag_list *diags)
{
    if (f->status == PF_OK || f->status == PF_MISSING) return;
    const char *path = inv_path("%s", f->path);
    switch (f->status) {
    case PF_IOERR:
        diag_add(diags, (srcpos){path, 0, 0}, "cannot read: %s", strerror(f->err_no));
        break;
    case PF_BADJSON:
        diag_add(diags, (srcpos){path, f->err.line, f->err.col}, "invalid JSON: %s", f->err.msg);
        break;
    case PF_BADSHAPE:
        diag_add(diags, (srcpos){path, 0, 0}, "%s", f->err.msg);
        break;
    default:
        break;
    }
}

static bool nonempty_string(const jv *v)
{
    return jv_is(v, JV_STRING) && v->len > 0;
}

bool inv_page_has_more(const jv *page)
{
    if (!jv_is(page, JV_OBJECT)) return false;
    if (nonempty_string(jv_get(page, "NextToken"))) return true;
    if (nonempty_string(jv_get(page, "NextMarker"))) return true;
    if (nonempty_string(jv_get(page, "NextContinuationToken"))) return true;
    if (nonempty_string(jv_get(page, "ContinuationToken"))) return true;
    const jv *t = jv_get(page, "IsTruncated");
    if (t && t->kind == JV_TRUE) return true;
    /* RDS-style: the response's Marker is the next page's marker. */
    if (!jv_get(page, "IsTruncated") && nonempty_string(jv_get(page, "Marker"))) return true;
    return false;
}
