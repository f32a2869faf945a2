/* test_db.c - the db.h driver contract, on SQLite and on PostgreSQL.
 *
 * Every contract test runs once per back end, named "<test>/sqlite" and
 * "<test>/pg".  SQLite always runs (a file in a temp directory, so commits
 * can be checked across a reopen).  PostgreSQL runs against
 * $CUSTOS_TEST_PG, which tests/run.sh sets after starting a server on
 * loopback (scripts/pg-test.sh); when run.sh could not start one it sets
 * $CUSTOS_TEST_PG_ERROR instead and the PostgreSQL tests FAIL with that
 * reason.  Run alone without either, the PostgreSQL half is skipped with a
 * note.  Tables are named tdb_* and dropped first, so reruns are clean.
 */
#include "store/db.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "t.h"

static const char *g_url; /* back end under test */
static const char *g_label;
static char g_tmpdir[64];

/* RUN with a per-back-end name. */
#define RUN_ON(fn)                                                                                 \
    do {                                                                                           \
        static char t_label[128];                                                                  \
        snprintf(t_label, sizeof t_label, "%s/%s", #fn, g_label);                                  \
        t_name = t_label;                                                                          \
        t_failed_now = 0;                                                                          \
        fn();                                                                                      \
        if (!t_failed_now) printf("PASS %s\n", t_label);                                           \
        t_failed_total += t_failed_now;                                                            \
    } while (0)

#define CHECK_OK(d, call)                                                                          \
    do {                                                                                           \
        if ((call) < 0) {                                                                          \
            if (!t_failed_now)                                                                     \
                printf("FAIL %s: %s:%d: %s: %s\n", t_name, __FILE__, __LINE__, #call,              \
                       db_errmsg(d));                                                              \
            t_failed_now = 1;                                                                      \
        }                                                                                          \
    } while (0)

static db *open_db(void)
{
    db *d = NULL;
    char *err = NULL;
    if (db_open(g_url, &d, &err) != 0) {
        printf("FAIL %s: cannot open the test database: %s\n", t_name, err ? err : "?");
        t_failed_now = 1;
        free(err);
        return NULL;
    }
    return d;
}

static int64_t count(db *d, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    int64_t n = -1;
    if (db_query_int(d, sql, NULL, 0, &n) != 0) return -1;
    return n;
}

static const char *DDL_T = "DROP TABLE IF EXISTS tdb_t;"
                           "CREATE TABLE tdb_t (id BIGINT PRIMARY KEY, name TEXT, n BIGINT);";

TEST(exec_ddl)
{
    db *d = open_db();
    if (!d) return;
    CHECK(db_dialect(d) == (strncmp(g_url, "sqlite:", 7) == 0 ? DB_SQLITE : DB_POSTGRES));
    CHECK_OK(d, db_exec(d, DDL_T));
    CHECK_OK(d, db_exec(d, "INSERT INTO tdb_t VALUES (1, 'a', 1); INSERT INTO tdb_t VALUES (2, "
                           "'b', 2);"));
    CHECK(count(d, "tdb_t") == 2);
    db_close(d);
}

TEST(run_params)
{
    db *d = open_db();
    if (!d) return;
    CHECK_OK(d, db_exec(d, DDL_T));
    const char *ins = "INSERT INTO tdb_t (id, name, n) VALUES (?, ?, ?)";
    for (int i = 1; i <= 5; i++) {
        char name[16];
        snprintf(name, sizeof name, "row%d", i);
        db_val p[] = {DB_I(i), DB_S(name), DB_I(i * 10)};
        CHECK(db_run(d, ins, p, 3) == 1);
    }
    db_val up[] = {DB_S("big"), DB_I(20)};
    CHECK(db_run(d, "UPDATE tdb_t SET name = ? WHERE n > ?", up, 2) == 3);
    db_val q[] = {DB_S("big")};
    int64_t n = 0;
    CHECK(db_query_int(d, "SELECT count(*) FROM tdb_t WHERE name = ?", q, 1, &n) == 0);
    CHECK(n == 3);
    CHECK(db_run(d, "DELETE FROM tdb_t WHERE id = ?", (db_val[]){DB_I(99)}, 1) == 0);
    db_close(d);
}

/* A "?" inside a literal, a quoted identifier or a comment is not a
 * parameter; '' inside a literal does not end it. */
TEST(qmark_in_literal)
{
    db *d = open_db();
    if (!d) return;
    CHECK_OK(d, db_exec(d, DDL_T));
    db_val p[] = {DB_I(1)};
    CHECK(db_run(d,
                 "INSERT INTO tdb_t (id, name) /* why? */ VALUES (?, 'it''s ? what?')"
                 " -- really?\n",
                 p, 1) == 1);
    db_val x[] = {DB_S("x?")};
    db_stmt *s = db_query(d, "SELECT name AS \"q?\", ? FROM tdb_t WHERE name LIKE '%?%'", x, 1);
    CHECK(s != NULL);
    if (s) {
        CHECK(db_step(s) == 1);
        CHECK_STR(db_col_text(s, 0), "it's ? what?");
        CHECK_STR(db_col_text(s, 1), "x?");
        CHECK(db_step(s) == 0);
        db_finish(s);
    }
    db_close(d);
}

TEST(null_text)
{
    db *d = open_db();
    if (!d) return;
    CHECK_OK(d, db_exec(d, DDL_T));
    db_val p[] = {DB_I(1), DB_S(NULL), DB_S(NULL)};
    CHECK(db_run(d, "INSERT INTO tdb_t (id, name, n) VALUES (?, ?, ?)", p, 3) == 1);
    db_val p2[] = {DB_I(2), DB_S(""), DB_I(0)};
    CHECK(db_run(d, "INSERT INTO tdb_t (id, name, n) VALUES (?, ?, ?)", p2, 3) == 1);
    db_stmt *s = db_query(d, "SELECT name, n FROM tdb_t ORDER BY id", NULL, 0);
    CHECK(s != NULL);
    if (!s) goto out;
    CHECK(db_step(s) == 1);
    CHECK(db_col_text(s, 0) == NULL);
    CHECK(db_col_null(s, 0));
    CHECK(db_col_null(s, 1));
    CHECK(db_col_int(s, 1) == 0);
    CHECK(db_step(s) == 1);
    CHECK_STR(db_col_text(s, 0), ""); /* empty is not NULL */
    CHECK(!db_col_null(s, 0));
    CHECK(!db_col_null(s, 1));
    CHECK(db_step(s) == 0);
    db_finish(s);
    int64_t n = 0;
    CHECK(db_query_int(d, "SELECT count(*) FROM tdb_t WHERE name IS NULL", NULL, 0, &n) == 0);
    CHECK(n == 1);
out:
    db_close(d);
}

TEST(int64_round_trip)
{
    db *d = open_db();
    if (!d) return;
    CHECK_OK(d, db_exec(d, DDL_T));
    const int64_t vals[] = {5000000000LL, -9000000000000000000LL, INT64_MAX, INT64_MIN + 1,
                            2147483648LL};
    for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) {
        db_val p[] = {DB_I(i), DB_I(vals[i])};
        CHECK(db_run(d, "INSERT INTO tdb_t (id, n) VALUES (?, ?)", p, 2) == 1);
    }
    for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) {
        int64_t got = 0;
        db_val p[] = {DB_I(i)};
        CHECK(db_query_int(d, "SELECT n FROM tdb_t WHERE id = ?", p, 1, &got) == 0);
        CHECK(got == vals[i]);
    }
    /* An integer parameter compares as an integer, and reads back as text. */
    db_val p[] = {DB_I(4999999999LL)};
    db_stmt *s = db_query(d, "SELECT n, id FROM tdb_t WHERE n > ? ORDER BY n", p, 1);
    CHECK(s != NULL);
    if (s) {
        CHECK(db_step(s) == 1);
        CHECK_STR(db_col_text(s, 0), "5000000000");
        CHECK(db_step(s) == 1);
        CHECK(db_col_int(s, 0) == INT64_MAX);
        CHECK(db_step(s) == 0);
        db_finish(s);
    }
    db_close(d);
}

