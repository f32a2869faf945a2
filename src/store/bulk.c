/* bulk.c - writing a large share of a table: its indexes rebuilt, not
 * updated row by row (issue 11).
 *
 * The findings table carries ten secondary indexes (the dashboard's lists
 * in list order, covering, migrations 2-5), so every inserted row, and
 * every update of a listed column (status, priority, ...), is eleven
 * b-tree writes at random places.  A first scan of 175k findings spent
 * 6 s of its 9.5 s there; the second (every finding new -> open) as
 * long.  Building an index from scratch sorts its keys once and writes
 * its pages in order: all ten over the same table take 2 s.  So a scan
 * that writes at least a third of a table's rows drops that table's
 * secondary indexes inside its transaction, writes, and creates them
 * again from the definitions it read (sqlite_master / pg_indexes), so a
 * later migration's indexes come back as it wrote them.
 *
 * Safety is the transaction's: DDL is transactional on both back ends, so
 * a kill -9 anywhere leaves the previous scan and its indexes, and
 * readers meanwhile see the committed state (SQLite's WAL snapshot;
 * PostgreSQL's readers of the table wait for the commit, which only the
 * first scans of a store pay, since a rescan writes a few rows).
 * Constraint indexes (primary keys, UNIQUE) are kept: the writes need
 * them for their conflict checks and lookups.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

/* A table's secondary index definitions, to recreate. */
static int read_defs(store *s, const char *table, store_bulk *b)
{
    db_val p[] = {DB_S(table)};
    const char *sql =
        db_dialect(s->d) == DB_SQLITE
            ? "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND "
              "sql IS NOT NULL ORDER BY name"
            : "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ? AND "
              "i.schemaname = current_schema() AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
              "WHERE c.conname = i.indexname AND c.connamespace = "
              "(SELECT oid FROM pg_namespace WHERE nspname = current_schema())) ORDER BY 1";
    db_stmt *q = db_query(s->d, sql, p, 1);
    if (!q) return -1;
    size_t cap = 0;
    int rc;
    while ((rc = db_step(q)) == 1) {
        const char *name = db_col_text(q, 0), *def = db_col_text(q, 1);
        if (!name || !def) continue;
        if (b->n == cap) {
            cap = cap ? 2 * cap : 16;
            b->names = realloc(b->names, cap * sizeof *b->names);
            b->defs = realloc(b->defs, cap * sizeof *b->defs);
            if (!b->names || !b->defs) abort();
        }
        b->names[b->n] = strdup(name);
        b->defs[b->n] = strdup(def);
        if (!b->names[b->n] || !b->defs[b->n]) abort();
        b->n++;
    }
    db_finish(q);
    return rc < 0 ? -1 : 0;
}

/* Test hook: CUSTOS_DEBUG_BULK_MIN=N rebuilds for every scan that writes
 * N rows or more, whatever the table's size (1: the small test
 * organisations take this path; a huge value: never). */
bool store_bulk_worth(int64_t writes, int64_t table_rows)
{
    const char *v = getenv("CUSTOS_DEBUG_BULK_MIN");
    if (v && *v) return writes >= atoll(v);
    /* Rebuilding costs about a third of writing each row's entries one
     * by one (the figures above), measured over the whole table; below
     * 10,000 writes either way is milliseconds. */
    return writes >= 10000 && writes * 3 >= table_rows;
}

int store_bulk_begin(store *s, const char *table, store_bulk *b)
{
    memset(b, 0, sizeof *b);
    if (read_defs(s, table, b) < 0) {
        store_bulk_free(b);
        return fail(s, "cannot read the table's indexes");
    }
    char sql[256];
    for (size_t i = 0; i < b->n; i++) {
        snprintf(sql, sizeof sql, "DROP INDEX %s", b->names[i]);
        if (db_exec(s->d, sql) < 0) {
            store_bulk_free(b);
            return fail(s, "cannot drop an index for a bulk write");
        }
    }
    b->active = true;
    return 0;
}

int store_bulk_end(store *s, store_bulk *b)
{
    int rc = 0;
    for (size_t i = 0; b->active && i < b->n && rc == 0; i++)
        if (db_exec(s->d, b->defs[i]) < 0) rc = fail(s, "cannot rebuild an index");
    return rc;
}

void store_bulk_free(store_bulk *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->names[i]);
        free(b->defs[i]);
    }
    free(b->names);
    free(b->defs);
    memset(b, 0, sizeof *b);
}
