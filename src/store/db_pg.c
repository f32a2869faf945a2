/* db_pg.c - the PostgreSQL back end of db.h (libpq).
 *
 * The store writes SQLite-style "?" placeholders; they are rewritten to
 * $1..$n by a small lexer that knows PostgreSQL's quoting (literals with ''
 * and E'\'' escapes, quoted identifiers, dollar quotes, nested comments), so
 * a "?" in a literal stays a "?".  Parameters go as text; integers carry the
 * int8 type so they compare as numbers, text goes untyped so the server
 * infers it from the column (a NULL fits any column).
 *
 * Queries fetch their whole result (PQexecParams), not row by row: the
 * store writes while it iterates (db_run inside a db_step loop), and a
 * libpq connection cannot start a command while another streams rows.
 * db_query_stream is the exception, for readers that write nothing while
 * they walk (exports of a whole store): single-row mode, one row in memory
 * at a time instead of the whole result (1 GB for a million findings).
 *
 * Bulk loads use COPY FROM STDIN in text format, buffered in 64 KiB
 * chunks: a scan of 100k findings is one statement and a few round trips.
 *
 * Messages are one line, the server's primary message plus the statement,
 * and connection errors show the URL redacted (db_url_redacted) with the
 * password also scrubbed from libpq's own text, in case it quotes it.
 * Notices (e.g. "table does not exist, skipping") are swallowed: the
 * session runs with client_min_messages=warning and a silent notice
 * processor, since a library must not print.
 */
#include "store/db_driver.h"

#include <ctype.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

#define INT8OID 20
#define COPY_CHUNK 65536

typedef struct pg_db {
    struct db base;
    PGconn *conn;
} pg_db;

typedef struct pg_stmt {
    struct db_stmt base;
    PGresult *res;
    int row, nrows;
    bool stream, done; /* db_query_stream: rows arrive one PGresult each */
} pg_stmt;

typedef struct pg_copy {
    struct db_copy base;
    buf out;
    size_t ncols;
    bool failed;
} pg_copy;

static pg_db *PG(db *d)
{
    return (pg_db *)d;
}

/* ---- placeholders ---- */

static bool ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '$';
}

/* Length of a dollar-quote opening tag at s ("$$" or "$tag$"), else 0. */
static size_t dollar_tag(const char *s, size_t i)
{
    if (s[i] != '$' || (i > 0 && ident_char(s[i - 1]))) return 0;
    size_t j = i + 1;
    if (isdigit((unsigned char)s[j])) return 0; /* $1: a parameter */
    while (isalnum((unsigned char)s[j]) || s[j] == '_')
        j++;
    return s[j] == '$' ? j + 1 - i : 0;
}

/* A literal ('' doubles a quote; in E'...' a backslash escapes). */
static size_t skip_literal(const char *s, size_t i)
{
    bool esc = i > 0 && (s[i - 1] == 'E' || s[i - 1] == 'e') && (i < 2 || !ident_char(s[i - 2]));
    for (i++; s[i]; i++) {
        if ((esc && s[i] == '\\' && s[i + 1]) || (s[i] == '\'' && s[i + 1] == '\''))
            i++;
        else if (s[i] == '\'')
            return i + 1;
    }
    return i;
}

static size_t skip_identifier(const char *s, size_t i)
{
    for (i++; s[i]; i++) {
        if (s[i] == '"' && s[i + 1] == '"')
            i++;
        else if (s[i] == '"')
            return i + 1;
    }
    return i;
}

/* Block comments nest in PostgreSQL. */
static size_t skip_block_comment(const char *s, size_t i)
{
    int depth = 0;
    while (s[i]) {
        if (s[i] == '/' && s[i + 1] == '*') {
            depth++;
            i += 2;
        } else if (s[i] == '*' && s[i + 1] == '/') {
            i += 2;
            if (--depth == 0) return i;
        } else {
            i++;
        }
    }
    return i;
}