TEST(query_rows_cols)
{
    db *d = open_db();
    if (!d) return;
    CHECK_OK(d, db_exec(d, DDL_T));
    CHECK_OK(d, db_exec(d, "INSERT INTO tdb_t VALUES (3, 'c', 30); INSERT INTO tdb_t VALUES (1, "
                           "'a', 10); INSERT INTO tdb_t VALUES (2, 'b', 20);"));
    db_stmt *s = db_query(d, "SELECT id, name, n FROM tdb_t ORDER BY id", NULL, 0);
    CHECK(s != NULL);
    if (!s) goto out;
    CHECK(db_ncols(s) == 3);
    int rows = 0;
    while (db_step(s) == 1) {
        rows++;
        CHECK(db_col_int(s, 0) == rows);
        CHECK(db_col_int(s, 2) == rows * 10);
        char want[2] = {(char)('a' + rows - 1), 0};
        CHECK_STR(db_col_text(s, 1), want);
    }
    CHECK(rows == 3);
    db_finish(s);
    /* An empty result. */
    s = db_query(d, "SELECT id FROM tdb_t WHERE id > 100", NULL, 0);
    CHECK(s && db_step(s) == 0);
    db_finish(s);
out:
    db_close(d);
}

TEST(query_int)
{
    db *d = open_db();
    if (!d) return;
    CHECK_OK(d, db_exec(d, DDL_T));
    int64_t n = 42;
    CHECK(db_query_int(d, "SELECT count(*) FROM tdb_t", NULL, 0, &n) == 0);
    CHECK(n == 0);
    n = 42;
    CHECK(db_query_int(d, "SELECT n FROM tdb_t WHERE id = 1", NULL, 0, &n) == 1);
    CHECK(n == 42); /* untouched */
    CHECK(db_query_int(d, "SELECT max(n) FROM tdb_t", NULL, 0, &n) == 0);
    CHECK(n == 0); /* NULL reads as 0 */
    CHECK(db_query_int(d, "SELECT nope FROM tdb_t", NULL, 0, &n) == -1);
    CHECK(strlen(db_errmsg(d)) > 0);
    db_close(d);
}

