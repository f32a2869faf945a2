/* route.c - contacts and settings from accounts.yaml (route.h).
 *
 * Design.  Groups are built once per run, in accounts.yaml order, from the
 * accounts the inventory lists: a team only gets messages when it owns an
 * account, so a stale `teams:` entry does not produce empty digests.
 * Labels instead of addresses go to the database (see route.h); labels of
 * list entries are positional ("webhook#2") so that editing a URL in place
 * keeps pending retries pointed at the new URL.
 * Validation is strict and collects every problem, so one run shows all
 * the mistakes in the notification config.
 */
#include <string.h>

#include "notify/route.h"

static const srcpos YAML_POS = {"accounts.yaml", 0, 0};

typedef struct cbuild {
    contact *v;
    size_t n, cap;
    arena *a;
} cbuild;

static void cb_push(cbuild *b, contact c)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4;
        b->v = arena_realloc(b->a, b->v, b->cap * sizeof *b->v, cap * sizeof *b->v);
        b->cap = cap;
    }
    b->v[b->n++] = c;
}

static bool http_url(const char *s)
{
    return (!strncmp(s, "https://", 8) && s[8]) || (!strncmp(s, "http://", 7) && s[7]);
}

static void add_contact(cbuild *b, const char *owner, const char *kind_name, contact_kind kind,
                        const jv *v, size_t index, diag_list *diags)
{
    if (!jv_is(v, JV_STRING) || !v->len) {
        diag_add(diags, YAML_POS, "%s: contacts.%s must be a string or a list of strings", owner,
                 kind_name);
        return;
    }
    const char *s = v->u.str;
    contact c = {.kind = kind, .target = s};
    if (kind == CONTACT_EMAIL) {
        if (!mail_address_ok(s)) {
            diag_add(diags, YAML_POS, "%s: contacts.email '%s' is not an e-mail address", owner, s);
            return;
        }
        c.label = arena_sprintf(b->a, "email:%s", s);
    } else {
        if (!http_url(s)) {
            buf r = BUF_INIT;
            url_redact(&r, s);
            diag_add(diags, YAML_POS, "%s: contacts.%s must be an http(s) URL (got %s)", owner,
                     kind_name, r.data);
            buf_free(&r);
            return;
        }
        c.label = index ? arena_sprintf(b->a, "%s#%zu", kind_name, index + 1)
                        : arena_strdup(b->a, kind_name);
    }
    for (size_t i = 0; i < b->n; i++)
        if (!strcmp(b->v[i].label, c.label)) return; /* the same address twice */
    cb_push(b, c);
}

/* contacts: {email, webhook, slack}, each a string or a list. */
static void parse_contacts(arena *a, const char *owner, const jv *cs, route_group *g,
                           diag_list *diags)
{
    cbuild b = {.a = a};
    if (!jv_is(cs, JV_OBJECT)) {
        if (cs && !jv_is(cs, JV_NULL))
            diag_add(diags, YAML_POS, "%s: contacts must be a mapping {email, webhook, slack}",
                     owner);
        return;
    }
    for (uint32_t i = 0; i < cs->len; i++) {
        const jv_member *m = &cs->u.members[i];
        contact_kind k;
        if (!strcmp(m->key, "email"))
            k = CONTACT_EMAIL;
        else if (!strcmp(m->key, "webhook"))
            k = CONTACT_WEBHOOK;
        else if (!strcmp(m->key, "slack"))
            k = CONTACT_SLACK;
        else {
            diag_add(diags, YAML_POS,
                     "%s: unknown contact kind '%s' (expected email, webhook, slack)", owner,
                     m->key);
            continue;
        }
        if (jv_is(&m->val, JV_ARRAY)) {
            for (uint32_t j = 0; j < m->val.len; j++)
                add_contact(&b, owner, m->key, k, &m->val.u.items[j], j, diags);
        } else {
            add_contact(&b, owner, m->key, k, &m->val, 0, diags);
        }
    }
    g->contacts = b.v;
    g->n = b.n;
}

