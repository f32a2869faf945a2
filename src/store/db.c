/* db.c - the db.h front: URL dispatch, redaction, and the calls every
 * driver shares.
 *
 * The public functions are thin: they route through the handle's ops table
 * (db_driver.h), so the store links one interface and the engine is chosen
 * by the URL's scheme at run time.  Helpers that need no engine knowledge
 * (db_query_int, the error message, URL redaction) live here once.
 *
 * Redaction is deliberately generous: the password of a URL's userinfo and
 * any "password=" parameter (URI query or conninfo keyword) become "***",
 * because a message that leaks a credential into a CI log cannot be taken
 * back.
 */
#include "store/db_driver.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"

char *db_strdupf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0) {
        fprintf(stderr, "custos: out of memory\n");
        abort();
    }
    return s;
}

void db_set_errv(db *d, const char *fmt, va_list ap)
{
    char tmp[1024];
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    /* Engine messages often end in a newline; messages here never do. */
    size_t n = strlen(tmp);
    while (n && (tmp[n - 1] == '\n' || tmp[n - 1] == ' '))
        tmp[--n] = '\0';
    free(d->err);
    d->err = db_strdupf("%s", tmp);
}

void db_set_err(db *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    db_set_errv(d, fmt, ap);
    va_end(ap);
}

void db_base_free(db *d)
{
    free(d->err);
    d->err = NULL;
}

/* ---- URL redaction ---- */

/* Length of a "password=" value starting at v (conninfo values may be
 * single-quoted; URI values end at '&' or '#'). */
static size_t pw_value_len(const char *v)
{
    size_t n = 0;
    if (v[0] == '\'') {
        for (n = 1; v[n] && v[n] != '\''; n++)
            if (v[n] == '\\' && v[n + 1]) n++;
        return v[n] ? n + 1 : n;
    }
    while (v[n] && v[n] != '&' && v[n] != '#' && !isspace((unsigned char)v[n]))
        n++;
    return n;
}

/* Copies s into b with every "password=VALUE" value replaced by "***". */
static void redact_params(buf *b, const char *s)
{
    static const char key[] = "password=";
    const size_t klen = sizeof key - 1;
    for (size_t i = 0; s[i];) {
        bool at_key =
            strncasecmp(s + i, key, klen) == 0 &&
            (i == 0 || s[i - 1] == '?' || s[i - 1] == '&' || isspace((unsigned char)s[i - 1]));
        if (at_key) {
            buf_append(b, s + i, klen);
            i += klen;
            size_t n = pw_value_len(s + i);
            if (n) buf_puts(b, "***");
            i += n;
        } else {
            buf_putc(b, s[i++]);
        }
    }
}

char *db_url_redacted(const char *url)
{
    buf b = BUF_INIT;
    if (!url) url = "";
    const char *sep = strstr(url, "://");
    const char *rest = url;
    if (sep) {
        const char *auth = sep + 3;
        size_t alen = strcspn(auth, "/?#");
        const char *at = NULL;
        for (size_t i = 0; i < alen; i++)
            if (auth[i] == '@') at = auth + i;
        const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
        if (colon) {
            buf_append(&b, url, (size_t)(colon + 1 - url));
            buf_puts(&b, "***");
            rest = at;
        }
    }
    redact_params(&b, rest);
    if (!b.data) buf_puts(&b, "");
    return buf_steal(&b);
}

/* ---- dispatch ---- */

static bool has_prefix_ci(const char *s, const char *p)
{
    return strncasecmp(s, p, strlen(p)) == 0;
}

int db_open(const char *url, db **out, char **err)
{
    *out = NULL;
    if (err) *err = NULL;
    char *msg = NULL;
    int rc = -1;
    if (!url || !*url) {
        msg = db_strdupf("no database URL given (use sqlite:PATH or postgresql://...)");
    } else if (has_prefix_ci(url, "sqlite:")) {
        rc = db_sqlite_open(url, url + strlen("sqlite:"), out, &msg);
    } else if (has_prefix_ci(url, "postgresql://") || has_prefix_ci(url, "postgres://")) {
        rc = db_pg_open(url, out, &msg);
    } else {
        char *red = db_url_redacted(url);
        msg = db_strdupf("unsupported database URL \"%s\": supported are sqlite:PATH, "
                         "sqlite::memory:, postgresql://... and postgres://...",
                         red);
        free(red);
    }
    if (rc == 0) {
        free(msg);
        return 0;
    }
    if (err)
        *err = msg;
    else
        free(msg);
    return -1;
}

