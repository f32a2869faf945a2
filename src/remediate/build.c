/* build.c - a fix plan from the store's open findings.
 *
 * The findings selected (open: new, open or regressed; by policy, account
 * and fingerprint) are walked highest priority first; each whose policy is
 * in the loaded set and has `actions:` gives its actions' steps in order
 * (actions.c).  A finding whose policy is not loaded is a note: the store
 * keeps names, not policies, so the same policy files as the scan's must
 * be given.
 */
#include <string.h>

#include "remediate/rm_internal.h"

void rm_plan_init(rm_plan *p)
{
    memset(p, 0, sizeof *p);
    p->a = arena_new(0);
}

void rm_plan_free(rm_plan *p)
{
    arena_free(p->a);
    memset(p, 0, sizeof *p);
}

static const char *dup(arena *a, const char *s)
{
    return s ? arena_strdup(a, s) : NULL;
}

rm_step *rm_step_new(rm_plan *p, const stored_finding *f, const char *action)
{
    p->steps = arena_grow(p->a, p->steps, &p->cap, p->n + 1, sizeof *p->steps);
    rm_step *st = &p->steps[p->n++];
    memset(st, 0, sizeof *st);
    st->fingerprint = dup(p->a, f->fingerprint);
    st->policy = dup(p->a, f->policy);
    st->action = dup(p->a, action);
    st->account_id = dup(p->a, f->account_id);
    st->account_name = dup(p->a, f->account_name);
    st->environment = dup(p->a, f->environment);
    st->region = dup(p->a, f->region);
    st->resource_type = dup(p->a, f->resource_type);
    st->resource_id = dup(p->a, f->resource_id);
    st->resource_name = dup(p->a, f->resource_name);
    st->params = st->before = st->after = jv_null();
    return st;
}

void rm_note_add(rm_plan *p, const stored_finding *f, const char *action, const char *reason)
{
    p->notes = arena_grow(p->a, p->notes, &p->capnotes, p->nnotes + 1, sizeof *p->notes);
    p->notes[p->nnotes++] =
        (rm_note){dup(p->a, f->fingerprint), dup(p->a, f->policy), dup(p->a, action),
                  dup(p->a, f->resource_id), dup(p->a, reason)};
}

static const policy *find_policy(const policy_set *ps, const char *name)
{
    for (size_t i = 0; i < ps->n; i++)
        if (!strcmp(ps->items[i].name, name)) return &ps->items[i];
    return NULL;
}

int rm_plan_build(rm_plan *p, store *st, const policy_set *ps, rm_session *s,
                  const rm_plan_options *o, buf *err)
{
    p->created_at = o->now;
    finding_query q = {.min_severity = -1, .now = o->now};
    q.policies = o->policies, q.n_policies = o->n_policies;
    q.accounts = o->accounts, q.n_accounts = o->n_accounts;
    q.fingerprint = o->finding;
    stored_finding *fs;
    size_t n;
    if (store_findings(st, &q, p->a, &fs, &n) != 0) {
        buf_printf(err, "reading findings: %s", store_error(st));
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const policy *pol = find_policy(ps, fs[i].policy);
        if (!pol) {
            rm_note_add(p, &fs[i], NULL, "its policy is not among the policies loaded (-p)");
            continue;
        }
        for (uint32_t k = 0; jv_is(&pol->actions, JV_ARRAY) && k < pol->actions.len; k++)
            if (rm_plan_action(p, s, &fs[i], &pol->actions.u.items[k], err) != 0) return -1;
    }
    rm_plan_hash(p);
    return 0;
}
