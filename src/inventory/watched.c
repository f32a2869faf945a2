/* watched.c - AWS managed policies whose attachment is a finding itself.
 *
 * AWS attaches AWSCompromisedKeyQuarantine (V2, V3) to an IAM user whose
 * access key it found in public (a commit, a paste site).  Which entities
 * have one attached is one call per policy and account, not one per user:
 * `iam list-entities-for-policy --policy-arn arn:aws:iam::aws:policy/NAME`,
 * collected as global/iam.ListEntitiesForPolicy.NAME.json (src/aws/plan.c's
 * WATCH lines; inventory_watched_policy() lists the same names for the
 * test that keeps the two in step).
 *
 * Each user gets custos:aws-managed-policies, the watched policies
 * attached to it ([{PolicyName, PolicyArn}], [] for none; the calls ask
 * for users only, EntityFilter=User), when at least one of the files was
 * collected; a NoSuchEntity answer (a partition without that policy)
 * counts as collected and attached to nobody.  No file at all leaves the key absent: not collected.
 * Recordings (placebo) have no such call: Custodian makes none.
 */
#include <string.h>
#include <unistd.h>

#include "inventory/inv_internal.h"

static const char *const WATCHED[] = {"AWSCompromisedKeyQuarantine",
                                      "AWSCompromisedKeyQuarantineV2",
                                      "AWSCompromisedKeyQuarantineV3"};
#define N_WATCHED (sizeof WATCHED / sizeof WATCHED[0])

const char *inventory_watched_policy(int i)
{
    return i >= 0 && (size_t)i < N_WATCHED ? WATCHED[i] : NULL;
}

static void set_member(arena *a, jv *r, const char *key, jv val)
{
    jv_builder b;
    jvb_object(&b, a);
    for (uint32_t i = 0; jv_is(r, JV_OBJECT) && i < r->len; i++)
        jvb_set(&b, r->u.members[i].key, r->u.members[i].klen, r->u.members[i].val);
    jvb_set(&b, key, strlen(key), val);
    *r = jvb_done(&b);
}

void inv_watched_policies(load_ctx *lc, const resource_type *t, const inv_scope *scope, jv *items,
                          size_t n, diag_list *diags)
{
    static const char *const list_key = "PolicyUsers", *const name_key = "UserName";
    if (strcmp(t->name, "aws.iam-user") != 0 || lc->inv->kind == INV_PLACEBO || !n) return;
    jv_builder *acc = NULL;
    for (size_t w = 0; w < N_WATCHED; w++) {
        const char *path = inv_fmt(lc, "%s/%s/global/iam.ListEntitiesForPolicy.%s.json",
                                   lc->inv->root, scope->account->id, WATCHED[w]);
        if (access(path, R_OK) != 0) continue;
        pfile f = {.path = path};
        inv_parse_files(lc, &f, 1, false);
        if (f.status != PF_OK) {
            inv_file_diag(&f, diags);
            continue;
        }
        call_result res = inv_classify(&f);
        if (res.outcome != CALL_OK && res.outcome != CALL_NOT_FOUND) continue;
        if (!acc) {
            acc = arena_alloc(lc->a, n * sizeof *acc);
            for (size_t i = 0; i < n; i++)
                jvb_array(&acc[i], lc->a);
        }
        const jv *who = res.outcome == CALL_OK ? jv_get(res.data, list_key) : NULL;
        for (uint32_t k = 0; jv_is(who, JV_ARRAY) && k < who->len; k++) {
            const jv *name = jv_get(&who->u.items[k], name_key);
            if (!jv_is(name, JV_STRING)) continue;
            for (size_t i = 0; i < n; i++) {
                if (!jv_equal(jv_get(&items[i], name_key), name)) continue;
                jv_builder p;
                jvb_object(&p, lc->a);
                jvb_set(&p, "PolicyName", 10, jv_cstr(lc->a, WATCHED[w]));
                jvb_set(&p, "PolicyArn", 9,
                        jv_cstr(lc->a, inv_fmt(lc, "arn:aws:iam::aws:policy/%s", WATCHED[w])));
                jvb_push(&acc[i], jvb_done(&p));
            }
        }
    }
    for (size_t i = 0; acc && i < n; i++)
        set_member(lc->a, &items[i], "custos:aws-managed-policies", jvb_done(&acc[i]));
}
