/* test_jmespath.c - JMESPath lexer/parser errors, jp_simple_path, and
 * evaluation edge cases the compliance suite does not pin down. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "jmespath/jmespath.h"
#include "t.h"

static arena *A;

/* Evaluates expr over the JSON text doc; returns the compact result or
 * "ERROR <kind>@<pos>". */
static const char *q(const char *expr, const char *doc)
{
    static char out[4096];
    json_error je;
    jv data, r;
    jp_error err;
    if (json_parse(A, doc, strlen(doc), &data, &je) != 0) return "BAD JSON";
    jp_node *e = jp_compile(A, expr, strlen(expr), &err);
    if (!e || jp_eval(e, &data, A, &r, &err) != 0) {
        snprintf(out, sizeof out, "ERROR %s@%zu", err.kind, err.pos);
        return out;
    }
    buf b = BUF_INIT;
    json_write(&b, &r);
    snprintf(out, sizeof out, "%s", b.data);
    buf_free(&b);
    return out;
}

TEST(syntax_errors_have_positions)
{
    CHECK_STR(q("foo.", "{}"), "ERROR syntax@4");
    CHECK_STR(q("foo..bar", "{}"), "ERROR syntax@4");
    CHECK_STR(q("a = b", "{}"), "ERROR syntax@2");
    CHECK_STR(q("[1 2]", "{}"), "ERROR syntax@3");
    CHECK_STR(q("foo[?a == `{`]", "{}"), "ERROR syntax@10");
    CHECK_STR(q("\"abc", "{}"), "ERROR syntax@0");
    CHECK_STR(q("'abc", "{}"), "ERROR syntax@0");
    CHECK_STR(q("a #", "{}"), "ERROR syntax@2");
    CHECK_STR(q("", "{}"), "ERROR syntax@0");
    CHECK_STR(q("-", "{}"), "ERROR syntax@0");
    CHECK_STR(q("\"f\"(@)", "{}"), "ERROR syntax@3");
    CHECK_STR(q("a[0:1:2:3]", "{}"), "ERROR syntax@7");
}

TEST(function_errors_at_compile_time)
{
    jp_error err;
    CHECK(jp_compile(A, "nope(@)", 7, &err) == NULL);
    CHECK_STR(err.kind, "unknown-function");
    /* even where the call would never be reached */
    CHECK(jp_compile(A, "missing.length(@, @)", 20, &err) == NULL);
    CHECK_STR(err.kind, "invalid-arity");
    CHECK(jp_compile(A, "merge()", 7, &err) == NULL);
    CHECK_STR(err.kind, "invalid-arity");
    CHECK(jp_compile(A, "not_null(a, b, c, d, e, f)", 26, &err) != NULL);
}

TEST(runtime_errors)
{
    CHECK_STR(q("abs(@)", "\"x\""), "ERROR invalid-type@0");
    CHECK_STR(q("sort_by(@, &a)", "[{\"a\":1},{\"a\":\"x\"}]"), "ERROR invalid-type@0");
    CHECK_STR(q("max_by(@, &a)", "[{\"a\":true}]"), "ERROR invalid-type@0");
    CHECK_STR(q("[::0]", "[1]"), "ERROR invalid-value@0");
    CHECK_STR(q("[::0]", "{}"), "null"); /* not an array: no slice taken */
    CHECK_STR(q("length(&a)", "{}"), "ERROR invalid-type@0");
    CHECK_STR(q("map(a, @)", "[]"), "ERROR invalid-type@0");
    /* runtime errors point at the failing call, the innermost one first */
    CHECK_STR(q("a.abs(@)", "{\"a\":\"x\"}"), "ERROR invalid-type@2");
    CHECK_STR(q("[sort_by(@, &abs(@))]", "[1,\"x\"]"), "ERROR invalid-type@13");
    CHECK_STR(q("@ | [::0]", "[1]"), "ERROR invalid-value@4");
}

TEST(simple_path)
{
    const char *names[4];
    size_t lens[4];
    jp_error err;
    jp_node *e = jp_compile(A, "a.\"b c\".d", 9, &err);
    CHECK(e != NULL);
    CHECK(jp_simple_path(e, names, lens, 4) == 3);
    CHECK(lens[1] == 3 && memcmp(names[1], "b c", 3) == 0);
    CHECK(jp_simple_path(e, names, lens, 2) == 0); /* too long for the caller */
    e = jp_compile(A, "Tags", 4, &err);
    CHECK(jp_simple_path(e, names, lens, 4) == 1);
    CHECK_STR(names[0], "Tags");
    const char *not_simple[] = {"a[0]", "a.b[*]", "@", "a.length(@)", "a || b", "{a: a}"};
    for (size_t i = 0; i < sizeof not_simple / sizeof *not_simple; i++) {
        e = jp_compile(A, not_simple[i], strlen(not_simple[i]), &err);
        CHECK(e != NULL);
        CHECK(jp_simple_path(e, names, lens, 4) == 0);
    }
}

