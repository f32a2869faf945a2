/* test_watched.c - AWS managed policies attached to users
 * (inventory/watched.c), read from the fixture tests/data/inventory-watched:
 * a user named in a ListEntitiesForPolicy answer gets the policy, one not
 * named gets [], a NoSuchEntity answer counts as collected, an account
 * without any file leaves the key absent (not collected); and the
 * collector's plan asks for exactly the watched policies. */
#include <stdio.h>
#include <string.h>

#include "aws/plan.h"
#include "inventory/inventory.h"
#include "t.h"

static inventory *INV;

static const jv *user(const resource_set *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (jv_str_eq(jv_get(&s->items[i], "UserName"), name)) return &s->items[i];
    return NULL;
}

static int load_account(const char *account, resource_set *s)
{
    const inv_scope *sc;
    size_t n = inventory_scopes(INV, &sc);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(sc[i].account->id, account) != 0) continue;
        diag_list d = DIAG_LIST_INIT;
        int rc = inventory_load(INV, resource_type_find("aws.iam-user"), &sc[i], s, &d);
        if (rc != 0) diag_print(&d, stdout);
        diag_free(&d);
        return rc;
    }
    return -1;
}

TEST(attached_to_the_named_user_only)
{
    resource_set s;
    CHECK(load_account("111111111111", &s) == 0 && s.n == 2);
    const jv *leaked = jv_get(user(&s, "leaked-ci"), "custos:aws-managed-policies");
    CHECK(jv_is(leaked, JV_ARRAY) && leaked->len == 1);
    CHECK(leaked && leaked->len == 1 &&
          jv_str_eq(jv_get(&leaked->u.items[0], "PolicyName"), "AWSCompromisedKeyQuarantineV2") &&
          jv_str_eq(jv_get(&leaked->u.items[0], "PolicyArn"),
                    "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2"));
    const jv *dev = jv_get(user(&s, "dev1"), "custos:aws-managed-policies");
    CHECK(jv_is(dev, JV_ARRAY) && dev->len == 0);
}

TEST(no_file_is_not_collected)
{
    resource_set s;
    CHECK(load_account("222222222222", &s) == 0 && s.n == 2);
    CHECK(s.n && jv_get(&s.items[0], "custos:aws-managed-policies") == NULL);
}

TEST(plan_asks_for_the_watched_policies)
{
    size_t n, found = 0;
    const plan_op *ops = plan_ops(&n);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(ops[i].operation, "ListEntitiesForPolicy") != 0) continue;
        bool known = false;
        for (int k = 0; inventory_watched_policy(k); k++)
            known = known || strcmp(inventory_watched_policy(k), ops[i].file_key) == 0;
        CHECK(known && ops[i].params && strstr(ops[i].params, ops[i].file_key));
        found++;
    }
    int watched = 0;
    while (inventory_watched_policy(watched))
        watched++;
    CHECK(found == (size_t)watched && watched == 3);
}

int main(void)
{
    inventory_options o = {.threads = 1};
    diag_list d = DIAG_LIST_INIT;
    if (inventory_open("tests/data/inventory-watched", &o, &INV, &d) != 0) {
        diag_print(&d, stdout);
        printf("FAIL open fixture\n");
        return 1;
    }
    diag_free(&d);
    RUN(attached_to_the_named_user_only);
    RUN(no_file_is_not_collected);
    RUN(plan_asks_for_the_watched_policies);
    inventory_close(INV);
    T_EXIT();
}
