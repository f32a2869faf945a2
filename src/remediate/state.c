/* state.c - the states steps compare, in one normal form.
 *
 * A plan stores the state a call changes and the state it leaves; apply
 * reads the resource again and compares with jv_equal, so a state must
 * read the same whenever the resource is the same.  Security group rules
 * are split into grants (one range item each, as Custodian's ingress
 * filter matches them and as AWS revokes them) and sorted; a public
 * access block always has its four settings.
 */
#include <stdlib.h>
#include <string.h>

#include "remediate/rm_internal.h"

static const char *const RANGE_KEYS[] = {"IpRanges", "Ipv6Ranges", "PrefixListIds",
                                         "UserIdGroupPairs"};
/* The member identifying an item of each range list. */
static const char *const RANGE_ID[] = {"CidrIp", "CidrIpv6", "PrefixListId", "GroupId"};

const char *const RM_PAB_KEYS[4] = {"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
                                    "RestrictPublicBuckets"};

static jv grant(arena *a, const jv *perm, size_t k, const jv *item)
{
    jv_builder b;
    jvb_object(&b, a);
    static const char *const head[] = {"IpProtocol", "FromPort", "ToPort"};
    for (size_t i = 0; i < 3; i++) {
        const jv *v = jv_get(perm, head[i]);
        if (v && !jv_is(v, JV_NULL)) jvb_set(&b, head[i], strlen(head[i]), *v);
    }
    jv one = jv_array(a, 1);
    one.u.items[0] = *item;
    jvb_set(&b, RANGE_KEYS[k], strlen(RANGE_KEYS[k]), one);
    return jvb_done(&b);
}

typedef struct keyed {
    char *text;
    jv v;
} keyed;

static int by_text(const void *x, const void *y)
{
    return strcmp(((const keyed *)x)->text, ((const keyed *)y)->text);
}

jv rm_sg_grants(arena *a, const jv *perms)
{
    size_t n = 0, cap = 0;
    keyed *all = NULL;
    for (uint32_t i = 0; jv_is(perms, JV_ARRAY) && i < perms->len; i++)
        for (size_t k = 0; k < 4; k++) {
            const jv *list = jv_get(&perms->u.items[i], RANGE_KEYS[k]);
            for (uint32_t j = 0; jv_is(list, JV_ARRAY) && j < list->len; j++) {
                all = arena_grow(a, all, &cap, n + 1, sizeof *all);
                all[n].v = grant(a, &perms->u.items[i], k, &list->u.items[j]);
                buf t = BUF_INIT;
                json_write(&t, &all[n].v);
                all[n].text = arena_strdup(a, t.data);
                buf_free(&t);
                n++;
            }
        }
    if (n) qsort(all, n, sizeof *all, by_text);
    jv out = jv_array(a, n);
    for (size_t i = 0; i < n; i++)
        out.u.items[i] = all[i].v;
    return out;
}

static void num_text(const jv *v, char *out, size_t n)
{
    if (jv_is(v, JV_NUMBER))
        snprintf(out, n, "%.0f", v->u.num);
    else if (jv_is(v, JV_STRING))
        snprintf(out, n, "%s", v->u.str);
    else
        snprintf(out, n, "-");
}

bool rm_grant_id(const jv *g, char *out, size_t n)
{
    const jv *proto = jv_get(g, "IpProtocol");
    if (!jv_is(proto, JV_STRING)) return false;
    char from[32], to[32];
    num_text(jv_get(g, "FromPort"), from, sizeof from);
    num_text(jv_get(g, "ToPort"), to, sizeof to);
    for (size_t k = 0; k < 4; k++) {
        const jv *list = jv_get(g, RANGE_KEYS[k]);
        if (!jv_is(list, JV_ARRAY) || list->len != 1) continue;
        const jv *id = jv_get(&list->u.items[0], RANGE_ID[k]);
        if (!jv_is(id, JV_STRING)) continue;
        snprintf(out, n, "%s|%s|%s|%s|%s", proto->u.str, from, to, RANGE_KEYS[k], id->u.str);
        return true;
    }
    return false;
}

jv rm_grant_for_call(arena *a, const jv *g)
{
    jv_builder b;
    jvb_object(&b, a);
    for (uint32_t i = 0; jv_is(g, JV_OBJECT) && i < g->len; i++) {
        const jv_member *m = &g->u.members[i];
        size_t k = 0;
        while (k < 4 && strcmp(m->key, RANGE_KEYS[k]) != 0)
            k++;
        if (k == 4) {
            jvb_set(&b, m->key, m->klen, m->val);
            continue;
        }
        jv_builder items;
        jvb_array(&items, a);
        for (uint32_t j = 0; jv_is(&m->val, JV_ARRAY) && j < m->val.len; j++) {
            jv_builder it;
            jvb_object(&it, a);
            const jv *id = jv_get(&m->val.u.items[j], RANGE_ID[k]);
            if (id) jvb_set(&it, RANGE_ID[k], strlen(RANGE_ID[k]), *id);
            const jv *uid = k == 3 ? jv_get(&m->val.u.items[j], "UserId") : NULL;
            if (uid) jvb_set(&it, "UserId", 6, *uid);
            jvb_push(&items, jvb_done(&it));
        }
        jvb_set(&b, m->key, m->klen, jvb_done(&items));
    }
    return jvb_done(&b);
}

jv rm_perms_normal(arena *a, const jv *list)
{
    size_t n = jv_is(list, JV_ARRAY) ? list->len : 0;
    keyed *all = arena_alloc(a, (n ? n : 1) * sizeof *all);
    for (size_t i = 0; i < n; i++) {
        all[i].v = list->u.items[i];
        buf t = BUF_INIT;
        json_write(&t, &all[i].v);
        all[i].text = arena_strdup(a, t.data);
        buf_free(&t);
    }
    if (n) qsort(all, n, sizeof *all, by_text);
    jv out = jv_array(a, n);
    for (size_t i = 0; i < n; i++)
        out.u.items[i] = all[i].v;
    return out;
}

jv rm_pab_normal(arena *a, const jv *cfg)
{
    jv_builder b;
    jvb_object(&b, a);
    for (size_t k = 0; k < 4; k++)
        jvb_set(&b, RM_PAB_KEYS[k], strlen(RM_PAB_KEYS[k]),
                jv_bool(jv_is(jv_get(cfg, RM_PAB_KEYS[k]), JV_TRUE)));
    return jvb_done(&b);
}

jv rm_key_state(arena *a, const char *key_id, const jv *status)
{
    jv_builder b;
    jvb_object(&b, a);
    jvb_set(&b, "AccessKeyId", 11, jv_cstr(a, key_id));
    jvb_set(&b, "Status", 6, jv_is(status, JV_STRING) ? *status : jv_null());
    return jvb_done(&b);
}

jv rm_without(arena *a, const jv *of, const jv *drop)
{
    jv_builder b;
    jvb_array(&b, a);
    for (uint32_t i = 0; jv_is(of, JV_ARRAY) && i < of->len; i++) {
        bool dropped = false;
        for (uint32_t k = 0; jv_is(drop, JV_ARRAY) && k < drop->len && !dropped; k++)
            dropped = jv_equal(&of->u.items[i], &drop->u.items[k]);
        if (!dropped) jvb_push(&b, of->u.items[i]);
    }
    return jvb_done(&b);
}