void db_close(db *d)
{
    if (d) d->ops->close(d);
}

db_dialect_t db_dialect(const db *d)
{
    return d->dialect;
}

const char *db_errmsg(const db *d)
{
    return d && d->err ? d->err : "";
}

int db_exec(db *d, const char *sql)
{
    return d->ops->exec(d, sql);
}

int64_t db_run(db *d, const char *sql, const db_val *params, size_t nparams)
{
    return d->ops->run(d, sql, params, nparams);
}

int db_begin(db *d)
{
    return d->ops->begin(d);
}

int db_commit(db *d)
{
    return d->ops->commit(d);
}

int db_rollback(db *d)
{
    return d->ops->rollback(d);
}

/* Test hook: CUSTOS_DEBUG_PLAN=1 prints the plan of every SELECT to
 * stderr before running it (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on
 * PostgreSQL, with the same parameters), so a test can assert that the
 * store's queries use its indexes on a store that scans built: a planner
 * regression then fails make check, not a dashboard in production. */
static void debug_plan(db *d, const char *sql, const db_val *params, size_t nparams)
{
    const char *on = getenv("CUSTOS_DEBUG_PLAN");
    if (!on || *on != '1' || strncmp(sql, "SELECT", 6) != 0) return;
    char *q = db_strdupf("%s%s", d->dialect == DB_SQLITE ? "EXPLAIN QUERY PLAN " : "EXPLAIN ", sql);
    db_stmt *s = d->ops->query(d, q, params, nparams);
    free(q);
    if (!s) return;
    buf b = BUF_INIT;
    buf_printf(&b, "custos: plan: %s\n", sql);
    while (db_step(s) == 1) {
        size_t n = db_ncols(s);
        const char *line = n ? db_col_text(s, n - 1) : NULL;
        /* SQLite: the node's id and its parent's (0: the top level) */
        if (n >= 4)
            buf_printf(&b, "custos: plan:   %lld %lld %s\n", (long long)db_col_int(s, 0),
                       (long long)db_col_int(s, 1), line ? line : "");
        else
            buf_printf(&b, "custos: plan:   %s\n", line ? line : "");
    }
    db_finish(s);
    fputs(b.data, stderr);
    buf_free(&b);
}

db_stmt *db_query(db *d, const char *sql, const db_val *params, size_t nparams)
{
    debug_plan(d, sql, params, nparams);
    return d->ops->query(d, sql, params, nparams);
}

db_stmt *db_query_stream(db *d, const char *sql, const db_val *params, size_t nparams)
{
    debug_plan(d, sql, params, nparams);
    return d->ops->query_stream ? d->ops->query_stream(d, sql, params, nparams)
                                : d->ops->query(d, sql, params, nparams);
}

int db_step(db_stmt *s)
{
    return s->d->ops->step(s);
}

size_t db_ncols(const db_stmt *s)
{
    return s->d->ops->ncols(s);
}

const char *db_col_text(const db_stmt *s, size_t i)
{
    return s->d->ops->col_text(s, i);
}

int64_t db_col_int(const db_stmt *s, size_t i)
{
    return s->d->ops->col_int(s, i);
}

bool db_col_null(const db_stmt *s, size_t i)
{
    return s->d->ops->col_null(s, i);
}

void db_finish(db_stmt *s)
{
    if (s) s->d->ops->finish(s);
}

int db_query_int(db *d, const char *sql, const db_val *params, size_t nparams, int64_t *out)
{
    db_stmt *s = db_query(d, sql, params, nparams);
    if (!s) return -1;
    int rc = db_step(s);
    if (rc == 1) {
        if (db_ncols(s) < 1) {
            db_set_err(d, "query returned no columns: %.80s", sql);
            rc = -1;
        } else {
            *out = db_col_int(s, 0);
            rc = 0;
        }
    } else if (rc == 0) {
        rc = 1;
    }
    db_finish(s);
    return rc;
}

db_copy *db_copy_begin(db *d, const char *table, const char *columns, size_t ncols)
{
    if (ncols == 0) {
        db_set_err(d, "db_copy_begin: no columns for %s", table);
        return NULL;
    }
    return d->ops->copy_begin(d, table, columns, ncols);
}

int db_copy_row(db_copy *c, const db_val *values)
{
    return c->d->ops->copy_row(c, values);
}

int db_copy_end(db_copy *c)
{
    if (!c) return -1;
    return c->d->ops->copy_end(c);
}
