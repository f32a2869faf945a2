/* rds_filters.c - RDS filters over engine, maintenance and parameter data.
 *
 *   engine               a value filter over the instance's engine version
 *                        (DescribeDBEngineVersions for its Engine and
 *                        EngineVersion; inventory: c7n:Engine);
 *   upgrade-available    the same version's ValidUpgradeTarget has a newer
 *                        version (minor only, unless major: true); with
 *                        value: false, matches when there is none;
 *   pending-maintenance  DescribePendingMaintenanceActions lists an action
 *                        for the instance (c7n:PendingMaintenance);
 *   db-parameter         a value filter over the instance's parameter
 *                        group's values (DescribeDBParameters, recast by
 *                        DataType as Custodian does; c7n:db-parameters):
 *                        `key` is the parameter name;
 *   consecutive-aws-backups  AWS Backup has a recovery point with `status`
 *                        in each of the last `count` days (or hours, weeks:
 *                        `period`), dated like Custodian's (UTC dates, or
 *                        date and hour; ListRecoveryPointsByResource,
 *                        c7n:AwsBackups).
 * Versions compare as Custodian's LooseVersion: runs of digits as numbers,
 * other runs as text.  Missing data is reported (needs.h).
 */
#include "filters/rds_filters.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "filters/filter_opts.h"
#include "filters/iam_filters.h"
#include "filters/needs.h"
#include "json/jv_date.h"
#include "util/date.h"

typedef struct rds_vf {
    filter base;
    value_filter *vf;
} rds_vf;

static filter *vf_compile(filter_compiler *fc, const jv *spec, const filter_type *ft)
{
    rds_vf *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = ft;
    f->base.pos = fc->where;
    jv vspec = iam_value_spec(fc, spec, NULL, NULL);
    f->vf = value_filter_compile(fc, &vspec, true);
    return f->vf ? &f->base : NULL;
}

static filter *engine_compile(filter_compiler *fc, const jv *spec)
{
    return vf_compile(fc, spec, &filter_type_rds_engine);
}

static bool engine_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const rds_vf *f = (const rds_vf *)base;
    const jv *e = jv_get(r, "c7n:Engine");
    if (!e) {
        filter_note_missing(ctx, "engine", "rds.DescribeDBEngineVersions");
        return false;
    }
    return jv_is(e, JV_OBJECT) && e->len && value_filter_match(f->vf, e, ctx);
}

static filter *db_parameter_compile(filter_compiler *fc, const jv *spec)
{
    return vf_compile(fc, spec, &filter_type_db_parameter);
}

static bool db_parameter_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const rds_vf *f = (const rds_vf *)base;
    const jv *p = jv_get(r, "c7n:db-parameters");
    if (!p) {
        filter_note_missing(ctx, "db-parameter", "rds.DescribeDBParameters");
        return false;
    }
    return value_filter_match(f->vf, p, ctx);
}

/* ---- upgrade-available ---- */

typedef struct upgrade_filter {
    filter base;
    bool major, value;
} upgrade_filter;

static filter *upgrade_compile(filter_compiler *fc, const jv *spec)
{
    upgrade_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_upgrade_available;
    f->base.pos = fc->where;
    f->value = true;
    for (uint32_t i = 0; jv_is(spec, JV_OBJECT) && i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        bool ok = true;
        if (!strcmp(m->key, "type")) continue;
        if (!strcmp(m->key, "major"))
            ok = opt_bool(fc, &m->val, m->key, &f->major);
        else if (!strcmp(m->key, "value"))
            ok = opt_bool(fc, &m->val, m->key, &f->value);
        else
            ok = opt_unknown(fc, m, "upgrade-available");
        if (!ok) return NULL;
    }
    return &f->base;
}

/* LooseVersion order: -1, 0, 1. */
static int loose_cmp(const char *a, const char *b)
{
    while (*a || *b) {
        while (*a && !isalnum((unsigned char)*a))
            a++;
        while (*b && !isalnum((unsigned char)*b))
            b++;
        if (!*a || !*b) return *a ? 1 : *b ? -1 : 0;
        bool da = isdigit((unsigned char)*a), db = isdigit((unsigned char)*b);
        if (da && db) {
            char *ea, *eb;
            long long x = strtoll(a, &ea, 10), y = strtoll(b, &eb, 10);
            if (x != y) return x < y ? -1 : 1;
            a = ea, b = eb;
            continue;
        }
        if (da != db) return da ? -1 : 1;
        size_t la = 0, lb = 0;
        while (isalpha((unsigned char)a[la]))
            la++;
        while (isalpha((unsigned char)b[lb]))
            lb++;
        int c = strncmp(a, b, la < lb ? la : lb);
        if (c || la != lb) return c ? (c < 0 ? -1 : 1) : (la < lb ? -1 : 1);
        a += la, b += lb;
    }
    return 0;
}

