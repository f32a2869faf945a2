/* cmd_accounts.c - `custos accounts --from-organizations`: accounts.yaml
 * from AWS Organizations (issue 9).
 *
 * Run with credentials of the organisation's management account (or a
 * delegated administrator): DescribeOrganization, ListAccounts (all pages),
 * then per account ListParents up to the root (each OU's name from
 * DescribeOrganizationalUnit, once per OU) and ListTagsForResource.  Only
 * ACTIVE accounts are written; the others (SUSPENDED, PENDING_CLOSURE) are
 * listed under `skipped:` with the reason, and said on stderr.
 *
 * Team and environment come from the user's rules, tried in order, the
 * first that gives a value winning:
 *   tag:KEY            the account's tag KEY
 *   ou                 the name of the OU the account is directly in
 *   ou:GLOB=VALUE      VALUE when the account is under an OU (at any depth)
 *                      whose name matches GLOB (fnmatch: Prod*, *-prod)
 *   tag:KEY=GLOB=VALUE VALUE when tag KEY's value matches GLOB
 * Every value written is a double-quoted scalar (JSON's escapes, valid
 * YAML), so a hostile account name or tag cannot add keys or lines.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aws/aws.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "json/json.h"
#include "util/buf.h"

enum { RULE_TAG, RULE_OU, RULE_OU_MATCH, RULE_TAG_MATCH };

typedef struct rule {
    int kind;
    char *key, *glob, *value; /* malloc'd parts */
} rule;

typedef struct rules {
    rule *v;
    size_t n;
} rules;

typedef struct org_unit {
    const char *id, *name, *parent; /* parent NULL: under the root */
} org_unit;

typedef struct orgs {
    arena *a;
    const aws_creds *creds;
    const char *profile;
    org_unit *ous;
    size_t nous, cap;
    size_t calls;
} orgs;

static void rules_free(rules *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].key);
        free(r->v[i].glob);
        free(r->v[i].value);
    }
    free(r->v);
}

