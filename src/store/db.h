/* db.h - one SQL interface over SQLite and PostgreSQL.
 *
 * The store (store.h) writes its SQL once, against this interface; each
 * back end (db_sqlite.c, db_pg.c) translates.  The contract:
 *  - URLs: "sqlite:PATH" (file created on first use; "sqlite::memory:" for
 *    tests) and "postgresql://..." / "postgres://..." (libpq conninfo URI).
 *  - SQL uses "?" placeholders; the PostgreSQL driver rewrites them to $1..$n
 *    (a "?" inside a quoted string literal is left alone).  Parameters and
 *    columns are text or 64-bit integers; NULL is a NULL text pointer.
 *  - Statements are portable SQL both engines accept (INSERT ... ON
 *    CONFLICT, UPDATE ... FROM, RETURNING).  db_dialect() lets DDL differ
 *    (auto-increment keys) where they do not.
 *  - Bulk loading goes through db_copy_*: COPY FROM STDIN on PostgreSQL, a
 *    prepared INSERT on SQLite, so a scan of 100k findings is one stream,
 *    not 100k round trips.
 *  - Errors never print: every call returns 0 / -1 (or a row flag) and
 *    db_errmsg() says what failed, with the engine's own message.
 *  - Not thread-safe: one db handle per thread.
 * Credentials in a URL are never echoed: db_url_redacted() gives the form
 * to show users.
 */
#ifndef CUSTOS_DB_H
#define CUSTOS_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct db db;
typedef struct db_stmt db_stmt;

typedef enum { DB_SQLITE, DB_POSTGRES } db_dialect_t;

/* A parameter: text (NULL = SQL NULL) or integer. */
typedef struct db_val {
    enum { DB_TEXT, DB_INT } kind;
    const char *s;
    int64_t i;
} db_val;
#define DB_S(x) ((db_val){.kind = DB_TEXT, .s = (x)})
#define DB_I(x) ((db_val){.kind = DB_INT, .i = (int64_t)(x)})

/* Opens url.  On failure returns -1 and, when err is not NULL, a malloc'd
 * message in *err (credentials redacted). */
int db_open(const char *url, db **out, char **err);
void db_close(db *d); /* NULL is fine */
db_dialect_t db_dialect(const db *d);
const char *db_errmsg(const db *d); /* last error, "" when none */
/* url with any password replaced by "***" (malloc'd). */
char *db_url_redacted(const char *url);

/* Runs one or more statements without parameters (DDL, BEGIN, ...). */
int db_exec(db *d, const char *sql);
/* Runs one statement with parameters; returns rows changed, or -1. */
int64_t db_run(db *d, const char *sql, const db_val *params, size_t nparams);

int db_begin(db *d); /* BEGIN (IMMEDIATE on SQLite: take the write lock now) */
int db_commit(db *d);
int db_rollback(db *d);

/* Queries: prepare, bind, step through rows, finish.  Column values stay
 * valid until the next db_step or db_finish. */
db_stmt *db_query(db *d, const char *sql, const db_val *params, size_t nparams);
/* The same, holding one row at a time whatever the result's size; no
 * other statement may run on d until it is finished. */
db_stmt *db_query_stream(db *d, const char *sql, const db_val *params, size_t nparams);
int db_step(db_stmt *s); /* 1 = a row, 0 = done, -1 = error (db_errmsg) */
size_t db_ncols(const db_stmt *s);
const char *db_col_text(const db_stmt *s, size_t i); /* NULL for SQL NULL */
int64_t db_col_int(const db_stmt *s, size_t i);      /* 0 for NULL */
bool db_col_null(const db_stmt *s, size_t i);
void db_finish(db_stmt *s); /* NULL is fine */

/* One integer from a single-row query (e.g. SELECT count(*)); returns 0 and
 * sets *out, 1 when there is no row (*out untouched), -1 on error. */
int db_query_int(db *d, const char *sql, const db_val *params, size_t nparams, int64_t *out);

/* Bulk insert of rows into table(columns...), e.g. ("seen", "a,b,c", 3). */
typedef struct db_copy db_copy;
db_copy *db_copy_begin(db *d, const char *table, const char *columns, size_t ncols);
int db_copy_row(db_copy *c, const db_val *values); /* ncols values */
int db_copy_end(db_copy *c);                       /* finishes and frees; -1 on any error */

#endif
