/* test_custodian_filter_cases.c - every kind-A case of the Custodian
 * conformance corpus ($SHARED/conformance/custodian/cases-filters.json)
 * through filter_compile + filter_match: one PASS/FAIL line per case.
 * "$ago_days" markers become real times relative to now, as the corpus
 * README specifies. */
#include <stdlib.h>
#include <time.h>

#include "filters/filter.h"
#include "resources/resource.h"
#include <stdio.h>

static time_t NOW;

/* Replaces {"$ago_days": N, "$format": F} objects in place. */
static void fix_dates(arena *a, jv *v)
{
    if (v->kind == JV_ARRAY) {
        for (uint32_t i = 0; i < v->len; i++)
            fix_dates(a, &v->u.items[i]);
        return;
    }
    if (v->kind != JV_OBJECT) return;
    const jv *ago = jv_get(v, "$ago_days");
    if (!ago) {
        for (uint32_t i = 0; i < v->len; i++)
            fix_dates(a, &v->u.members[i].val);
        return;
    }
    const jv *fmt = jv_get(v, "$format");
    time_t t = NOW - (time_t)(ago->u.num * 86400);
    if (fmt && jv_str_eq(fmt, "epoch")) {
        *v = jv_int((int64_t)t);
    } else if (fmt && jv_str_eq(fmt, "epoch_str")) {
        *v = jv_cstr(a, arena_sprintf(a, "%lld", (long long)t));
    } else {
        struct tm tm;
        gmtime_r(&t, &tm);
        char b[64];
        strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%S.123456+00:00", &tm);
        *v = jv_cstr(a, b);
    }
}

int main(void)
{
    const char *shared = getenv("SHARED");
    char path[1024];
    snprintf(path, sizeof path, "%s/conformance/custodian/cases-filters.json",
             shared ? shared : "../shared");
    size_t len;
    char *text = read_file(path, &len);
    if (!text) {
        printf("FAIL corpus: cannot read %s\n", path);
        return 1;
    }
    arena *a = arena_new(0);
    jv doc;
    json_error je;
    if (json_parse(a, text, len, &doc, &je) < 0) {
        printf("FAIL corpus: %s\n", je.msg);
        return 1;
    }
    free(text);
    NOW = time(NULL);
    const jv *cases = jv_get(&doc, "cases");
    int failed = 0, n = 0;
    arena *scratch = arena_new(0);
    for (uint32_t i = 0; cases && i < cases->len; i++) {
        const jv *c = &cases->u.items[i];
        const char *id = jv_get(c, "id")->u.str;
        jv res = *jv_get(c, "resource");
        fix_dates(a, &res);
        diag_list d = DIAG_LIST_INIT;
        const resource_type *rt = resource_type_find(jv_get(c, "resource_type")->u.str);
        filter_compiler fc = {.a = a, .map = NULL, .diags = &d, .rtype = rt, .base_dir = "."};
        filter *f = filter_compile(&fc, jv_get(c, "filter"));
        bool want = jv_get(c, "match")->kind == JV_TRUE;
        n++;
        if (!f) {
            printf("FAIL %s: compile error: %s\n", id, d.n ? d.items[0].msg : "?");
            failed++;
        } else {
            arena_reset(scratch);
            resource_set related = {.type = rt,
                                    .account_id = "123456789012",
                                    .region = "us-east-1",
                                    .items = &res,
                                    .n = 1};
            eval_ctx ctx = {.scratch = scratch,
                            .account_id = "123456789012",
                            .region = "us-east-1",
                            .now = NOW,
                            .rtype = rt,
                            .related = &related};
            bool got = filter_match(f, &res, &ctx);
            if (got != want) {
                printf("FAIL %s: got %s, want %s\n", id, got ? "match" : "no match",
                       want ? "match" : "no match");
                failed++;
            } else {
                printf("PASS %s\n", id);
            }
        }
        diag_free(&d);
    }
    if (n != 104) {
        printf("FAIL corpus_count: %d cases, expected 104\n", n);
        failed++;
    }
    arena_free(scratch);
    arena_free(a);
    return failed ? 1 : 0;
}