static char *dupn(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (!d) abort();
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

/* Parses one --team/--environment rule; -1 after saying what is wrong. */
static int rule_parse(const char *opt, const char *text, rules *out)
{
    rule r = {0};
    const char *eq = strchr(text, '=');
    if (!strcmp(text, "ou")) {
        r.kind = RULE_OU;
    } else if (!strncmp(text, "ou:", 3) && eq && eq > text + 3 && eq[1]) {
        r.kind = RULE_OU_MATCH;
        r.glob = dupn(text + 3, (size_t)(eq - text - 3));
        r.value = dupn(eq + 1, strlen(eq + 1));
    } else if (!strncmp(text, "tag:", 4) && text[4] && !eq) {
        r.kind = RULE_TAG;
        r.key = dupn(text + 4, strlen(text + 4));
    } else if (!strncmp(text, "tag:", 4) && eq && eq > text + 4 && strchr(eq + 1, '=') &&
               strchr(eq + 1, '=')[1]) {
        const char *eq2 = strchr(eq + 1, '=');
        r.kind = RULE_TAG_MATCH;
        r.key = dupn(text + 4, (size_t)(eq - text - 4));
        r.glob = dupn(eq + 1, (size_t)(eq2 - eq - 1));
        r.value = dupn(eq2 + 1, strlen(eq2 + 1));
    } else {
        fprintf(stderr,
                "custos accounts: --%s '%s': expected tag:KEY, ou, ou:GLOB=VALUE or "
                "tag:KEY=GLOB=VALUE\n",
                opt, text);
        free(r.key); /* none was set: for the analyser */
        free(r.glob);
        free(r.value);
        return -1;
    }
    rule *v = realloc(out->v, (out->n + 1) * sizeof *v);
    if (!v) abort();
    out->v = v;
    out->v[out->n++] = r;
    return 0;
}

/* One Organizations call; NULL after printing why (never a secret). */
static const jv *org_call(orgs *o, const char *op, const char *pname, const char *pvalue)
{
    aws_param p = {pname, pvalue};
    aws_result res;
    o->calls++;
    if (aws_call(o->a, o->creds, "organizations", op, "us-east-1", o->profile, &p, pname ? 1 : 0,
                 &res) != 0) {
        fprintf(stderr, "custos accounts: organizations %s%s%s: %s: %s\n", op, pvalue ? " " : "",
                pvalue ? pvalue : "", res.code, res.message);
        return NULL;
    }
    jv *d = arena_alloc(o->a, sizeof *d);
    *d = res.data;
    return d;
}

static const char *str_at(const jv *o, const char *key)
{
    const jv *v = jv_get(o, key);
    return jv_is(v, JV_STRING) ? v->u.str : NULL;
}

/* The parent of child id: its OU id, or NULL for the root; -1 on error. */
static int parent_of(orgs *o, const char *child, const char **ou)
{
    *ou = NULL;
    const jv *d = org_call(o, "ListParents", "ChildId", child);
    if (!d) return -1;
    const jv *ps = jv_get(d, "Parents");
    if (!jv_is(ps, JV_ARRAY) || !ps->len) return 0;
    const char *type = str_at(&ps->u.items[0], "Type"), *id = str_at(&ps->u.items[0], "Id");
    if (type && !strcmp(type, "ORGANIZATIONAL_UNIT")) *ou = id;
    return 0;
}

/* The OU of this id (described, and its parent found, once). */
static const org_unit *ou_get(orgs *o, const char *id)
{
    for (size_t i = 0; i < o->nous; i++)
        if (!strcmp(o->ous[i].id, id)) return &o->ous[i];
    const jv *d = org_call(o, "DescribeOrganizationalUnit", "OrganizationalUnitId", id);
    if (!d) return NULL;
    const char *name = str_at(jv_get(d, "OrganizationalUnit"), "Name");
    const char *parent;
    if (parent_of(o, id, &parent) < 0) return NULL;
    o->ous = arena_grow(o->a, o->ous, &o->cap, o->nous + 1, sizeof *o->ous);
    org_unit *u = &o->ous[o->nous++];
    u->id = arena_strdup(o->a, id);
    u->name = arena_strdup(o->a, name ? name : id);
    u->parent = parent ? arena_strdup(o->a, parent) : NULL;
    return u;
}

typedef struct org_account {
    const char *id, *name, *status, *email;
    const jv *tags;            /* [{Key, Value}] */
    const org_unit *chain[32]; /* innermost first */
    size_t depth;
} org_account;

static const char *tag_of(const org_account *a, const char *key)
{
    for (uint32_t i = 0; jv_is(a->tags, JV_ARRAY) && i < a->tags->len; i++) {
        const char *k = str_at(&a->tags->u.items[i], "Key");
        if (k && !strcmp(k, key)) return str_at(&a->tags->u.items[i], "Value");
    }
    return NULL;
}

static const char *apply(const rules *rs, const org_account *a)
{
    for (size_t i = 0; i < rs->n; i++) {
        const rule *r = &rs->v[i];
        const char *t;
        switch (r->kind) {
        case RULE_TAG:
            if ((t = tag_of(a, r->key)) && *t) return t;
            break;
        case RULE_OU:
            if (a->depth) return a->chain[0]->name;
            break;
        case RULE_OU_MATCH:
            for (size_t k = 0; k < a->depth; k++)
                if (fnmatch(r->glob, a->chain[k]->name, 0) == 0) return r->value;
            break;
        default:
            if ((t = tag_of(a, r->key)) && fnmatch(r->glob, t, 0) == 0) return r->value;
            break;
        }
    }
    return NULL;
}

static void put_q(buf *b, const char *s)
{
    json_write_string(b, s, strlen(s));
}

static void put_kv(buf *b, const char *indent, const char *k, const char *v)
{
    if (!v) return;
    buf_printf(b, "%s%s: ", indent, k);
    put_q(b, v);
    buf_putc(b, '\n');
}

/* "Root/Engineering/Payments" style path of an account's OUs. */
static void ou_path(buf *b, const org_account *a)
{
    for (size_t k = a->depth; k-- > 0;) {
        buf_puts(b, a->chain[k]->name);
        if (k) buf_putc(b, '/');
    }
}

static int write_out(const char *path, const buf *b)
{
    if (!path || !strcmp(path, "-")) {
        fwrite(b->data, 1, b->len, stdout);
        return fflush(stdout) == 0 ? 0 : -1;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "custos accounts: cannot write %s: %s\n", tmp, strerror(errno));
        return -1;
    }
    bool ok = fwrite(b->data, 1, b->len, f) == b->len;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        fprintf(stderr, "custos accounts: cannot write %s: %s\n", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* Text in a comment line: control characters (a newline would end the
 * comment) are shown as '?'. */
static void put_plain(buf *b, const char *s)
{
    for (; s && *s; s++)
        buf_putc(b, (unsigned char)*s < 0x20 ? '?' : *s);
}

static void rules_line(buf *b, const char *what, const strlist *l)
{
    buf_printf(b, "#   %s:", what);
    if (!l->n) buf_puts(b, " (none)");
    for (size_t i = 0; i < l->n; i++) {
        buf_puts(b, i ? ", " : " ");
        put_plain(b, l->items[i]);
    }
    buf_putc(b, '\n');
}

static int from_organizations(orgs *o, const rules *team, const rules *env, const strlist *team_src,
                              const strlist *env_src, const char *role, const char *out_path)
{
    const jv *org = org_call(o, "DescribeOrganization", NULL, NULL);
    if (!org) return 1;
    const char *org_id = str_at(jv_get(org, "Organization"), "Id");
    const char *master = str_at(jv_get(org, "Organization"), "MasterAccountId");
    const jv *list = org_call(o, "ListAccounts", NULL, NULL);
    if (!list) return 1;
    const jv *accs = jv_get(list, "Accounts");
    size_t n = jv_is(accs, JV_ARRAY) ? accs->len : 0;
    org_account *v = arena_calloc(o->a, (n + 1) * sizeof *v);
    size_t active = 0;
    for (size_t i = 0; i < n; i++) {
        const jv *e = &accs->u.items[i];
        org_account *a = &v[i];
        a->id = str_at(e, "Id");
        a->name = str_at(e, "Name");
        a->status = str_at(e, "Status");
        if (!a->id) continue;
        if (!a->status || strcmp(a->status, "ACTIVE") != 0) continue;
        active++;
        const char *ou;
        if (parent_of(o, a->id, &ou) < 0) return 1;
        while (ou && a->depth < sizeof a->chain / sizeof *a->chain) {
            const org_unit *u = ou_get(o, ou);
            if (!u) return 1;
            a->chain[a->depth++] = u;
            ou = u->parent;
        }
        const jv *tags = org_call(o, "ListTagsForResource", "ResourceId", a->id);
        if (!tags) return 1;
        a->tags = jv_get(tags, "Tags");
    }
    time_t now = time(NULL);
    char when[32];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    buf b = BUF_INIT;
    buf_printf(&b,
               "# accounts.yaml written by `custos accounts --from-organizations` at %s\n"
               "# from organization ",
               when);
    put_plain(&b, org_id ? org_id : "?");
    buf_puts(&b, " (management account ");
    put_plain(&b, master ? master : "?");
    buf_printf(&b,
               "): %zu ACTIVE accounts,\n# %zu skipped (listed under skipped:).  Rules, first "
               "match wins:\n",
               active, n - active);
    rules_line(&b, "team", team_src);
    rules_line(&b, "environment", env_src);
    if (org_id) {
        buf_puts(&b, "organization:\n");
        put_kv(&b, "  ", "id", org_id);
    }
    if (role) {
        buf_puts(&b, "collect:\n");
        put_kv(&b, "  ", "role", role);
    }
    buf_puts(&b, active ? "accounts:\n" : "accounts: []\n");
    size_t skipped = 0;
    buf path = BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        const org_account *a = &v[i];
        if (!a->id || !a->status || strcmp(a->status, "ACTIVE") != 0) continue;
        buf_puts(&b, "  - id: ");
        put_q(&b, a->id);
        buf_putc(&b, '\n');
        put_kv(&b, "    ", "name", a->name ? a->name : a->id);
        put_kv(&b, "    ", "team", apply(team, a));
        put_kv(&b, "    ", "environment", apply(env, a));
        if (a->depth) {
            buf_reset(&path);
            ou_path(&path, a);
            put_kv(&b, "    ", "ou", path.data);
        }
    }
    for (size_t i = 0; i < n; i++) {
        const org_account *a = &v[i];
        if (!a->id || (a->status && !strcmp(a->status, "ACTIVE"))) continue;
        if (!skipped++) buf_puts(&b, "skipped:\n");
        const char *why = arena_sprintf(o->a, "status %s: only ACTIVE accounts are scanned",
                                        a->status ? a->status : "unknown");
        buf_puts(&b, "  - id: ");
        put_q(&b, a->id);
        buf_putc(&b, '\n');
        put_kv(&b, "    ", "name", a->name);
        put_kv(&b, "    ", "reason", why);
        buf b2 = BUF_INIT;
        put_q(&b2, a->name ? a->name : "");
        fprintf(stderr, "custos accounts: skipped %s %s: %s\n", a->id, b2.data, why);
        buf_free(&b2);
    }
    buf_free(&path);
    int rc = write_out(out_path, &b) == 0 ? 0 : 1;
    if (rc == 0)
        fprintf(stderr,
                "custos accounts: %zu accounts written to %s, %zu skipped (%zu Organizations "
                "calls)\n",
                active, out_path && strcmp(out_path, "-") ? out_path : "stdout", skipped, o->calls);
    buf_free(&b);
    return rc;
}

int cmd_accounts(int argc, char **argv)
{
    bool from_orgs = false;
    const char *out = NULL, *role = NULL, *profile = NULL;
    strlist team_src = {0}, env_src = {0};
    const cli_opt opts[] = {
        {"from-organizations", 0, CLI_FLAG, &from_orgs, NULL,
         "read the accounts from AWS Organizations (required)"},
        {"team", 0, CLI_PATH, &team_src, "RULE",
         "where an account's team comes from, tried in order:\ntag:KEY, ou, ou:GLOB=VALUE or "
         "tag:KEY=GLOB=VALUE"},
        {"environment", 0, CLI_PATH, &env_src, "RULE", "the same for its environment"},
        {"role", 0, CLI_STR, &role, "NAME",
         "write collect: role: NAME (the role custos collect\nassumes in every account)"},
        {"profile", 0, CLI_STR, &profile, "NAME", "the shared-config profile to call AWS with"},
        CLI_OPT_OUTPUT(&out),
        {0},
    };
    const cli_command cmd = {
        "accounts",
        "usage: custos accounts --from-organizations [--team RULE]... [--environment RULE]...\n"
        "                       [--role NAME] [-o accounts.yaml]\n"
        "\n"
        "Writes an accounts.yaml (for custos collect and scan) from AWS Organizations:\n"
        "every ACTIVE account with its name, team and environment by your rules and its\n"
        "OU path; the others are listed under skipped: with the reason.  Run it with\n"
        "the management account's credentials (the AWS SDKs' chain).\n",
        opts,
        0,
        NULL,
        "Rules: tag:KEY (the account's tag), ou (the OU it is directly in),\n"
        "ou:GLOB=VALUE (VALUE when under an OU whose name matches GLOB, at any depth),\n"
        "tag:KEY=GLOB=VALUE (VALUE when the tag matches GLOB); the first that gives a\n"
        "value wins.  Example: --team tag:team --team ou --environment 'ou:Prod*=prod'\n"
        "--environment 'ou:*=dev'\n"
        "\n"
        "Exit status: 0 written, 1 an error (nothing written).\n"};
    int nargs = 0;
    int rc = cli_args(&cmd, argc, argv, NULL, &nargs);
    rules team = {0}, env = {0};
    if (rc >= 0) goto done;
    rc = 1;
    if (!from_orgs) {
        fprintf(stderr, "custos accounts: --from-organizations is required (the only source "
                        "for now)\n");
        goto done;
    }
    for (size_t i = 0; i < team_src.n; i++)
        if (rule_parse("team", team_src.items[i], &team) < 0) goto done;
    for (size_t i = 0; i < env_src.n; i++)
        if (rule_parse("environment", env_src.items[i], &env) < 0) goto done;
    aws_creds creds;
    buf err = BUF_INIT;
    if (aws_default_creds(profile, &creds, &err) != 0) {
        fprintf(stderr, "custos accounts: no AWS credentials: %s\n", err.data ? err.data : "");
        buf_free(&err);
        goto done;
    }
    buf_free(&err);
    orgs o = {.a = arena_new(0), .creds = &creds, .profile = profile};
    rc = from_organizations(&o, &team, &env, &team_src, &env_src, role, out);
    arena_free(o.a);
    aws_creds_clear(&creds);
done:
    rules_free(&team);
    rules_free(&env);
    strlist_free(&team_src);
    strlist_free(&env_src);
    return rc;
}