/* Rollback discards; commit persists across a reopen; a rollback with no
 * transaction open is harmless and keeps the last error. */
TEST(transactions)
{
    db *d = open_db();
    if (!d) return;
    CHECK_OK(d, db_exec(d, DDL_T));
    CHECK_OK(d, db_begin(d));
    db_val p[] = {DB_I(1), DB_S("gone")};
    CHECK(db_run(d, "INSERT INTO tdb_t (id, name) VALUES (?, ?)", p, 2) == 1);
    CHECK(count(d, "tdb_t") == 1);
    CHECK_OK(d, db_rollback(d));
    CHECK(count(d, "tdb_t") == 0);

    CHECK_OK(d, db_begin(d));
    db_val p2[] = {DB_I(2), DB_S("kept")};
    CHECK(db_run(d, "INSERT INTO tdb_t (id, name) VALUES (?, ?)", p2, 2) == 1);
    CHECK_OK(d, db_commit(d));

    /* An error inside a transaction, then rollback: the error message stays. */
    CHECK_OK(d, db_begin(d));
    CHECK(db_run(d, "INSERT INTO tdb_t (id, name) VALUES (?, ?)", p2, 2) == -1);
    char *why = strdup(db_errmsg(d));
    CHECK(strlen(why) > 0);
    CHECK_OK(d, db_rollback(d));
    CHECK_OK(d, db_rollback(d)); /* none open: fine */
    CHECK_STR(db_errmsg(d), why);
    free(why);
    db_close(d);

    d = open_db();
    if (!d) return;
    int64_t n = 0;
    CHECK(db_query_int(d, "SELECT count(*) FROM tdb_t WHERE name = 'kept'", NULL, 0, &n) == 0);
    CHECK(n == 1);
    CHECK(count(d, "tdb_t") == 1);
    db_close(d);
}