TEST(evaluation_edges)
{
    CHECK_STR(q("length(x[?y == `true`])", "{\"x\":[{\"y\":true},{\"y\":false},{\"y\":true}]}"),
              "2");
    CHECK_STR(q("[?a < 'b'].a", "[{\"a\":\"a\"},{\"a\":\"c\"},{\"a\":1}]"), "[\"a\"]");
    CHECK_STR(q("[?a > `1`]", "[{\"a\":\"2\"}]"), "[]"); /* string vs number: null */
    CHECK_STR(q("sort_by(@, &k)[*].v",
                "[{\"k\":2,\"v\":1},{\"k\":1,\"v\":2},{\"k\":2,\"v\":3},{\"k\":1,\"v\":4}]"),
              "[2,4,1,3]"); /* stable */
    CHECK_STR(q("length('héllo')", "{}"), "5");
    CHECK_STR(q("reverse('héllo')", "{}"), "\"olléh\"");
    CHECK_STR(q("[9:-20:-3]", "[0,1,2,3,4,5,6,7,8,9]"), "[9,6,3,0]");
    CHECK_STR(q("[-99999999999999999999:99999999999999999999]", "[1,2]"), "[1,2]");
    CHECK_STR(q("[99999999999999999999]", "[1,2]"), "null");
    CHECK_STR(q("{a: a, a: b}", "{\"a\":1,\"b\":2}"), "{\"a\":2}");
    CHECK_STR(q("to_number('1e3')", "{}"), "1000");
    CHECK_STR(q("to_number(' 1')", "{}"), "null");
    CHECK_STR(q("to_string(`[1, {\"a\": null}]`)", "{}"), "\"[1,{\\\"a\\\":null}]\"");
    CHECK_STR(q("contains('abc', `1`)", "{}"), "false");
    CHECK_STR(q("&a", "{}"), "null");
    CHECK_STR(q("a | b", "{\"a\":{\"b\":7}}"), "7");
}

TEST(hostile_depth)
{
    /* deep nesting must be a syntax error, not a stack overflow */
    size_t n = 100000;
    char *s = malloc(3 * n + 2);
    for (size_t i = 0; i < n; i++)
        s[i] = '(';
    s[n] = 'a';
    for (size_t i = 0; i < n; i++)
        s[n + 1 + i] = ')';
    s[2 * n + 1] = 0;
    jp_error err;
    CHECK(jp_compile(A, s, strlen(s), &err) == NULL);
    CHECK_STR(err.kind, "syntax");
    for (size_t i = 0; i < n; i++)
        memcpy(s + 2 * i, "a.", 2);
    s[2 * n - 1] = 0; /* a.a.a...a: flat chain, but still bounded */
    CHECK(jp_compile(A, s, strlen(s), &err) == NULL);
    for (size_t i = 0; i < n; i++)
        memcpy(s + 3 * i, "[0]", 3);
    s[3 * n] = 0;
    CHECK(jp_compile(A, s, strlen(s), &err) == NULL);
    memset(s, '!', n);
    strcpy(s + n, "a");
    CHECK(jp_compile(A, s, strlen(s), &err) == NULL);
    free(s);
    CHECK(jp_compile(A, "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p", 31, &err) != NULL);
}

/* One compiled expression, many threads, each with its own scratch arena:
 * every thread must see exactly the single-threaded results. */
#define NEXPR 4
static jp_node *shared_expr[NEXPR];
static char shared_want[NEXPR][256];
static jv shared_doc;

static void *worker(void *arg)
{
    long bad = 0;
    arena *scratch = arena_new(0);
    buf b = BUF_INIT;
    for (int i = 0; i < 2000; i++) {
        for (int k = 0; k < NEXPR; k++) {
            jv r;
            jp_error err;
            if (jp_eval(shared_expr[k], &shared_doc, scratch, &r, &err) != 0) {
                bad++;
                continue;
            }
            buf_reset(&b);
            json_write(&b, &r);
            bad += strcmp(b.data, shared_want[k]) != 0;
        }
        arena_reset(scratch);
    }
    buf_free(&b);
    arena_free(scratch);
    *(long *)arg = bad;
    return NULL;
}

TEST(concurrent_evaluation)
{
    const char *doc = "{\"t\":[{\"k\":\"b\",\"v\":2},{\"k\":\"a\",\"v\":1}],\"s\":\"xyz\"}";
    const char *ex[NEXPR] = {"sort_by(t, &k)[*].v", "t[?v > `1`].k | [0]",
                             "{n: length(s), r: reverse(s)}", "map(&to_string(v), t)"};
    json_error je;
    CHECK(json_parse(A, doc, strlen(doc), &shared_doc, &je) == 0);
    for (int k = 0; k < NEXPR; k++) {
        jp_error err;
        shared_expr[k] = jp_compile(A, ex[k], strlen(ex[k]), &err);
        CHECK(shared_expr[k] != NULL);
        snprintf(shared_want[k], sizeof shared_want[k], "%s", q(ex[k], doc));
    }
    CHECK_STR(shared_want[0], "[1,2]");
    CHECK_STR(shared_want[3], "[\"2\",\"1\"]");
    pthread_t th[4];
    long bad[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, worker, &bad[i]);
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK(bad[i] == 0);
    }
}

int main(void)
{
    A = arena_new(0);
    RUN(syntax_errors_have_positions);
    RUN(function_errors_at_compile_time);
    RUN(runtime_errors);
    RUN(simple_path);
    RUN(evaluation_edges);
    RUN(hostile_depth);
    RUN(concurrent_evaluation);
    arena_free(A);
    T_EXIT();
}