static size_t skip_dollar_quote(const char *s, size_t i, size_t tag)
{
    const char *end;
    for (end = s + i + tag; *end; end++)
        if (!strncmp(end, s + i, tag)) return (size_t)(end - s) + tag;
    return (size_t)(end - s);
}

/* Index just past the quoted or commented run that starts at i, or i when
 * none starts there. */
static size_t skip_quoted(const char *s, size_t i)
{
    if (s[i] == '\'') return skip_literal(s, i);
    if (s[i] == '"') return skip_identifier(s, i);
    if (s[i] == '-' && s[i + 1] == '-') return i + strcspn(s + i, "\n");
    if (s[i] == '/' && s[i + 1] == '*') return skip_block_comment(s, i);
    size_t tag = dollar_tag(s, i);
    return tag ? skip_dollar_quote(s, i, tag) : i;
}

/* sql with each "?" outside quotes replaced by $n; *n gets the count. */
static char *rewrite_qmarks(const char *sql, size_t *n)
{
    buf b = BUF_INIT;
    *n = 0;
    for (size_t i = 0; sql[i];) {
        size_t j = skip_quoted(sql, i);
        if (j > i) {
            buf_append(&b, sql + i, j - i);
            i = j;
        } else if (sql[i] == '?') {
            buf_printf(&b, "$%zu", ++*n);
            i++;
        } else {
            buf_putc(&b, sql[i++]);
        }
    }
    if (!b.data) buf_puts(&b, "");
    return buf_steal(&b);
}

/* ---- errors ---- */

/* One line: libpq and the server use newlines and tabs for layout. */
static void one_line(char *s)
{
    char *w = s;
    for (char *r = s; *r; r++) {
        if (*r == '\n' || *r == '\t' || *r == '\r') {
            if (w > s && w[-1] != ' ') *w++ = ' ';
        } else {
            *w++ = *r;
        }
    }
    while (w > s && w[-1] == ' ')
        w--;
    *w = '\0';
}

static void res_err(pg_db *p, const PGresult *res, const char *sql)
{
    const char *prim = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
    char *msg = db_strdupf("%s%s%s", prim ? prim : PQerrorMessage(p->conn), detail ? ": " : "",
                           detail ? detail : "");
    one_line(msg);
    if (sql)
        db_set_err(&p->base, "%s (in: %.200s)", msg, sql);
    else
        db_set_err(&p->base, "%s", msg);
    free(msg);
}

/* Checks a result; clears it on failure. */
static bool res_ok(pg_db *p, PGresult *res, const char *sql)
{
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) return true;
    res_err(p, res, sql);
    PQclear(res);
    return false;
}

/* ---- execution ---- */

typedef struct pg_params {
    const char **values;
    Oid *types;
    char (*ints)[24];
} pg_params;

static void params_free(pg_params *pp)
{
    free(pp->values);
    free(pp->types);
    free(pp->ints);
}

static void params_make(pg_params *pp, const db_val *p, size_t n)
{
    size_t m = n ? n : 1;
    pp->values = calloc(m, sizeof *pp->values);
    pp->types = calloc(m, sizeof *pp->types);
    pp->ints = calloc(m, sizeof *pp->ints);
    if (!pp->values || !pp->types || !pp->ints) abort();
    for (size_t i = 0; i < n; i++) {
        if (p[i].kind == DB_INT) {
            snprintf(pp->ints[i], sizeof pp->ints[i], "%" PRId64, p[i].i);
            pp->values[i] = pp->ints[i];
            pp->types[i] = INT8OID;
        } else {
            pp->values[i] = p[i].s;
        }
    }
}

/* Runs one statement with parameters; NULL on error (message set). */
static PGresult *pg_exec_params(pg_db *p, const char *sql, const db_val *params, size_t n)
{
    size_t want;
    char *q = rewrite_qmarks(sql, &want);
    if (want != n) {
        db_set_err(&p->base, "statement takes %zu parameters, %zu given (in: %.200s)", want, n,
                   sql);
        free(q);
        return NULL;
    }
    pg_params pp;
    params_make(&pp, params, n);
    PGresult *res = PQexecParams(p->conn, q, (int)n, pp.types, pp.values, NULL, NULL, 0);
    params_free(&pp);
    free(q);
    return res_ok(p, res, sql) ? res : NULL;
}