/* The store reads findings and writes events in the same loop, and may run
 * the same query nested: both must work on one handle. */
TEST(nested_statements)
{
    db *d = open_db();
    if (!d) return;
    CHECK_OK(d, db_exec(d, DDL_T));
    CHECK_OK(d, db_exec(d, "DROP TABLE IF EXISTS tdb_log; CREATE TABLE tdb_log (id BIGINT);"));
    for (int i = 1; i <= 3; i++)
        CHECK(db_run(d, "INSERT INTO tdb_t (id) VALUES (?)", (db_val[]){DB_I(i)}, 1) == 1);
    CHECK_OK(d, db_begin(d));
    const char *sel = "SELECT id FROM tdb_t WHERE id >= ? ORDER BY id";
    db_stmt *outer = db_query(d, sel, (db_val[]){DB_I(1)}, 1);
    CHECK(outer != NULL);
    int pairs = 0;
    while (outer && db_step(outer) == 1) {
        int64_t id = db_col_int(outer, 0);
        CHECK(db_run(d, "INSERT INTO tdb_log (id) VALUES (?)", (db_val[]){DB_I(id)}, 1) == 1);
        db_stmt *inner = db_query(d, sel, (db_val[]){DB_I(id)}, 1);
        CHECK(inner != NULL);
        while (inner && db_step(inner) == 1)
            pairs++;
        db_finish(inner);
    }
    db_finish(outer);
    CHECK_OK(d, db_commit(d));
    CHECK(pairs == 6);
    CHECK(count(d, "tdb_log") == 3);
    db_close(d);
}

static const char *const COPY_TEXTS[] = {
    "plain",       "tab\there", "new\nline", "cr\rreturn",
    "back\\slash", "\\N",       "",          "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x99\x82",
    "quote'\"",    "end\\",     "a,b;c|d",   NULL,
};
#define NTEXTS (sizeof COPY_TEXTS / sizeof *COPY_TEXTS)

TEST(copy_rows)
{
    db *d = open_db();
    if (!d) return;
    CHECK_OK(d, db_exec(d, DDL_T));
    CHECK_OK(d, db_begin(d));
    db_copy *c = db_copy_begin(d, "tdb_t", "id, name, n", 3);
    CHECK(c != NULL);
    if (!c) goto out;
    const int rows = 2000;
    for (int i = 0; i < rows; i++) {
        db_val v[] = {DB_I(i), DB_S(COPY_TEXTS[i % NTEXTS]), DB_I((int64_t)i * 3000000000LL)};
        if (i % 7 == 3) v[2] = DB_S(NULL);
        CHECK_OK(d, db_copy_row(c, v));
    }
    CHECK_OK(d, db_copy_end(c));
    CHECK_OK(d, db_commit(d));
    CHECK(count(d, "tdb_t") == rows);
    db_stmt *s = db_query(d, "SELECT id, name, n FROM tdb_t ORDER BY id", NULL, 0);
    CHECK(s != NULL);
    int i = 0;
    while (s && db_step(s) == 1) {
        CHECK(db_col_int(s, 0) == i);
        const char *want = COPY_TEXTS[i % NTEXTS];
        if (want)
            CHECK_STR(db_col_text(s, 1), want);
        else
            CHECK(db_col_null(s, 1));
        if (i % 7 == 3)
            CHECK(db_col_null(s, 2));
        else
            CHECK(db_col_int(s, 2) == (int64_t)i * 3000000000LL);
        i++;
    }
    CHECK(i == rows);
    db_finish(s);
out:
    db_close(d);
}

