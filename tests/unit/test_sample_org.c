/* test_sample_org.c - the example policies find exactly the planted problems.
 *
 * Generates the sample organisation (examples/gen_org.py), loads every
 * scope, evaluates the policies in policies/aws with the compiled filters, and
 * compares the (policy, resource id, account) triples with planted.json:
 * nothing planted may be missed, and nothing clean may be flagged.  This
 * ties the generator, the inventory reader (including its Custodian-style
 * augmentation) and the filters together.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "inventory/inventory.h"
#include "policy/policy.h"
#include "t.h"

#define ORG "build/test-out/sample-org-e2e"

typedef struct hit {
    char key[512];
    int seen; /* matched by the other side */
} hit;

static hit *push(hit **v, size_t *n, const char *check, const char *id, const char *acct)
{
    *v = realloc(*v, (*n + 1) * sizeof **v);
    hit *h = &(*v)[(*n)++];
    snprintf(h->key, sizeof h->key, "%s|%s|%s", check, id, acct);
    h->seen = 0;
    return h;
}

static int find(hit *v, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].key, key) == 0) return (int)i;
    return -1;
}

TEST(examples_find_exactly_the_planted_set)
{
    CHECK(system("/usr/bin/python3 examples/gen_org.py --out " ORG " --quiet") == 0);
    policy_set ps;
    policy_set_init(&ps);
    diag_list d = DIAG_LIST_INIT;
    CHECK(policy_load_path(&ps, "policies/aws", &d) == 0);
    diag_print(&d, stdout);
    diag_free(&d);
    CHECK(ps.n >= 10);

    inventory_options o = {.threads = 2};
    inventory *inv = NULL;
    CHECK(inventory_open(ORG, &o, &inv, &d) == 0);
    diag_print(&d, stdout);
    diag_free(&d);
    if (!inv) {
        policy_set_free(&ps);
        return;
    }
    hit *found = NULL;
    size_t nfound = 0;
    arena *scratch = arena_new(0);
    const inv_scope *sc;
    size_t ns = inventory_scopes(inv, &sc);
    for (size_t p = 0; p < ps.n; p++) {
        const policy *pol = &ps.items[p];
        for (size_t s = 0; s < ns; s++) {
            resource_set set;
            if (inventory_load(inv, pol->rtype, &sc[s], &set, &d) != 0) diag_print(&d, stdout);
            diag_free(&d);
            eval_ctx ctx = {.scratch = scratch,
                            .account_id = sc[s].account->id,
                            .region = sc[s].region,
                            .now = time(NULL),
                            .rtype = pol->rtype,
                            .related = &set};
            for (size_t i = 0; i < set.n; i++) {
                arena_reset(scratch);
                if (pol->filters && !filter_match(pol->filters, &set.items[i], &ctx)) continue;
                push(&found, &nfound, pol->name, resource_id(pol->rtype, &set.items[i]),
                     sc[s].account->id);
            }
        }
    }
    arena_free(scratch);

    size_t n;
    char *text = read_file(ORG "/planted.json", &n);
    CHECK(text != NULL);
    arena *a = arena_new(0);
    jv planted = jv_null();
    json_error e;
    CHECK(text && json_parse(a, text, n, &planted, &e) == 0);
    free(text);
    hit *want = NULL;
    size_t nwant = 0;
    for (uint32_t i = 0; jv_is(&planted, JV_ARRAY) && i < planted.len; i++) {
        const jv *pl = &planted.u.items[i];
        push(&want, &nwant, jv_get(pl, "check")->u.str, jv_get(pl, "id")->u.str,
             jv_get(pl, "account")->u.str);
    }
    CHECK(nwant >= 14);
    int missed = 0, extra = 0;
    for (size_t i = 0; i < nwant; i++) {
        if (find(found, nfound, want[i].key) >= 0) continue;
        printf("  planted but not found: %s\n", want[i].key);
        missed++;
    }
    for (size_t i = 0; i < nfound; i++) {
        if (find(want, nwant, found[i].key) >= 0) continue;
        if (extra < 20) printf("  found but not planted: %s\n", found[i].key);
        extra++;
    }
    CHECK(missed == 0);
    CHECK(extra == 0);
    free(found);
    free(want);
    arena_free(a);
    inventory_close(inv);
    policy_set_free(&ps);
}

int main(void)
{
    RUN(examples_find_exactly_the_planted_set);
    T_EXIT();
}