static void pg_close(db *d)
{
    PQfinish(PG(d)->conn);
    db_base_free(d);
    free(d);
}

static int pg_exec(db *d, const char *sql)
{
    PGresult *res = PQexec(PG(d)->conn, sql);
    if (!res_ok(PG(d), res, sql)) return -1;
    PQclear(res);
    return 0;
}

static int64_t pg_run(db *d, const char *sql, const db_val *params, size_t nparams)
{
    PGresult *res = pg_exec_params(PG(d), sql, params, nparams);
    if (!res) return -1;
    int64_t n = strtoll(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    return n;
}

static int pg_begin(db *d)
{
    return pg_exec(d, "BEGIN");
}

/* COMMIT of a transaction in which a statement failed "succeeds" as a
 * rollback on PostgreSQL; report it as the failure it is. */
static int pg_commit(db *d)
{
    if (PQtransactionStatus(PG(d)->conn) == PQTRANS_INERROR) {
        char *why = db_strdupf("%s", db_errmsg(d));
        pg_exec(d, "ROLLBACK");
        db_set_err(d, "commit refused, transaction rolled back: an earlier statement failed%s%s",
                   *why ? ": " : "", why);
        free(why);
        return -1;
    }
    return pg_exec(d, "COMMIT");
}

/* With no transaction open, rollback succeeds quietly and keeps the last
 * error (the caller is usually on its way to report it). */
static int pg_rollback(db *d)
{
    if (PQtransactionStatus(PG(d)->conn) == PQTRANS_IDLE) return 0;
    return pg_exec(d, "ROLLBACK");
}

static db_stmt *pg_query(db *d, const char *sql, const db_val *params, size_t nparams)
{
    PGresult *res = pg_exec_params(PG(d), sql, params, nparams);
    if (!res) return NULL;
    pg_stmt *q = calloc(1, sizeof *q);
    if (!q) abort();
    q->base.d = d;
    q->res = res;
    q->row = -1;
    q->nrows = PQntuples(res);
    return &q->base;
}

/* Reads and drops what is left of a streamed result (libpq needs every
 * PGresult read before the connection takes the next command). */
static void pg_drain(pg_stmt *q)
{
    PGconn *conn = PG(q->base.d)->conn;
    PGresult *r;
    while ((r = PQgetResult(conn)) != NULL)
        PQclear(r);
    q->done = true;
}

static db_stmt *pg_query_stream(db *d, const char *sql, const db_val *params, size_t nparams)
{
    pg_db *p = PG(d);
    size_t want;
    char *qs = rewrite_qmarks(sql, &want);
    if (want != nparams) {
        db_set_err(d, "statement takes %zu parameters, %zu given (in: %.200s)", want, nparams, sql);
        free(qs);
        return NULL;
    }
    pg_params pp;
    params_make(&pp, params, nparams);
    int sent = PQsendQueryParams(p->conn, qs, (int)nparams, pp.types, pp.values, NULL, NULL, 0);
    params_free(&pp);
    free(qs);
    if (!sent) {
        db_set_err(d, "%s (in: %.200s)", PQerrorMessage(p->conn), sql);
        return NULL;
    }
    pg_stmt *q = calloc(1, sizeof *q);
    if (!q) abort();
    q->base.d = d;
    q->stream = true;
    q->row = -1;
    if (!PQsetSingleRowMode(p->conn)) {
        db_set_err(d, "cannot stream the result (in: %.200s)", sql);
        pg_drain(q);
        free(q);
        return NULL;
    }
    return &q->base;
}

static int pg_step_stream(pg_stmt *q)
{
    PQclear(q->res);
    q->res = NULL;
    q->row = -1;
    q->nrows = 0;
    if (q->done) return 0;
    PGresult *r = PQgetResult(PG(q->base.d)->conn);
    if (r && PQresultStatus(r) == PGRES_SINGLE_TUPLE) {
        q->res = r;
        q->row = 0;
        q->nrows = 1;
        return 1;
    }
    int rc = 0;
    if (r && PQresultStatus(r) != PGRES_TUPLES_OK) {
        res_err(PG(q->base.d), r, "a streamed query");
        rc = -1;
    }
    PQclear(r);
    pg_drain(q);
    return rc;
}

static int pg_step(db_stmt *qs)
{
    pg_stmt *q = (pg_stmt *)qs;
    if (q->stream) return pg_step_stream(q);
    if (q->row < q->nrows) q->row++;
    return q->row < q->nrows ? 1 : 0;
}

static size_t pg_ncols(const db_stmt *qs)
{
    return (size_t)PQnfields(((const pg_stmt *)qs)->res);
}

static bool pg_col_null(const db_stmt *qs, size_t i)
{
    const pg_stmt *q = (const pg_stmt *)qs;
    if (q->row < 0 || q->row >= q->nrows || i >= (size_t)PQnfields(q->res)) return true;
    return PQgetisnull(q->res, q->row, (int)i) != 0;
}

static const char *pg_col_text(const db_stmt *qs, size_t i)
{
    const pg_stmt *q = (const pg_stmt *)qs;
    if (pg_col_null(qs, i)) return NULL;
    return PQgetvalue(q->res, q->row, (int)i);
}

/* Integers arrive as text; booleans as "t"/"f". */
static int64_t pg_col_int(const db_stmt *qs, size_t i)
{
    const char *v = pg_col_text(qs, i);
    if (!v) return 0;
    if (!strcmp(v, "t")) return 1;
    return strtoll(v, NULL, 10);
}

static void pg_finish(db_stmt *qs)
{
    pg_stmt *q = (pg_stmt *)qs;
    PQclear(q->res);
    if (q->stream && !q->done) pg_drain(q);
    free(q);
}

/* ---- copy ---- */

static db_copy *pg_copy_begin(db *d, const char *table, const char *columns, size_t ncols)
{
    pg_db *p = PG(d);
    char *sql = db_strdupf("COPY %s (%s) FROM STDIN", table, columns);
    PGresult *res = PQexec(p->conn, sql);
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        res_err(p, res, sql);
        PQclear(res);
        free(sql);
        return NULL;
    }
    PQclear(res);
    free(sql);
    pg_copy *c = calloc(1, sizeof *c);
    if (!c) abort();
    c->base.d = d;
    c->ncols = ncols;
    return &c->base;
}

