/* test_yaml.c - YAML loading: PyYAML-compatible scalars, positions, errors,
 * anchors/merge keys, alias bombs.  Expected scalar results were produced
 * with python3-yaml's safe_load. */
#include <math.h>
#include <stdlib.h>

#include "format/yaml.h"
#include "t.h"

static arena *A;

/* Renders a scalar the way the expectation table spells it. */
static const char *show(const jv *v)
{
    static char out[256];
    switch (v->kind) {
    case JV_NULL:
        return "null";
    case JV_TRUE:
        return "true";
    case JV_FALSE:
        return "false";
    case JV_STRING:
        snprintf(out, sizeof out, "s:%s", v->u.str);
        return out;
    case JV_NUMBER:
        if (isnan(v->u.num)) return "nan";
        if (isinf(v->u.num)) return v->u.num < 0 ? "-inf" : "inf";
        if (v->flags & JVF_INT)
            snprintf(out, sizeof out, "i:%.0f", v->u.num);
        else
            snprintf(out, sizeof out, "f:%.17g", v->u.num);
        return out;
    default:
        return "container";
    }
}

static const char *scalar(const char *text)
{
    char doc[256];
    snprintf(doc, sizeof doc, "v: %s\n", text);
    jv v;
    diag_list d = DIAG_LIST_INIT;
    int rc = yaml_load(A, "t.yaml", doc, strlen(doc), &v, NULL, &d);
    diag_free(&d);
    if (rc < 0) return "error";
    return show(jv_get(&v, "v"));
}

