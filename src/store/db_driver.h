/* db_driver.h - what a back end of db.h provides (internal to src/store).
 *
 * db.c dispatches every public call through the driver's ops table.  Each
 * driver's handle, statement and copy structs start with the base structs
 * below, so db.c can reach the ops and the error message without knowing
 * the engine.  Drivers report errors with db_set_err / db_set_errv; a
 * message stays until the next error (so an error path may roll back and
 * still show the original failure).
 */
#ifndef CUSTOS_DB_DRIVER_H
#define CUSTOS_DB_DRIVER_H

#include "store/db.h"

#include <stdarg.h>

typedef struct db_ops {
    void (*close)(db *d);
    int (*exec)(db *d, const char *sql);
    int64_t (*run)(db *d, const char *sql, const db_val *params, size_t nparams);
    int (*begin)(db *d);
    int (*commit)(db *d);
    int (*rollback)(db *d);
    db_stmt *(*query)(db *d, const char *sql, const db_val *params, size_t nparams);
    /* NULL: query already streams (SQLite) */
    db_stmt *(*query_stream)(db *d, const char *sql, const db_val *params, size_t nparams);
    int (*step)(db_stmt *s);
    size_t (*ncols)(const db_stmt *s);
    const char *(*col_text)(const db_stmt *s, size_t i);
    int64_t (*col_int)(const db_stmt *s, size_t i);
    bool (*col_null)(const db_stmt *s, size_t i);
    void (*finish)(db_stmt *s);
    db_copy *(*copy_begin)(db *d, const char *table, const char *columns, size_t ncols);
    int (*copy_row)(db_copy *c, const db_val *values);
    int (*copy_end)(db_copy *c);
} db_ops;

struct db {
    const db_ops *ops;
    db_dialect_t dialect;
    char *err; /* malloc'd, NULL = no error yet */
};

struct db_stmt {
    db *d;
};

struct db_copy {
    db *d;
};

void db_set_err(db *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void db_set_errv(db *d, const char *fmt, va_list ap);
void db_base_free(db *d); /* frees the base's own memory (not d itself) */

/* Driver entry points.  url is the whole URL (for messages); on failure
 * they return -1 and a malloc'd message in *err. */
int db_sqlite_open(const char *url, const char *path, db **out, char **err);
int db_pg_open(const char *url, db **out, char **err);

/* printf into a fresh malloc'd string. */
char *db_strdupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