/* A failing copy inserts nothing and leaves the handle usable. */
TEST(copy_errors)
{
    db *d = open_db();
    if (!d) return;
    CHECK_OK(d, db_exec(d, DDL_T));
    CHECK(db_copy_begin(d, "tdb_missing", "id", 1) == NULL);
    CHECK(strlen(db_errmsg(d)) > 0);
    db_copy *c = db_copy_begin(d, "tdb_t", "id, name", 2);
    CHECK(c != NULL);
    if (c) {
        db_copy_row(c, (db_val[]){DB_I(1), DB_S("x")});
        db_copy_row(c, (db_val[]){DB_I(1), DB_S("duplicate key")});
        CHECK(db_copy_end(c) == -1);
        CHECK(strlen(db_errmsg(d)) > 0);
    }
    CHECK(count(d, "tdb_t") == 0);
    CHECK(db_run(d, "INSERT INTO tdb_t (id) VALUES (?)", (db_val[]){DB_I(7)}, 1) == 1);
    db_close(d);
}

TEST(sql_errors)
{
    db *d = open_db();
    if (!d) return;
    CHECK(db_exec(d, "CREATE TABLEX oops") == -1);
    CHECK(strlen(db_errmsg(d)) > 0);
    CHECK(db_run(d, "SELEKT 1", NULL, 0) == -1);
    CHECK(strstr(db_errmsg(d), "SELEKT") != NULL);
    CHECK(db_query(d, "SELECT * FROM tdb_no_such_table", NULL, 0) == NULL);
    CHECK(strstr(db_errmsg(d), "tdb_no_such_table") != NULL);
    /* Parameter count mismatch. */
    CHECK(db_run(d, "SELECT ?, ?", (db_val[]){DB_I(1)}, 1) == -1);
    /* The handle still works. */
    int64_t n = 0;
    CHECK(db_query_int(d, "SELECT 1 + 1", NULL, 0, &n) == 0);
    CHECK(n == 2);
    db_close(d);
}

static void expect_open_fails(const char *url, const char *want, const char *never);

/* ---- PostgreSQL only ---- */

/* PostgreSQL's other quotings also hide a "?". */
TEST(pg_placeholders)
{
    db *d = open_db();
    if (!d) return;
    db_val two[] = {DB_S("one"), DB_S("two")};
    db_stmt *s = db_query(d,
                          "SELECT E'it\\'s ?', $$do?$$, $t$a?$t$, ? /* a /* nested? */ ? */,"
                          " 'x' || ? AS \"w?\"",
                          two, 2);
    CHECK(s != NULL);
    if (s) {
        CHECK(db_step(s) == 1);
        CHECK_STR(db_col_text(s, 0), "it's ?");
        CHECK_STR(db_col_text(s, 1), "do?");
        CHECK_STR(db_col_text(s, 2), "a?");
        CHECK_STR(db_col_text(s, 3), "one");
        CHECK_STR(db_col_text(s, 4), "xtwo");
        db_finish(s);
    }
    db_close(d);
}

/* A failed statement dooms a PostgreSQL transaction; commit must say so
 * rather than report success for what the server rolled back. */
TEST(pg_commit_after_error)
{
    db *d = open_db();
    if (!d) return;
    CHECK_OK(d, db_exec(d, DDL_T));
    CHECK_OK(d, db_begin(d));
    CHECK(db_run(d, "INSERT INTO tdb_t (id) VALUES (?)", (db_val[]){DB_I(1)}, 1) == 1);
    CHECK(db_run(d, "INSERT INTO tdb_t (id) VALUES (?)", (db_val[]){DB_I(1)}, 1) == -1);
    CHECK(db_commit(d) == -1);
    CHECK(strstr(db_errmsg(d), "rolled back") != NULL);
    CHECK(count(d, "tdb_t") == 0);
    db_close(d);
}

