/* test_json.c - JSON parser and writer. */
#include <math.h>
#include "json/json.h"
#include "t.h"

static arena *A;

static const char *roundtrip(const char *in)
{
    static buf b;
    static json_error e;
    jv v;
    buf_reset(&b);
    if (json_parse(A, in, strlen(in), &v, &e) < 0) return e.msg;
    json_write(&b, &v);
    return b.data;
}

TEST(parses_and_writes_compact)
{
    CHECK_STR(roundtrip(" {\"a\" : [1, 2.5, -3e2, true, false, null, \"x\"]} "),
              "{\"a\":[1,2.5,-300,true,false,null,\"x\"]}");
    CHECK_STR(roundtrip("\"\\u00e9\\ud83d\\ude00\\n\""), "\"\xc3\xa9\xf0\x9f\x98\x80\\n\"");
    CHECK_STR(roundtrip("123456789012"), "123456789012");
    CHECK_STR(roundtrip("0.1"), "0.1");
    /* A lone surrogate survives a round trip as an escape (found by fuzz_json). */
    CHECK_STR(roundtrip("\"\\udaaaX\""), "\"\\udaaaX\"");
}

TEST(reports_line_and_column)
{
    jv v;
    json_error e;
    const char *bad = "{\n  \"a\": 1,\n  \"b\": tru\n}";
    CHECK(json_parse(A, bad, strlen(bad), &v, &e) == -1);
    CHECK(e.line == 3);
    CHECK(e.col == 8);
    CHECK(json_parse(A, "[1,]", 4, &v, &e) == -1);
    CHECK(json_parse(A, "", 0, &v, &e) == -1);
    CHECK(json_parse(A, "01", 2, &v, &e) == -1);
    CHECK(json_parse(A, "\"a\x01\"", 4, &v, &e) == -1);
    CHECK(json_parse(A, "\"\xff\"", 3, &v, &e) == -1);
    CHECK(json_parse(A, "1 2", 3, &v, &e) == -1);
}

TEST(rejects_deep_nesting)
{
    char deep[2000];
    memset(deep, '[', sizeof deep);
    jv v;
    json_error e;
    CHECK(json_parse(A, deep, sizeof deep, &v, &e) == -1);
    CHECK(strstr(e.msg, "nesting") != NULL);
}

TEST(equality_and_lookup)
{
    jv a, b;
    json_error e;
    const char *s1 = "{\"x\":[1,{\"y\":null}],\"z\":\"q\"}";
    const char *s2 = "{\"z\":\"q\",\"x\":[1.0,{\"y\":null}]}";
    CHECK(json_parse(A, s1, strlen(s1), &a, &e) == 0);
    CHECK(json_parse(A, s2, strlen(s2), &b, &e) == 0);
    CHECK(jv_equal(&a, &b));
    CHECK(jv_str_eq(jv_get(&a, "z"), "q"));
    CHECK(jv_get(&a, "nope") == NULL);
    CHECK(!jv_truthy(jv_get(jv_get(&a, "x")->u.items + 1, "y")));
}

TEST(int_near_the_limits)
{
    /* INT64_MAX - 12 becomes 2^63 as a double: not exact, and no UB. */
    jv v = jv_int(INT64_MAX - 12);
    CHECK(!(v.flags & JVF_INT));
    CHECK(jv_int(INT64_MIN).flags & JVF_INT);
    CHECK(jv_int((int64_t)1 << 53).flags & JVF_INT);
    CHECK(!(jv_int(((int64_t)1 << 53) + 1).flags & JVF_INT));
}

TEST(num_in_range)
{
    int64_t i = 7;
    jv big = jv_num(1.0111111111111111e28), nan = jv_num(NAN), s = jv_str_nocopy("5", 1);
    CHECK(!jv_num_in(&big, 0, 32767, &i) && i == 7);
    CHECK(!jv_num_in(&nan, INT64_MIN, INT64_MAX, &i) && i == 7);
    CHECK(!jv_num_in(&s, 0, 10, &i) && !jv_num_in(NULL, 0, 10, &i));
    jv v = jv_num(-1.5);
    CHECK(jv_num_in(&v, -2, 0, &i) && i == -1);
    v = jv_num(65535);
    CHECK(jv_num_in(&v, 0, 65535, &i) && i == 65535);
    CHECK(!jv_num_in(&v, 0, 65534, &i));
    v = jv_num(9223372036854775807.0); /* 2^63: in range as a double, clamped */
    CHECK(jv_num_in(&v, 0, INT64_MAX, &i) && i == INT64_MAX);
}

TEST(fast_parser_agrees)
{
    const char *docs[] = {"{\"a\":[1,2,{\"b\":\"c\"}],\"d\":1.5e3}", "[]", "\"\\u0000x\"",
                          "[-0.0, 9007199254740993, 1e400]"};
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
        jv a, b;
        json_error e;
        CHECK(json_parse(A, docs[i], strlen(docs[i]), &a, &e) == 0);
        CHECK(json_parse_fast(A, docs[i], strlen(docs[i]), &b, &e) == 0);
        CHECK(jv_equal(&a, &b));
    }
    jv v;
    json_error e;
    const char *bad = "{\"a\":\n [1, 2,, 3]}";
    CHECK(json_parse_fast(A, bad, strlen(bad), &v, &e) == -1);
    CHECK(e.line == 2 && e.col == 8);
}

int main(void)
{
    A = arena_new(0);
    RUN(parses_and_writes_compact);
    RUN(reports_line_and_column);
    RUN(rejects_deep_nesting);
    RUN(equality_and_lookup);
    RUN(int_near_the_limits);
    RUN(num_in_range);
    RUN(fast_parser_agrees);
    arena_free(A);
    T_EXIT();
}