/* COPY text format: \N is NULL; backslash, tab, newline and CR escaped. */
static void copy_text(buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '\\':
            buf_append(b, "\\\\", 2);
            break;
        case '\t':
            buf_append(b, "\\t", 2);
            break;
        case '\n':
            buf_append(b, "\\n", 2);
            break;
        case '\r':
            buf_append(b, "\\r", 2);
            break;
        default:
            buf_putc(b, *s);
        }
    }
}

static int copy_flush(pg_copy *c)
{
    pg_db *p = PG(c->base.d);
    if (c->out.len && PQputCopyData(p->conn, c->out.data, (int)c->out.len) != 1) {
        db_set_err(&p->base, "copy: %s", PQerrorMessage(p->conn));
        c->failed = true;
    }
    buf_reset(&c->out);
    return c->failed ? -1 : 0;
}

static int pg_copy_row(db_copy *cc, const db_val *v)
{
    pg_copy *c = (pg_copy *)cc;
    if (c->failed) return -1;
    for (size_t i = 0; i < c->ncols; i++) {
        if (i) buf_putc(&c->out, '\t');
        if (v[i].kind == DB_INT)
            buf_printf(&c->out, "%" PRId64, v[i].i);
        else if (!v[i].s)
            buf_append(&c->out, "\\N", 2);
        else
            copy_text(&c->out, v[i].s);
    }
    buf_putc(&c->out, '\n');
    return c->out.len >= COPY_CHUNK ? copy_flush(c) : 0;
}

