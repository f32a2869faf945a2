/* metrics.c - Custodian's `metrics` filter over recorded CloudWatch data.
 *
 * Custodian asks CloudWatch (GetMetricStatistics) for one statistic of one
 * metric over the last `days` per resource, and matches when EVERY
 * datapoint satisfies `op` (default less-than) against `value`; with no
 * datapoints it does not match, unless `missing-value` stands in for them.
 * `statistics` is Average (default), Sum, Maximum, Minimum, SampleCount or
 * an extended pNN (read from the datapoint's ExtendedStatistics);
 * `percent-attr` (with `attr-multiplier`) compares the datapoint as a
 * percentage of a resource attribute.  The datapoints are the recorded
 * answer for the resource (inventory: c7n:metric-datapoints, recordings
 * only): custos never calls CloudWatch during a scan, and when the answer
 * was not collected the scan says so.  Which metric was recorded is the
 * collector's business; the filter checks the statistic it asks for.
 */
#include "filters/metrics.h"

#include <math.h>
#include <string.h>

#include "filters/filter_opts.h"
#include "filters/needs.h"
#include "filters/pyval.h"

enum { M_LT, M_LE, M_GT, M_GE, M_EQ, M_NE };

typedef struct metrics_filter {
    filter base;
    const char *stat;
    bool extended;
    int op;
    double value;
    bool has_missing;
    double missing;
    const char *percent_attr;
    double multiplier;
} metrics_filter;

static bool stat_ok(const char *s, bool *extended)
{
    static const char *const std[] = {"Average", "Sum", "Maximum", "Minimum", "SampleCount"};
    for (int i = 0; i < 5; i++)
        if (!strcmp(s, std[i])) return *extended = false, true;
    /* pNN, pNN.N, pNNN */
    if (s[0] != 'p') return false;
    size_t d = strspn(s + 1, "0123456789");
    if (d < 1 || d > 3) return false;
    const char *rest = s + 1 + d;
    if (*rest == '.') rest += 1 + (rest[1] >= '0' && rest[1] <= '9');
    return *extended = true, *rest == 0;
}

static filter *metrics_compile(filter_compiler *fc, const jv *spec)
{
    static const char *const ops[][2] = {{"lt", "less-than"},    {"le", "lte"},
                                         {"gt", "greater-than"}, {"ge", "gte"},
                                         {"eq", "equal"},        {"ne", "not-equal"}};
    metrics_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_metrics;
    f->base.pos = fc->where;
    f->stat = "Average";
    f->multiplier = 1;
    bool have_value = false, have_name = false;
    for (uint32_t i = 0; jv_is(spec, JV_OBJECT) && i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        const char *k = m->key;
        if (!strcmp(k, "type") || !strcmp(k, "namespace") || !strcmp(k, "dimensions") ||
            !strcmp(k, "period") || !strcmp(k, "period-start"))
            continue;
        if (!strcmp(k, "name")) {
            have_name = jv_is(&m->val, JV_STRING);
        } else if (!strcmp(k, "days")) {
            if (!jv_is(&m->val, JV_NUMBER) || m->val.u.num > 455) {
                fc_error(fc, &m->val, "metrics: days must be a number up to 455");
                return NULL;
            }
        } else if (!strcmp(k, "statistics")) {
            if (!jv_is(&m->val, JV_STRING) || !stat_ok(m->val.u.str, &f->extended)) {
                fc_error(fc, &m->val,
                         "metrics: statistics must be Average, Sum, Maximum, "
                         "Minimum, SampleCount or pNN");
                return NULL;
            }
            f->stat = m->val.u.str;
        } else if (!strcmp(k, "op")) {
            int op = -1;
            for (int o = 0; o < 6 && op < 0; o++)
                if (jv_str_eq(&m->val, ops[o][0]) || jv_str_eq(&m->val, ops[o][1])) op = o;
            if (op < 0) {
                fc_error(fc, &m->val, "metrics: op must be lt, le, gt, ge, eq or ne");
                return NULL;
            }
            f->op = op;
        } else if (!strcmp(k, "value") && jv_is(&m->val, JV_NUMBER)) {
            f->value = m->val.u.num;
            have_value = true;
        } else if (!strcmp(k, "missing-value") && jv_is(&m->val, JV_NUMBER)) {
            f->has_missing = true;
            f->missing = m->val.u.num;
        } else if (!strcmp(k, "percent-attr") && jv_is(&m->val, JV_STRING)) {
            f->percent_attr = m->val.u.str;
        } else if (!strcmp(k, "attr-multiplier") && jv_is(&m->val, JV_NUMBER)) {
            f->multiplier = m->val.u.num;
        } else {
            return opt_unknown(fc, m, "metrics"), NULL;
        }
    }
    if (!have_name || !have_value) {
        fc_error(fc, spec, "metrics needs name (the metric) and value (a number)");
        return NULL;
    }
    return &f->base;
}

static bool cmp(int op, double a, double b)
{
    switch (op) {
    case M_LT:
        return a < b;
    case M_LE:
        return a <= b;
    case M_GT:
        return a > b;
    case M_GE:
        return a >= b;
    case M_EQ:
        return a == b;
    default:
        return a != b;
    }
}

static bool metrics_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const metrics_filter *f = (const metrics_filter *)base;
    const jv *dps = jv_get(r, "c7n:metric-datapoints");
    if (!dps) {
        filter_note_missing(ctx, "metrics", "cloudwatch.GetMetricStatistics");
        return false;
    }
    double base_val = 1;
    if (f->percent_attr) {
        const jv *a = jv_get(r, f->percent_attr);
        if (!jv_is(a, JV_NUMBER) || a->u.num == 0) return false;
        base_val = a->u.num * f->multiplier;
    }
    uint32_t n = jv_is(dps, JV_ARRAY) ? dps->len : 0;
    if (n == 0) {
        if (!f->has_missing) return false;
        double v = f->percent_attr ? f->missing / base_val * 100 : f->missing;
        return cmp(f->op, v, f->value);
    }
    for (uint32_t i = 0; i < n; i++) {
        const jv *dp = &dps->u.items[i];
        if (f->extended && jv_get(dp, "ExtendedStatistics")) dp = jv_get(dp, "ExtendedStatistics");
        const jv *v = jv_get(dp, f->stat);
        if (!jv_is(v, JV_NUMBER)) return false;
        double x = f->percent_attr ? v->u.num / base_val * 100 : v->u.num;
        if (!cmp(f->op, x, f->value)) return false;
    }
    return true;
}

static const char *const metrics_applies[] = {"aws.ec2",    "aws.sns",     "aws.sqs",
                                              "aws.lambda", "aws.rds",     "aws.ebs",
                                              "aws.elb",    "aws.app-elb", NULL};

const filter_type filter_type_metrics = {"metrics", metrics_applies, metrics_compile,
                                         metrics_match};
