/* db_sqlite.c - the SQLite back end of db.h.
 *
 * The connection is set up for a store that one scan writes while other
 * commands read: WAL journal (readers never block the writer), a 10 s busy
 * timeout (a second writer waits instead of failing at once), foreign keys
 * on, synchronous=NORMAL (durable at each checkpoint; with WAL a crash
 * loses at most the last commits, never consistency).  db_begin takes the
 * write lock at once (BEGIN IMMEDIATE) so a transaction never fails half
 * way with SQLITE_BUSY on its first write.
 *
 * The store runs the same few statements thousands of times, so prepared
 * statements are cached by SQL text.  A cached statement handed to a query
 * is marked busy until db_finish resets it; a nested use of the same SQL
 * gets a private statement, finalised on finish.
 *
 * Copy is a prepared INSERT inside a SAVEPOINT: all rows or none, like
 * PostgreSQL's COPY, and fast because it is one transaction.
 */
#include "store/db_driver.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"

#define CACHE_MAX 64

typedef struct cache_ent {
    char *sql;
    size_t hash;
    sqlite3_stmt *st;
    bool busy;
} cache_ent;

typedef struct sl_db {
    struct db base;
    sqlite3 *h;
    cache_ent cache[CACHE_MAX];
    size_t ncache;
} sl_db;

typedef struct sl_stmt {
    struct db_stmt base;
    sqlite3_stmt *st;
    cache_ent *ent; /* NULL: private statement, finalised on finish */
} sl_stmt;

typedef struct sl_copy {
    struct db_copy base;
    sqlite3_stmt *st;
    size_t ncols;
    bool failed;
} sl_copy;

static sl_db *SL(db *d)
{
    return (sl_db *)d;
}

static void sl_err(sl_db *s, const char *what)
{
    db_set_err(&s->base, "%s: %s", what, sqlite3_errmsg(s->h));
}

/* ---- statement cache ---- */