TEST(scalars_resolve_like_pyyaml)
{
    static const char *const cases[][2] = {
        {"yes", "true"},
        {"Yes", "true"},
        {"YES", "true"},
        {"yEs", "s:yEs"},
        {"no", "false"},
        {"on", "true"},
        {"Off", "false"},
        {"y", "s:y"},
        {"n", "s:n"},
        {"true", "true"},
        {"TRUE", "true"},
        {"tRue", "s:tRue"},
        {"~", "null"},
        {"null", "null"},
        {"Null", "null"},
        {"NULL", "null"},
        {"", "null"},
        {"0", "i:0"},
        {"00", "i:0"},
        {"07", "i:7"},
        {"08", "s:08"},
        {"0x1F", "i:31"},
        {"-0x1f", "i:-31"},
        {"0b101", "i:5"},
        {"+12", "i:12"},
        {"1_000", "i:1000"},
        {"-17", "i:-17"},
        {"1:30", "i:90"},
        {"1:60", "s:1:60"},
        {"190:20:30", "i:685230"},
        {"0o17", "s:0o17"},
        {"1.5", "f:1.5"},
        {"1.", "f:1"},
        {"-1.5", "f:-1.5"},
        {".5", "f:0.5"},
        {"-.5", "s:-.5"},
        {"+.5", "s:+.5"},
        {"1e3", "s:1e3"},
        {"1.0e+3", "f:1000"},
        {"1.0e3", "s:1.0e3"},
        {"1_0.5", "f:10.5"},
        {".inf", "inf"},
        {"-.Inf", "-inf"},
        {"+.INF", "inf"},
        {".nan", "nan"},
        {".NaN", "nan"},
        {"1:30.5", "f:90.5"},
        {"2019-05-01", "s:2019-05-01"},
        {"0.1", "f:0.10000000000000001"},
        {"-0", "i:0"},
        {"3.", "f:3"},
        {"abc", "s:abc"},
        {"0_", "i:0"},
        {"1__2", "i:12"},
        {"0x_1", "i:1"},
        {"'yes'", "s:yes"},
        {"\"12\"", "s:12"},
        {"!!str 12", "s:12"},
        {"!!int '12'", "i:12"},
        {"!!float '1.5'", "f:1.5"},
        {"'~'", "s:~"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *got = scalar(cases[i][0]);
        if (strcmp(got, cases[i][1]) != 0) {
            printf("# %s -> %s, want %s\n", cases[i][0], got, cases[i][1]);
            CHECK(0);
        }
    }
}

TEST(positions_are_recorded)
{
    const char *doc = "policies:\n  - name: x\n    resource: aws.ec2\n    filters:\n"
                      "      - {type: value, key: A}\n";
    srcmap *m = srcmap_new(A, "p.yml");
    diag_list d = DIAG_LIST_INIT;
    jv v;
    CHECK(yaml_load(A, "p.yml", doc, strlen(doc), &v, m, &d) == 0);
    CHECK(d.n == 0);
    const jv *pols = jv_get(&v, "policies");
    CHECK(pols && pols->kind == JV_ARRAY && pols->len == 1);
    const jv *p0 = &pols->u.items[0];
    srcpos sp = srcmap_get(m, p0);
    CHECK(sp.line == 2 && sp.col == 5);
    CHECK_STR(sp.file, "p.yml");
    const jv_member *res = &p0->u.members[1];
    CHECK_STR(res->key, "resource");
    sp = srcmap_get(m, res);
    CHECK(sp.line == 3 && sp.col == 5);
    sp = srcmap_get(m, &res->val);
    CHECK(sp.line == 3 && sp.col == 15);
    const jv *f = jv_get(p0, "filters");
    const jv *key = jv_get(&f->u.items[0], "key");
    sp = srcmap_get(m, key);
    CHECK(sp.line == 5 && sp.col == 28);
    sp = srcmap_get(m, &v);
    CHECK(sp.line == 1 && sp.col == 1);
    /* unknown node */
    sp = srcmap_get(m, &sp);
    CHECK(sp.line == 0);
    diag_free(&d);
}

TEST(many_positions_survive_rehash)
{
    char doc[40000];
    size_t n = 0;
    for (int i = 0; i < 2000; i++)
        n += (size_t)snprintf(doc + n, sizeof doc - n, "k%d: %d\n", i, i);
    srcmap *m = srcmap_new(A, "big.yml");
    diag_list d = DIAG_LIST_INIT;
    jv v;
    CHECK(yaml_load(A, "big.yml", doc, n, &v, m, &d) == 0);
    CHECK(v.kind == JV_OBJECT && v.len == 2000);
    for (int i = 0; i < 2000; i += 97) {
        srcpos sp = srcmap_get(m, &v.u.members[i].val);
        CHECK(sp.line == i + 1);
        CHECK(v.u.members[i].val.u.num == i);
    }
    diag_free(&d);
}

static int load_err(const char *doc, char *msg, size_t cap)
{
    diag_list d = DIAG_LIST_INIT;
    jv v;
    int rc = yaml_load(A, "bad.yml", doc, strlen(doc), &v, NULL, &d);
    msg[0] = 0;
    if (d.n)
        snprintf(msg, cap, "%d:%d: %s", d.items[0].pos.line, d.items[0].pos.col, d.items[0].msg);
    diag_free(&d);
    return rc;
}

TEST(syntax_errors_have_positions)
{
    char msg[512];
    CHECK(load_err("a: 1\nb: [1, 2\n", msg, sizeof msg) == -1);
    CHECK(strstr(msg, "YAML syntax error") != NULL);
    CHECK(load_err("a: b: c\n", msg, sizeof msg) == -1);
    CHECK(strncmp(msg, "1:5: ", 5) == 0);
    CHECK(strstr(msg, "mapping values are not allowed") != NULL);
    CHECK(load_err("a: 1\n  b: 2\n", msg, sizeof msg) == -1);
    CHECK(strncmp(msg, "2:4:", 4) == 0);
    CHECK(load_err("a: *nope\n", msg, sizeof msg) == -1);
    CHECK(strstr(msg, "undefined alias") != NULL);
    CHECK(load_err("a: 1\n---\nb: 2\n", msg, sizeof msg) == -1);
    CHECK(strstr(msg, "single document") != NULL);
    CHECK(load_err("a: !Ref x\n", msg, sizeof msg) == -1);
    CHECK(strstr(msg, "tag") != NULL);
    CHECK(load_err("? [a]\n: 1\n", msg, sizeof msg) == -1);
    CHECK(load_err("\t- a\n", msg, sizeof msg) == -1);
}

TEST(anchors_and_merge_keys)
{
    const char *doc = "base: &b {x: 1, y: 2}\n"
                      "other: &o {y: 20, z: 30}\n"
                      "c: {<<: *b, y: 3}\n"
                      "d: {<<: [*b, *o]}\n"
                      "e: *b\n"
                      "l: &l [1, 2]\n"
                      "m: *l\n";
    diag_list d = DIAG_LIST_INIT;
    jv v;
    CHECK(yaml_load(A, "m.yml", doc, strlen(doc), &v, NULL, &d) == 0);
    const jv *c = jv_get(&v, "c");
    CHECK(c && c->len == 2);
    CHECK(jv_get(c, "x")->u.num == 1);
    CHECK(jv_get(c, "y")->u.num == 3);
    const jv *dd = jv_get(&v, "d");
    CHECK(dd && dd->len == 3);
    CHECK(jv_get(dd, "y")->u.num == 2); /* earlier mapping in the list wins */
    CHECK(jv_get(dd, "z")->u.num == 30);
    CHECK(jv_equal(jv_get(&v, "e"), jv_get(&v, "base")));
    CHECK(jv_get(&v, "m")->len == 2);
    diag_free(&d);
}

TEST(duplicate_keys_last_wins)
{
    diag_list d = DIAG_LIST_INIT;
    jv v;
    const char *doc = "a: 1\nb: 2\na: 3\n";
    CHECK(yaml_load(A, "d.yml", doc, strlen(doc), &v, NULL, &d) == 0);
    CHECK(v.len == 2 && jv_get(&v, "a")->u.num == 3);
    CHECK_STR(v.u.members[0].key, "a");
    diag_free(&d);
}

TEST(empty_and_json_documents)
{
    diag_list d = DIAG_LIST_INIT;
    jv v;
    CHECK(yaml_load(A, "e.yml", "", 0, &v, NULL, &d) == 0 && v.kind == JV_NULL);
    CHECK(yaml_load(A, "e.yml", "# only a comment\n", 17, &v, NULL, &d) == 0 && v.kind == JV_NULL);
    const char *js = "{\"a\": [1, \"x\", null, true], \"b\": {\"c\": 1.5}}";
    CHECK(yaml_load(A, "e.json", js, strlen(js), &v, NULL, &d) == 0);
    CHECK(jv_get(&v, "a")->len == 4 && jv_get(jv_get(&v, "b"), "c")->u.num == 1.5);
    const char *nul = "a: \"x\\0y\"\n";
    CHECK(yaml_load(A, "e.yml", nul, strlen(nul), &v, NULL, &d) == 0);
    CHECK(jv_get(&v, "a")->len == 3);
    CHECK(d.n == 0);
    diag_free(&d);
}

TEST(alias_bomb_is_rejected)
{
    const char *doc = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                      "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                      "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                      "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                      "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
                      "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n";
    char msg[512];
    CHECK(load_err(doc, msg, sizeof msg) == -1);
    CHECK(strstr(msg, "too many nodes") != NULL);
}

TEST(deep_nesting_is_rejected)
{
    char doc[2000];
    memset(doc, '[', 1000);
    memset(doc + 1000, ']', 1000);
    char msg[512];
    diag_list d = DIAG_LIST_INIT;
    jv v;
    CHECK(yaml_load(A, "deep.yml", doc, sizeof doc, &v, NULL, &d) == -1);
    CHECK(d.n == 1);
    (void)msg;
    diag_free(&d);
}

int main(void)
{
    A = arena_new(0);
    RUN(scalars_resolve_like_pyyaml);
    RUN(positions_are_recorded);
    RUN(many_positions_survive_rehash);
    RUN(syntax_errors_have_positions);
    RUN(anchors_and_merge_keys);
    RUN(duplicate_keys_last_wins);
    RUN(empty_and_json_documents);
    RUN(alias_bomb_is_rejected);
    RUN(deep_nesting_is_rejected);
    arena_free(A);
    T_EXIT();
}