/* Notices never reach stderr. */
TEST(pg_quiet)
{
    db *d = open_db();
    if (!d) return;
    fflush(stderr);
    int saved = dup(2);
    FILE *tmp = tmpfile();
    CHECK(saved >= 0 && tmp != NULL);
    if (saved < 0 || !tmp) goto out;
    dup2(fileno(tmp), 2);
    CHECK_OK(d, db_exec(d, "DROP TABLE IF EXISTS tdb_never_there; DROP TABLE IF EXISTS tdb_n2"));
    CHECK_OK(d, db_exec(d, "DO $$ BEGIN RAISE NOTICE 'custos notice'; END $$"));
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    CHECK(ftell(tmp) == 0);
    fclose(tmp);
out:
    db_close(d);
}

/* Rejected logins show the reason and the URL, never the password. */
TEST(pg_connect_errors)
{
    const char *at = strrchr(g_url, '@');
    const char *colon = strchr(g_url + strlen("postgresql://"), ':');
    CHECK(at && colon && colon < at);
    if (!at || !colon || colon > at) return;
    char real_pw[128];
    snprintf(real_pw, sizeof real_pw, "%.*s", (int)(at - colon - 1), colon + 1);
    char url[512];
    snprintf(url, sizeof url, "%.*s:Wr0ngPassw0rd%s", (int)(colon - g_url), g_url, at);
    expect_open_fails(url, "password authentication failed", "Wr0ngPassw0rd");
    expect_open_fails(url, ":***@127.0.0.1", NULL);
    const char *slash = strrchr(g_url, '/');
    snprintf(url, sizeof url, "%.*s/tdb_no_such_db", (int)(slash - g_url), g_url);
    expect_open_fails(url, "tdb_no_such_db", real_pw);
}

static void contract(void)
{
    RUN_ON(exec_ddl);
    RUN_ON(run_params);
    RUN_ON(qmark_in_literal);
    RUN_ON(null_text);
    RUN_ON(int64_round_trip);
    RUN_ON(query_rows_cols);
    RUN_ON(query_int);
    RUN_ON(transactions);
    RUN_ON(nested_statements);
    RUN_ON(copy_rows);
    RUN_ON(copy_errors);
    RUN_ON(sql_errors);
}

/* ---- engine-independent tests ---- */

static void expect_open_fails(const char *url, const char *want, const char *never)
{
    db *d = NULL;
    char *err = NULL;
    CHECK(db_open(url, &d, &err) == -1);
    CHECK(d == NULL);
    CHECK(err != NULL);
    if (!err) return;
    if (!strstr(err, want)) {
        printf("FAIL %s: error for %s lacks \"%s\": %s\n", t_name, url, want, err);
        t_failed_now = 1;
    }
    if (never && strstr(err, never)) {
        printf("FAIL %s: error for %s shows \"%s\": %s\n", t_name, url, never, err);
        t_failed_now = 1;
    }
    free(err);
    db_close(d);
}

TEST(unknown_scheme)
{
    expect_open_fails("mysql://bob:hunter2@db/x", "sqlite:PATH", "hunter2");
    expect_open_fails("mysql://bob:hunter2@db/x", "postgresql://", NULL);
    expect_open_fails("custos.db", "unsupported database URL", NULL);
    expect_open_fails("", "no database URL", NULL);
    expect_open_fails("sqlite:", "no path", NULL);
}

TEST(url_schemes)
{
    db *d = NULL;
    char *err = NULL;
    CHECK(db_open("sqlite::memory:", &d, &err) == 0);
    CHECK(d && db_dialect(d) == DB_SQLITE);
    db_close(d);
    d = NULL;
    CHECK(db_open("SQLite::memory:", &d, &err) == 0); /* schemes are case-blind */
    db_close(d);
    /* Both PostgreSQL spellings reach libpq (nothing listens on port 1). */
    expect_open_fails("postgres://u:pw1@127.0.0.1:1/x", "cannot connect to postgres://", "pw1");
    expect_open_fails("postgresql://u:pw1@127.0.0.1:1/x", "cannot connect to postgresql://", "pw1");
}