static size_t hash_str(const char *s)
{
    size_t h = 1469598103934665603u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* Text after the first statement may only be blanks and semicolons: db_run
 * and db_query take exactly one statement (db_exec takes many). */
static bool only_blank(const char *tail)
{
    for (; tail && *tail; tail++)
        if (*tail != ';' && *tail != ' ' && *tail != '\t' && *tail != '\n' && *tail != '\r')
            return false;
    return true;
}

static sqlite3_stmt *prepare(sl_db *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    if (sqlite3_prepare_v2(s->h, sql, -1, &st, &tail) != SQLITE_OK) {
        db_set_err(&s->base, "%s (in: %.200s)", sqlite3_errmsg(s->h), sql);
        sqlite3_finalize(st);
        return NULL;
    }
    if (!st) {
        db_set_err(&s->base, "empty statement");
        return NULL;
    }
    if (!only_blank(tail)) {
        db_set_err(&s->base, "one statement expected, more given (in: %.200s)", sql);
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

/* A ready statement for sql; *ent is its cache entry (NULL = private). */
static sqlite3_stmt *acquire(sl_db *s, const char *sql, cache_ent **ent)
{
    size_t h = hash_str(sql);
    *ent = NULL;
    for (size_t i = 0; i < s->ncache; i++) {
        cache_ent *e = &s->cache[i];
        if (e->hash == h && !strcmp(e->sql, sql)) {
            if (e->busy) return prepare(s, sql);
            e->busy = true;
            *ent = e;
            return e->st;
        }
    }
    sqlite3_stmt *st = prepare(s, sql);
    if (st && s->ncache < CACHE_MAX) {
        cache_ent *e = &s->cache[s->ncache++];
        e->sql = db_strdupf("%s", sql);
        e->hash = h;
        e->st = st;
        e->busy = true;
        *ent = e;
    }
    return st;
}

static void release(sqlite3_stmt *st, cache_ent *ent)
{
    if (!st) return;
    if (ent) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        ent->busy = false;
    } else {
        sqlite3_finalize(st);
    }
}

static int bind_all(sl_db *s, sqlite3_stmt *st, const db_val *p, size_t n)
{
    int want = sqlite3_bind_parameter_count(st);
    if ((size_t)want != n) {
        db_set_err(&s->base, "statement takes %d parameters, %zu given (in: %.200s)", want, n,
                   sqlite3_sql(st));
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        int rc;
        int idx = (int)i + 1;
        if (p[i].kind == DB_INT)
            rc = sqlite3_bind_int64(st, idx, p[i].i);
        else if (!p[i].s)
            rc = sqlite3_bind_null(st, idx);
        else
            rc = sqlite3_bind_text(st, idx, p[i].s, -1, SQLITE_TRANSIENT);
        if (rc != SQLITE_OK) {
            sl_err(s, "bind");
            return -1;
        }
    }
    return 0;
}

/* ---- the ops ---- */

static void sl_close(db *d)
{
    sl_db *s = SL(d);
    for (size_t i = 0; i < s->ncache; i++) {
        sqlite3_finalize(s->cache[i].st);
        free(s->cache[i].sql);
    }
    sqlite3_close_v2(s->h);
    db_base_free(d);
    free(s);
}

static int sl_exec(db *d, const char *sql)
{
    sl_db *s = SL(d);
    char *msg = NULL;
    if (sqlite3_exec(s->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
        db_set_err(d, "%s (in: %.200s)", msg ? msg : sqlite3_errmsg(s->h), sql);
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int64_t sl_run(db *d, const char *sql, const db_val *params, size_t nparams)
{
    sl_db *s = SL(d);
    cache_ent *ent;
    sqlite3_stmt *st = acquire(s, sql, &ent);
    if (!st) return -1;
    int64_t ret = -1;
    if (bind_all(s, st, params, nparams) == 0) {
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            ;
        if (rc == SQLITE_DONE)
            ret = sqlite3_changes64(s->h);
        else
            db_set_err(d, "%s (in: %.200s)", sqlite3_errmsg(s->h), sql);
    }
    release(st, ent);
    return ret;
}

static int sl_begin(db *d)
{
    return sl_exec(d, "BEGIN IMMEDIATE");
}

static int sl_commit(db *d)
{
    return sl_exec(d, "COMMIT");
}

/* Rolling back with no transaction open (SQLite may already have rolled
 * back after an error) succeeds quietly, keeping the first error. */
static int sl_rollback(db *d)
{
    if (sqlite3_get_autocommit(SL(d)->h)) return 0;
    return sl_exec(d, "ROLLBACK");
}

static db_stmt *sl_query(db *d, const char *sql, const db_val *params, size_t nparams)
{
    sl_db *s = SL(d);
    cache_ent *ent;
    sqlite3_stmt *st = acquire(s, sql, &ent);
    if (!st) return NULL;
    if (bind_all(s, st, params, nparams) != 0) {
        release(st, ent);
        return NULL;
    }
    sl_stmt *q = calloc(1, sizeof *q);
    if (!q) abort();
    q->base.d = d;
    q->st = st;
    q->ent = ent;
    return &q->base;
}

static int sl_step(db_stmt *qs)
{
    sl_stmt *q = (sl_stmt *)qs;
    int rc = sqlite3_step(q->st);
    if (rc == SQLITE_ROW) return 1;
    if (rc == SQLITE_DONE) return 0;
    sl_db *s = SL(qs->d);
    db_set_err(qs->d, "%s (in: %.200s)", sqlite3_errmsg(s->h), sqlite3_sql(q->st));
    return -1;
}

static size_t sl_ncols(const db_stmt *qs)
{
    return (size_t)sqlite3_column_count(((const sl_stmt *)qs)->st);
}

static const char *sl_col_text(const db_stmt *qs, size_t i)
{
    return (const char *)sqlite3_column_text(((const sl_stmt *)qs)->st, (int)i);
}

static int64_t sl_col_int(const db_stmt *qs, size_t i)
{
    return sqlite3_column_int64(((const sl_stmt *)qs)->st, (int)i);
}

static bool sl_col_null(const db_stmt *qs, size_t i)
{
    return sqlite3_column_type(((const sl_stmt *)qs)->st, (int)i) == SQLITE_NULL;
}

static void sl_finish(db_stmt *qs)
{
    sl_stmt *q = (sl_stmt *)qs;
    release(q->st, q->ent);
    free(q);
}

/* ---- copy ---- */

static db_copy *sl_copy_begin(db *d, const char *table, const char *columns, size_t ncols)
{
    sl_db *s = SL(d);
    buf sql = BUF_INIT;
    buf_printf(&sql, "INSERT INTO %s (%s) VALUES (", table, columns);
    for (size_t i = 0; i < ncols; i++)
        buf_puts(&sql, i ? ",?" : "?");
    buf_puts(&sql, ")");
    sqlite3_stmt *st = prepare(s, sql.data);
    buf_free(&sql);
    if (!st) return NULL;
    if ((size_t)sqlite3_bind_parameter_count(st) != ncols) {
        db_set_err(d, "copy into %s: %zu columns expected in \"%s\"", table, ncols, columns);
        sqlite3_finalize(st);
        return NULL;
    }
    if (sl_exec(d, "SAVEPOINT db_copy") != 0) {
        sqlite3_finalize(st);
        return NULL;
    }
    sl_copy *c = calloc(1, sizeof *c);
    if (!c) abort();
    c->base.d = d;
    c->st = st;
    c->ncols = ncols;
    return &c->base;
}

static int sl_copy_row(db_copy *cc, const db_val *values)
{
    sl_copy *c = (sl_copy *)cc;
    if (c->failed) return -1;
    sl_db *s = SL(cc->d);
    if (bind_all(s, c->st, values, c->ncols) != 0) {
        c->failed = true;
        return -1;
    }
    int rc = sqlite3_step(c->st);
    if (rc != SQLITE_DONE) {
        db_set_err(cc->d, "copy: %s (in: %.200s)", sqlite3_errmsg(s->h), sqlite3_sql(c->st));
        c->failed = true;
    }
    sqlite3_reset(c->st);
    return c->failed ? -1 : 0;
}

static int sl_copy_end(db_copy *cc)
{
    sl_copy *c = (sl_copy *)cc;
    db *d = cc->d;
    sqlite3_finalize(c->st);
    bool failed = c->failed;
    free(c);
    if (!failed) return sl_exec(d, "RELEASE db_copy");
    /* Keep the row's error: the rollback's own outcome is secondary. */
    char *keep = d->err;
    d->err = NULL;
    sl_exec(d, "ROLLBACK TO db_copy; RELEASE db_copy");
    free(d->err);
    d->err = keep;
    return -1;
}

static const db_ops sl_ops = {
    .close = sl_close,
    .exec = sl_exec,
    .run = sl_run,
    .begin = sl_begin,
    .commit = sl_commit,
    .rollback = sl_rollback,
    .query = sl_query,
    .step = sl_step,
    .ncols = sl_ncols,
    .col_text = sl_col_text,
    .col_int = sl_col_int,
    .col_null = sl_col_null,
    .finish = sl_finish,
    .copy_begin = sl_copy_begin,
    .copy_row = sl_copy_row,
    .copy_end = sl_copy_end,
};

/* The engine's reason, plus the OS's when there is one ("unable to open
 * database file" alone does not say that the directory is missing). */
static char *open_reason(sqlite3 *h)
{
    const char *msg = h ? sqlite3_errmsg(h) : "out of memory";
    int sys = h ? sqlite3_system_errno(h) : 0;
    if (sys) return db_strdupf("%s (%s)", msg, strerror(sys));
    return db_strdupf("%s", msg);
}

int db_sqlite_open(const char *url, const char *path, db **out, char **err)
{
    if (!*path) {
        *err = db_strdupf("cannot open %s: no path after \"sqlite:\" (e.g. sqlite:custos.db)", url);
        return -1;
    }
    sqlite3 *h = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path, &h, flags, NULL);
    /* Settings that touch the file: an unreadable or foreign file fails
     * here, at open, with its reason, rather than at the first query. */
    const char *setup = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                        "PRAGMA foreign_keys=ON;";
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(h, 10000);
        sqlite3_extended_result_codes(h, 1);
        rc = sqlite3_exec(h, setup, NULL, NULL, NULL);
        /* Two processes opening a fresh file at once: switching it to WAL
         * can answer SQLITE_BUSY without waiting on the busy handler
         * (test_store's concurrent shards saw "database is locked"). */
        for (int i = 0; (rc & 0xff) == SQLITE_BUSY && i < 100; i++) {
            usleep(100 * 1000);
            rc = sqlite3_exec(h, setup, NULL, NULL, NULL);
        }
    }
    if (rc != SQLITE_OK) {
        char *why = open_reason(h);
        *err = db_strdupf("cannot open %s: %s", url, why);
        free(why);
        sqlite3_close_v2(h);
        return -1;
    }
    sl_db *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->base.ops = &sl_ops;
    s->base.dialect = DB_SQLITE;
    s->h = h;
    *out = &s->base;
    return 0;
}
