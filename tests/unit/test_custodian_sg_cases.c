/* test_custodian_sg_cases.c - Cloud Custodian's security-group filter cases.
 *
 * Runs every case of $SHARED/conformance/custodian/cases-filters.json whose
 * resource_type is aws.security-group (ingress/egress filters, alone or in
 * or/and/not blocks): compiles the case's filter with filter_compile and
 * checks filter_match against the expected `match`.  One PASS/FAIL line per
 * case, named by the case id.  SHARED defaults to ../shared (from the repo
 * root, where tests run).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filters/filter.h"
#include "resources/resource.h"
#include "util/buf.h"

static int failed;

static void run_case(arena *a, const jv *c)
{
    const jv *id = jv_get(c, "id");
    const char *name = jv_is(id, JV_STRING) ? id->u.str : "?";
    const jv *rt = jv_get(c, "resource_type");
    if (!jv_str_eq(rt, "aws.security-group")) return;
    diag_list d = DIAG_LIST_INIT;
    filter_compiler fc = {.a = a, .diags = &d, .rtype = resource_type_find("aws.security-group")};
    filter *f = filter_compile(&fc, jv_get(c, "filter"));
    if (!f) {
        printf("FAIL %s: does not compile: %s\n", name, d.n ? d.items[0].msg : "?");
        diag_free(&d);
        failed++;
        return;
    }
    diag_free(&d);
    eval_ctx ctx = {0};
    ctx.scratch = a;
    ctx.account_id = "123456789012";
    ctx.region = "us-east-1";
    ctx.now = time(NULL);
    ctx.rtype = fc.rtype;
    bool want = jv_get(c, "match") && jv_get(c, "match")->kind == JV_TRUE;
    bool got = filter_match(f, jv_get(c, "resource"), &ctx);
    if (got == want) {
        printf("PASS %s\n", name);
    } else {
        printf("FAIL %s: expected %s, got %s\n", name, want ? "match" : "no match",
               got ? "match" : "no match");
        failed++;
    }
}

int main(void)
{
    const char *shared = getenv("SHARED");
    char path[4096];
    snprintf(path, sizeof path, "%s/conformance/custodian/cases-filters.json",
             shared && *shared ? shared : "../shared");
    size_t len = 0;
    char *text = read_file(path, &len);
    if (!text) {
        printf("FAIL load: cannot read %s\n", path);
        return 1;
    }
    arena *a = arena_new(0);
    jv doc;
    json_error err;
    if (json_parse(a, text, len, &doc, &err) != 0) {
        printf("FAIL load: %s:%d:%d: %s\n", path, err.line, err.col, err.msg);
        return 1;
    }
    const jv *cases = jv_get(&doc, "cases");
    int n = 0;
    for (uint32_t i = 0; jv_is(cases, JV_ARRAY) && i < cases->len; i++) {
        if (jv_str_eq(jv_get(&cases->u.items[i], "resource_type"), "aws.security-group")) n++;
        run_case(a, &cases->u.items[i]);
    }
    if (n == 0) {
        printf("FAIL load: no security-group cases in %s\n", path);
        failed++;
    }
    arena_free(a);
    free(text);
    return failed ? 1 : 0;
}