static bool upgrade_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const upgrade_filter *f = (const upgrade_filter *)base;
    const jv *e = jv_get(r, "c7n:Engine");
    if (!e) {
        filter_note_missing(ctx, "upgrade-available", "rds.DescribeDBEngineVersions");
        return false;
    }
    const jv *targets = jv_get(e, "ValidUpgradeTarget");
    const char *best = NULL;
    for (uint32_t i = 0; jv_is(targets, JV_ARRAY) && i < targets->len; i++) {
        const jv *t = &targets->u.items[i];
        if (!f->major && jv_truthy(jv_get(t, "IsMajorVersionUpgrade"))) continue;
        const jv *v = jv_get(t, "EngineVersion");
        if (jv_is(v, JV_STRING) && loose_cmp(v->u.str, best ? best : "0.0.0") > 0) best = v->u.str;
    }
    return best ? true : !f->value;
}

/* ---- consecutive-aws-backups ---- */

enum { P_HOURS, P_DAYS, P_WEEKS };

typedef struct backups_filter {
    filter base;
    int count, period;
    const char *status;
} backups_filter;

static filter *backups_compile(filter_compiler *fc, const jv *spec)
{
    backups_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_consecutive_backups;
    f->base.pos = fc->where;
    f->period = -1;
    for (uint32_t i = 0; jv_is(spec, JV_OBJECT) && i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        if (!strcmp(m->key, "type")) continue;
        if (!strcmp(m->key, "count") && jv_is(&m->val, JV_NUMBER) && m->val.u.num >= 1 &&
            m->val.u.num <= 10000)
            f->count = (int)m->val.u.num;
        else if (!strcmp(m->key, "period") && jv_str_eq(&m->val, "hours"))
            f->period = P_HOURS;
        else if (!strcmp(m->key, "period") && jv_str_eq(&m->val, "days"))
            f->period = P_DAYS;
        else if (!strcmp(m->key, "period") && jv_str_eq(&m->val, "weeks"))
            f->period = P_WEEKS;
        else if (!strcmp(m->key, "status") && jv_is(&m->val, JV_STRING))
            f->status = m->val.u.str;
        else
            return opt_unknown(fc, m, "consecutive-aws-backups"), NULL;
    }
    if (!f->count || f->period < 0 || !f->status) {
        fc_error(fc, spec,
                 "consecutive-aws-backups needs count (>= 1), period (hours, days, weeks) and "
                 "status (COMPLETED, PARTIAL, DELETING, EXPIRED)");
        return NULL;
    }
    return &f->base;
}

/* The UTC date (and hour) of t as Custodian formats it. */
static void day_key(time_t t, bool hours, char *out, size_t n)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, n, hours ? "%Y-%m-%d-%H" : "%Y-%m-%d", &tm);
}

static bool backups_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const backups_filter *f = (const backups_filter *)base;
    const jv *pts = jv_get(r, "c7n:AwsBackups");
    if (!pts) {
        filter_note_missing(ctx, "consecutive-aws-backups", "backup.ListRecoveryPointsByResource");
        return false;
    }
    bool hours = f->period == P_HOURS;
    long step = hours ? 3600 : f->period == P_DAYS ? 86400 : 7 * 86400;
    for (int k = 1; k <= f->count; k++) {
        char want[32];
        day_key(ctx->now - (time_t)(k * step), hours, want, sizeof want);
        bool found = false;
        for (uint32_t i = 0; jv_is(pts, JV_ARRAY) && i < pts->len && !found; i++) {
            const jv *p = &pts->u.items[i];
            double when;
            char have[32];
            if (!jv_str_eq(jv_get(p, "Status"), f->status) ||
                !date_parse_jv(jv_get(p, "CreationDate"), &when))
                continue;
            day_key((time_t)when, hours, have, sizeof have);
            found = strcmp(have, want) == 0;
        }
        if (!found) return false;
    }
    return true;
}

/* ---- pending-maintenance ---- */

static filter *pending_compile(filter_compiler *fc, const jv *spec)
{
    for (uint32_t i = 0; jv_is(spec, JV_OBJECT) && i < spec->len; i++)
        if (strcmp(spec->u.members[i].key, "type") != 0)
            return opt_unknown(fc, &spec->u.members[i], "pending-maintenance"), NULL;
    filter *f = arena_calloc(fc->a, sizeof *f);
    f->type = &filter_type_pending_maintenance;
    f->pos = fc->where;
    return f;
}

static bool pending_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    (void)base;
    const jv *p = jv_get(r, "c7n:PendingMaintenance");
    if (!p) {
        filter_note_missing(ctx, "pending-maintenance", "rds.DescribePendingMaintenanceActions");
        return false;
    }
    return jv_is(p, JV_ARRAY) && p->len > 0;
}

static const char *const rds[] = {"aws.rds", NULL};

const filter_type filter_type_rds_engine = {"engine", rds, engine_compile, engine_match};
const filter_type filter_type_upgrade_available = {"upgrade-available", rds, upgrade_compile,
                                                   upgrade_match};
const filter_type filter_type_pending_maintenance = {"pending-maintenance", rds, pending_compile,
                                                     pending_match};
const filter_type filter_type_consecutive_backups = {"consecutive-aws-backups", rds,
                                                     backups_compile, backups_match};
const filter_type filter_type_db_parameter = {"db-parameter", rds, db_parameter_compile,
                                              db_parameter_match};