static int pg_copy_end(db_copy *cc)
{
    pg_copy *c = (pg_copy *)cc;
    pg_db *p = PG(cc->d);
    if (!c->failed) copy_flush(c);
    bool failed = c->failed;
    if (PQputCopyEnd(p->conn, failed ? "custos: copy aborted" : NULL) != 1 && !failed) {
        db_set_err(&p->base, "copy: %s", PQerrorMessage(p->conn));
        failed = true;
    }
    PGresult *res;
    while ((res = PQgetResult(p->conn)) != NULL) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && !failed) {
            res_err(p, res, "COPY");
            failed = true;
        }
        PQclear(res);
    }
    buf_free(&c->out);
    free(c);
    return failed ? -1 : 0;
}

static const db_ops pg_ops = {
    .close = pg_close,
    .exec = pg_exec,
    .run = pg_run,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .query = pg_query,
    .query_stream = pg_query_stream,
    .step = pg_step,
    .ncols = pg_ncols,
    .col_text = pg_col_text,
    .col_int = pg_col_int,
    .col_null = pg_col_null,
    .finish = pg_finish,
    .copy_begin = pg_copy_begin,
    .copy_row = pg_copy_row,
    .copy_end = pg_copy_end,
};

/* ---- connecting ---- */

static void swallow_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* The URL's password, if any (malloc'd), for scrubbing messages. */
static char *url_password(const char *url)
{
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse(url, &err);
    PQfreemem(err);
    char *pw = NULL;
    for (PQconninfoOption *o = opts; o && o->keyword; o++)
        if (!strcmp(o->keyword, "password") && o->val && *o->val) pw = db_strdupf("%s", o->val);
    PQconninfoFree(opts);
    return pw;
}

/* msg with every occurrence of pw replaced by "***" (malloc'd). */
static char *scrub(const char *msg, const char *pw)
{
    buf b = BUF_INIT;
    size_t n = pw ? strlen(pw) : 0;
    for (const char *s = msg; *s;) {
        if (n && !strncmp(s, pw, n)) {
            buf_puts(&b, "***");
            s += n;
        } else {
            buf_putc(&b, *s++);
        }
    }
    if (!b.data) buf_puts(&b, "");
    return buf_steal(&b);
}

static char *connect_error(const char *url, PGconn *conn)
{
    char *red = db_url_redacted(url);
    char *pw = url_password(url);
    char *raw = db_strdupf("%s", conn ? PQerrorMessage(conn) : "out of memory");
    one_line(raw);
    char *clean = scrub(raw, pw);
    char *msg = db_strdupf("cannot connect to %s: %s", red, clean);
    free(red);
    free(pw);
    free(raw);
    free(clean);
    return msg;
}

int db_pg_open(const char *url, db **out, char **err)
{
    *out = NULL;
    /* Defaults first: the URL's own settings override them. */
    const char *keys[] = {"connect_timeout", "client_encoding", "fallback_application_name",
                          "dbname", NULL};
    const char *vals[] = {"10", "UTF8", "custos", url, NULL};
    PGconn *conn = PQconnectdbParams(keys, vals, 1);
    if (!conn || PQstatus(conn) != CONNECTION_OK) {
        *err = connect_error(url, conn);
        PQfinish(conn);
        return -1;
    }
    PQsetNoticeProcessor(conn, swallow_notice, NULL);
    pg_db *p = calloc(1, sizeof *p);
    if (!p) abort();
    p->base.ops = &pg_ops;
    p->base.dialect = DB_POSTGRES;
    p->conn = conn;
    if (pg_exec(&p->base, "SET client_min_messages = warning") != 0) {
        char *red = db_url_redacted(url);
        *err = db_strdupf("cannot set up %s: %s", red, db_errmsg(&p->base));
        free(red);
        pg_close(&p->base);
        return -1;
    }
    *out = &p->base;
    return 0;
}