static void parse_settings(const inventory *inv, notify_settings *s, diag_list *diags)
{
    const jv *n = inventory_setting(inv, "notifications");
    if (!n || jv_is(n, JV_NULL)) return;
    if (!jv_is(n, JV_OBJECT)) {
        diag_add(diags, YAML_POS, "`notifications` must be a mapping");
        return;
    }
    static const char *keys[] = {"smtp_url", "mail_from", "dashboard_url", "min_severity"};
    const char **slots[] = {&s->smtp_url, &s->mail_from, &s->dashboard_url, &s->min_severity};
    for (uint32_t i = 0; i < n->len; i++) {
        const jv_member *m = &n->u.members[i];
        size_t k = 0;
        while (k < 4 && strcmp(keys[k], m->key))
            k++;
        if (k == 4) {
            diag_add(diags, YAML_POS,
                     "notifications: unknown key '%s' (expected smtp_url, mail_from, "
                     "dashboard_url, min_severity)",
                     m->key);
        } else if (!jv_is(&m->val, JV_STRING)) {
            diag_add(diags, YAML_POS, "notifications.%s must be a string", m->key);
        } else {
            *slots[k] = m->val.u.str;
        }
    }
}

const char *route_key(arena *a, const char *team, const char *account_id)
{
    if (team && *team) return team;
    return arena_sprintf(a, "account:%s", account_id ? account_id : "");
}

const route_group *route_group_find(const route_table *rt, const char *key)
{
    for (size_t i = 0; key && i < rt->n; i++)
        if (!strcmp(rt->groups[i].key, key)) return &rt->groups[i];
    return NULL;
}

const contact *route_contact_find(const route_group *g, const char *label)
{
    for (size_t i = 0; g && label && i < g->n; i++)
        if (!strcmp(g->contacts[i].label, label)) return &g->contacts[i];
    return NULL;
}

/* Fills a team group from `teams:`, or from this account when the team has
 * no contacts there and the group has none yet. */
static void fill_group(arena *a, const inventory *inv, const account_info *ai, route_group *g,
                       diag_list *diags)
{
    if (g->team) {
        const jv *team = jv_get(inventory_setting(inv, "teams"), g->team);
        const jv *cs = jv_get(team, "contacts");
        if (cs) {
            if (!g->n) parse_contacts(a, g->title, cs, g, diags);
            return;
        }
    }
    if (!g->n) {
        const char *owner = arena_sprintf(a, "account %s", ai->id);
        parse_contacts(a, owner, jv_get(&ai->raw, "contacts"), g, diags);
    }
}

int route_build(const inventory *inv, arena *a, route_table *out, diag_list *diags)
{
    size_t before = diags->n, n = inventory_account_count(inv);
    memset(out, 0, sizeof *out);
    out->groups = arena_calloc(a, (n ? n : 1) * sizeof *out->groups);
    parse_settings(inv, &out->settings, diags);
    const jv *teams = inventory_setting(inv, "teams");
    if (teams && !jv_is(teams, JV_OBJECT) && !jv_is(teams, JV_NULL))
        diag_add(diags, YAML_POS, "`teams` must be a mapping of team name to {contacts: ...}");
    for (size_t i = 0; i < n; i++) {
        const account_info *ai = inventory_account(inv, i);
        const char *key = route_key(a, ai->team, ai->id);
        route_group *g = (route_group *)route_group_find(out, key);
        if (!g) {
            g = &out->groups[out->n++];
            g->key = key;
            g->team = ai->team && *ai->team ? ai->team : NULL;
            g->account_id = g->team ? NULL : ai->id;
            if (g->team)
                g->title = arena_sprintf(a, "team %s", g->team);
            else if (ai->name && strcmp(ai->name, ai->id))
                g->title = arena_sprintf(a, "account %s (%s)", ai->name, ai->id);
            else
                g->title = arena_sprintf(a, "account %s", ai->id);
        }
        fill_group(a, inv, ai, g, diags);
    }
    return diags->n == before ? 0 : -1;
}