TEST(sqlite_open_errors)
{
    expect_open_fails("sqlite:/nonexistent-dir-custos/sub/x.db",
                      "cannot open sqlite:/nonexistent-dir-custos/sub/x.db: ", NULL);
    expect_open_fails("sqlite:/nonexistent-dir-custos/sub/x.db", "No such file or directory", NULL);
    char path[128];
    snprintf(path, sizeof path, "%s/garbage.db", g_tmpdir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f) return;
    for (int i = 0; i < 200; i++)
        fputs("this is not a database at all\n", f);
    fclose(f);
    char url[160];
    snprintf(url, sizeof url, "sqlite:%s", path);
    expect_open_fails(url, "not a database", NULL);
}

TEST(sqlite_settings)
{
    char url[160];
    snprintf(url, sizeof url, "sqlite:%s/settings.db", g_tmpdir);
    db *d = NULL;
    char *err = NULL;
    CHECK(db_open(url, &d, &err) == 0);
    if (!d) {
        free(err);
        return;
    }
    db_stmt *s = db_query(d, "PRAGMA journal_mode", NULL, 0);
    CHECK(s && db_step(s) == 1);
    if (s) CHECK_STR(db_col_text(s, 0), "wal");
    db_finish(s);
    int64_t n = 0;
    CHECK(db_query_int(d, "PRAGMA foreign_keys", NULL, 0, &n) == 0);
    CHECK(n == 1);
    CHECK(db_query_int(d, "PRAGMA busy_timeout", NULL, 0, &n) == 0);
    CHECK(n >= 5000);
    /* One statement per db_run. */
    CHECK(db_run(d, "SELECT 1; SELECT 2", NULL, 0) == -1);
    db_close(d);
}

TEST(url_redacted)
{
    static const char *cases[][2] = {
        {"postgresql://bob:s3cret@db.example:5432/custos",
         "postgresql://bob:***@db.example:5432/custos"},
        {"postgres://bob@db/custos", "postgres://bob@db/custos"},
        {"postgresql://db/custos?sslmode=require&password=s3cret&x=1",
         "postgresql://db/custos?sslmode=require&password=***&x=1"},
        {"postgresql://bob:p%40ss@db/c?Password=x", "postgresql://bob:***@db/c?Password=***"},
        {"postgresql://bob:a@b@db/c", "postgresql://bob:***@db/c"},
        {"postgresql://db/custos", "postgresql://db/custos"},
        {"sqlite:/var/lib/custos.db", "sqlite:/var/lib/custos.db"},
        {"host=db password='a b' user=x", "host=db password=*** user=x"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *r = db_url_redacted(cases[i][0]);
        CHECK_STR(r, cases[i][1]);
        free(r);
    }
}

static void run_pg(void)
{
    const char *pg = getenv("CUSTOS_TEST_PG");
    const char *why = getenv("CUSTOS_TEST_PG_ERROR");
    if (pg && *pg) {
        g_url = pg;
        g_label = "pg";
        contract();
        RUN_ON(pg_placeholders);
        RUN_ON(pg_commit_after_error);
        RUN_ON(pg_quiet);
        RUN_ON(pg_connect_errors);
        return;
    }
    if (why && *why) {
        printf("FAIL postgresql: the PostgreSQL tests could not run: %s\n", why);
        t_failed_total++;
        return;
    }
    printf("SKIP postgresql: CUSTOS_TEST_PG is not set (tests/run.sh starts a server with "
           "scripts/pg-test.sh)\n");
}

int main(void)
{
    snprintf(g_tmpdir, sizeof g_tmpdir, "/tmp/custos-test-db.XXXXXX");
    if (!mkdtemp(g_tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(unknown_scheme);
    RUN(url_schemes);
    RUN(sqlite_open_errors);
    RUN(sqlite_settings);
    RUN(url_redacted);

    static char url[160];
    snprintf(url, sizeof url, "sqlite:%s/contract.db", g_tmpdir);
    g_url = url;
    g_label = "sqlite";
    contract();
    run_pg();

    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", g_tmpdir);
    T_EXIT();
}
