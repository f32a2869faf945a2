/* offhours.c - the offhour and onhour filters; see offhours.h.
 *
 * Options, as Custodian's schema: default_tz (required; an alias such as
 * et, pt, utc or an IANA zone), offhour / onhour (required, 0..23), tag
 * (default maid_offhours), fallback-schedule (or fallback_schedule),
 * weekends (default true: the default schedule is Monday to Friday, else
 * every day), weekends-only (off on Friday, on on Monday), opt-out (default
 * false: untagged resources are skipped; true: they take the default
 * schedule), skip-days (YYYY-MM-DD list) or skip-days-from (a value_from),
 * and on aws.ec2 state-filter (default true: offhour looks only at running
 * instances, onhour only at stopped ones).
 *
 * Zones are read through util/tzone.h, never the process's TZ: the
 * default zone is loaded once at compile time, a tag's own tz= at match
 * time into the scratch arena.  One difference from Custodian, on purpose:
 * a tag with an empty tz= takes the policy's zone (dateutil would take the
 * host's local zone, which depends on where the scan runs).
 */
#include "filters/offhours.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "filters/filter.h"
#include "filters/filter_opts.h"
#include "resources/resource.h"
#include "util/date.h"
#include "util/tzone.h"

/* ------------------------------------------------------------ the parser */

static const char DAYS[] = "mtwhfsu"; /* Custodian's DAY_MAP, Monday first */

static int day_of(const char *s, size_t n)
{
    if (n != 1 || !*s) return -1;
    const char *p = strchr(DAYS, *s);
    return p ? (int)(p - DAYS) : -1;
}

/* expand_day_range: one day, or exactly two known days among the '-'
 * separated pieces (unknown pieces are dropped, as Custodian does). */
static unsigned day_range(const char *s, size_t n)
{
    int one = day_of(s, n);
    if (one >= 0) return 1u << one;
    int found[2], k = 0;
    for (size_t i = 0; i <= n;) {
        size_t j = i;
        while (j < n && s[j] != '-')
            j++;
        int d = day_of(s + i, j - i);
        if (d >= 0) {
            if (k == 2) return 0;
            found[k++] = d;
        }
        i = j + 1;
    }
    if (k != 2) return 0;
    unsigned mask = 0;
    if (found[0] > found[1]) { /* wraps: friday-monday is 4,5,6,0 */
        for (int d = found[0]; d < 7; d++)
            mask |= 1u << d;
        for (int d = 0; d <= found[1]; d++)
            mask |= 1u << d;
    } else {
        for (int d = found[0]; d <= found[1]; d++)
            mask |= 1u << d;
    }
    return mask;
}

/* One "(days,hour)" with parentheses already removed from its text. */
static bool parse_item(const char *s, size_t n, oh_item *it)
{
    const char *comma = memchr(s, ',', n);
    if (!comma || memchr(comma + 1, ',', n - (size_t)(comma + 1 - s))) return false;
    const char *h = comma + 1;
    size_t hn = n - (size_t)(h - s);
    if (!hn) return false;
    int hour = 0;
    for (size_t i = 0; i < hn; i++) {
        if (!isdigit((unsigned char)h[i])) return false;
        if (hour < 100) hour = hour * 10 + (h[i] - '0');
    }
    if (hour > 23) return false;
    it->hour = hour;
    it->days = day_range(s, (size_t)(comma - s));
    return it->days != 0;
}

int oh_parse_times(arena *a, const char *s, size_t n, oh_item **out)
{
    /* brackets removed, split on ",(", then parentheses removed */
    char *t = arena_alloc(a, n + 1);
    size_t tn = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] != '[' && s[i] != ']') t[tn++] = s[i];
    t[tn] = 0;
    size_t cap = 1;
    for (size_t i = 0; i + 1 < tn; i++)
        cap += t[i] == ',' && t[i + 1] == '(';
    oh_item *items = arena_calloc(a, cap * sizeof *items);
    int k = 0;
    char *e = arena_alloc(a, tn + 1);
    for (size_t i = 0; i <= tn;) {
        size_t j = i;
        while (j < tn && !(t[j] == ',' && j + 1 < tn && t[j + 1] == '('))
            j++;
        size_t en = 0;
        for (size_t c = i; c < j; c++)
            if (t[c] != '(' && t[c] != ')') e[en++] = t[c];
        if (!parse_item(e, en, &items[k++])) return -1;
        i = j + 2; /* past ",(" (the '(' would be removed anyway) */
    }
    *out = items;
    return k;
}

typedef struct piece {
    const char *key, *val;
    size_t klen, vlen;
} piece;

/* key=value with exactly one '=' (Python's len(split('=')) == 2). */
static bool split_kv(const char *s, size_t n, piece *p)
{
    const char *eq = memchr(s, '=', n);
    if (!eq || memchr(eq + 1, '=', n - (size_t)(eq + 1 - s))) return false;
    p->key = s, p->klen = (size_t)(eq - s);
    p->val = eq + 1, p->vlen = n - p->klen - 1;
    return true;
}

static bool key_is(const piece *p, const char *k)
{
    return p->klen == strlen(k) && !memcmp(p->key, k, p->klen);
}

/* raw_data: pieces split on ' ' and ';'; calls back per key=value (later
 * ones win in Custodian's dict, so callers keep the last). */
typedef struct raw_info {
    bool has_type, keys_valid, has_tz;
    piece tz;
} raw_info;

static void raw_data(const char *v, const char *time_type, raw_info *ri)
{
    memset(ri, 0, sizeof *ri);
    ri->keys_valid = true;
    size_t n = strlen(v);
    for (size_t i = 0; i <= n;) {
        size_t j = i;
        while (j < n && v[j] != ' ' && v[j] != ';')
            j++;
        piece p;
        if (split_kv(v + i, j - i, &p)) {
            if (!key_is(&p, "on") && !key_is(&p, "off") && !key_is(&p, "tz"))
                ri->keys_valid = false;
            if (key_is(&p, time_type)) ri->has_type = true;
            if (key_is(&p, "tz")) ri->has_tz = true, ri->tz = p;
        }
        i = j + 1;
    }
}

/* parse(): every ';' piece key=value, times parsed unless the key is tz. */
static bool parse_full(arena *a, const char *v, const char *time_type, oh_schedule *out)
{
    size_t n = strlen(v);
    for (size_t i = 0; i <= n;) {
        size_t j = i;
        while (j < n && v[j] != ';')
            j++;
        piece p;
        if (!split_kv(v + i, j - i, &p)) return false;
        if (key_is(&p, "tz")) {
            out->tz = p.vlen ? arena_strndup(a, p.val, p.vlen) : NULL;
        } else {
            oh_item *items;
            int k = oh_parse_times(a, p.val, p.vlen, &items);
            if (k < 0) return false;
            if (key_is(&p, time_type)) out->items = items, out->n = (size_t)k;
        }
        i = j + 1;
    }
    return true;
}

/* The value with empty ';' pieces dropped ("off=(m-f,1);" is valid). */
static const char *drop_empty(arena *a, const char *v)
{
    size_t n = strlen(v), k = 0;
    char *o = arena_alloc(a, n + 1);
    for (size_t i = 0; i <= n;) {
        size_t j = i;
        while (j < n && v[j] != ';')
            j++;
        if (j > i) {
            if (k) o[k++] = ';';
            memcpy(o + k, v + i, j - i);
            k += j - i;
        }
        i = j + 1;
    }
    o[k] = 0;
    return o;
}

bool oh_schedule_of(arena *a, const char *value, const char *time_type, oh_schedule *out,
                    bool *use_default)
{
    memset(out, 0, sizeof *out);
    *use_default = false;
    const char *v = drop_empty(a, value);
    raw_info ri;
    raw_data(v, time_type, &ri);
    if (ri.has_type) return ri.keys_valid && parse_full(a, v, time_type, out);
    if (!ri.keys_valid) return false;
    *use_default = true;
    if (ri.has_tz && ri.tz.vlen) out->tz = arena_strndup(a, ri.tz.val, ri.tz.vlen);
    return true;
}

static const char *const ESC[][2] = {{"u28", "("}, {"u29", ")"}, {"u5b", "["},
                                     {"u5d", "]"}, {"u2c", ","}, {"u3b", ";"},
                                     {"u3d", "="}, {"u2f", "/"}, {"u2d", "-"}};

const char *oh_tag_value(arena *a, const char *raw, size_t n)
{
    char *v = arena_alloc(a, n + 1);
    for (size_t i = 0; i < n; i++)
        v[i] = (char)tolower((unsigned char)raw[i]);
    v[n] = 0;
    /* Each escape replaced everywhere in turn, as str.replace in a loop. */
    for (size_t e = 0; e < sizeof ESC / sizeof *ESC; e++) {
        char *w = v, *r = v;
        while (*r) {
            if (!strncmp(r, ESC[e][0], 3))
                *w++ = ESC[e][1][0], r += 3;
            else
                *w++ = *r++;
        }
        *w = 0;
    }
    for (const char *q = "'\""; *q; q++) {
        size_t len = strlen(v), s = 0;
        while (s < len && v[s] == *q)
            s++;
        while (len > s && v[len - 1] == *q)
            len--;
        memmove(v, v + s, len - s);
        v[len - s] = 0;
    }
    return v;
}

static const char *const ALIASES[][2] = {
    {"pdt", "America/Los_Angeles"},
    {"pt", "America/Los_Angeles"},
    {"pst", "America/Los_Angeles"},
    {"ast", "America/Phoenix"},
    {"at", "America/Phoenix"},
    {"est", "America/New_York"},
    {"edt", "America/New_York"},
    {"et", "America/New_York"},
    {"cst", "America/Chicago"},
    {"cdt", "America/Chicago"},
    {"ct", "America/Chicago"},
    {"mst", "America/Denver"},
    {"mdt", "America/Denver"},
    {"mt", "America/Denver"},
    {"gmt", "Etc/GMT"},
    {"gt", "Etc/GMT"},
    {"bst", "Europe/London"},
    {"ist", "Europe/Dublin"},
    {"cet", "Europe/Berlin"},
    {"it", "Asia/Kolkata"},
    {"jst", "Asia/Tokyo"},
    {"kst", "Asia/Seoul"},
    {"sgt", "Asia/Singapore"},
    {"aet", "Australia/Sydney"},
    {"brt", "America/Sao_Paulo"},
    {"nzst", "Pacific/Auckland"},
    {"utc", "Etc/UTC"},
};

const char *oh_zone_name(const char *tz)
{
    for (size_t i = 0; tz && i < sizeof ALIASES / sizeof *ALIASES; i++)
        if (!strcmp(ALIASES[i][0], tz)) return ALIASES[i][1];
    return tz;
}

/* ------------------------------------------------------------ the filter */

typedef struct oh_filter {
    filter base;
    const char *time_type; /* "on" or "off" */
    const char *tag, *fallback, *default_tz;
    const unsigned char *zone; /* default_tz's zone file, loaded once */
    size_t zone_len;
    oh_item def;
    bool opt_out, state_filter;
    const char *state; /* running for offhour, stopped for onhour (ec2) */
    str_list skip;
} oh_filter;

static bool opt_hour(filter_compiler *fc, const jv_member *m, int *out)
{
    int64_t h;
    if (!jv_num_in(&m->val, 0, 23, &h) || !(m->val.flags & JVF_INT)) {
        fc_error(fc, m, "%s must be an integer hour 0..23", m->key);
        return false;
    }
    *out = (int)h;
    return true;
}

static bool opt_string(filter_compiler *fc, const jv_member *m, const char **out)
{
    if (!jv_is(&m->val, JV_STRING)) {
        fc_error(fc, m, "%s must be a string", m->key);
        return false;
    }
    *out = arena_strdup(fc->a, m->val.u.str);
    return true;
}

static bool skip_days(filter_compiler *fc, const jv_member *m, str_list *out)
{
    if (!opt_str_list(fc, &m->val, m->key, false, out)) return false;
    for (size_t i = 0; i < out->n; i++) {
        const char *d = out->items[i];
        bool ok = strlen(d) >= 10 && d[4] == '-' && d[7] == '-';
        for (int k = 0; ok && k < 10; k++)
            ok = k == 4 || k == 7 || isdigit((unsigned char)d[k]);
        if (!ok) {
            fc_error(fc, m, "skip-days: '%s' is not a YYYY-MM-DD date", d);
            return false;
        }
    }
    return true;
}

static bool skip_days_from(filter_compiler *fc, const jv_member *m, str_list *out)
{
    jv vals;
    if (!load_value_from(fc, &m->val, &vals)) return false;
    if (!jv_is(&vals, JV_ARRAY)) {
        fc_error(fc, m, "skip-days-from must give a list of dates");
        return false;
    }
    out->items = arena_calloc(fc->a, (vals.len ? vals.len : 1) * sizeof *out->items);
    for (uint32_t i = 0; i < vals.len; i++)
        if (jv_is(&vals.u.items[i], JV_STRING))
            out->items[out->n++] = arena_strdup(fc->a, vals.u.items[i].u.str);
    return true;
}

static bool oh_option(filter_compiler *fc, oh_filter *f, const jv_member *m, const char *hour_key,
                      bool *have_hour, bool *weekends, bool *weekends_only, bool *have_skip)
{
    const char *k = m->key;
    bool is_ec2 = fc->rtype && !strcmp(fc->rtype->name, "aws.ec2");
    if (!strcmp(k, hour_key)) return (*have_hour = true) && opt_hour(fc, m, &f->def.hour);
    if (!strcmp(k, "default_tz")) return opt_string(fc, m, &f->default_tz);
    if (!strcmp(k, "tag")) return opt_string(fc, m, &f->tag);
    if (!strcmp(k, "fallback-schedule") || !strcmp(k, "fallback_schedule"))
        return opt_string(fc, m, &f->fallback);
    if (!strcmp(k, "weekends")) return opt_bool(fc, &m->val, k, weekends);
    if (!strcmp(k, "weekends-only")) return opt_bool(fc, &m->val, k, weekends_only);
    if (!strcmp(k, "opt-out")) return opt_bool(fc, &m->val, k, &f->opt_out);
    if (is_ec2 && !strcmp(k, "state-filter")) return opt_bool(fc, &m->val, k, &f->state_filter);
    if (!strcmp(k, "skip-days") || !strcmp(k, "skip-days-from")) {
        if (*have_skip) {
            fc_error(fc, m, "cannot specify both skip-days and skip-days-from");
            return false;
        }
        *have_skip = true;
        return k[9] ? skip_days_from(fc, m, &f->skip) : skip_days(fc, m, &f->skip);
    }
    return opt_unknown(fc, m, f->base.type->name);
}

static filter *oh_compile(filter_compiler *fc, const jv *spec, const filter_type *ft)
{
    oh_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = ft;
    f->base.pos = fc->where;
    bool off = !strcmp(ft->name, "offhour");
    f->time_type = off ? "off" : "on";
    f->state = off ? "running" : "stopped";
    f->tag = "maid_offhours";
    f->state_filter = fc->rtype && !strcmp(fc->rtype->name, "aws.ec2");
    f->def.hour = off ? 19 : 7;
    bool have_hour = false, weekends = true, weekends_only = false, have_skip = false;
    for (uint32_t i = 0; jv_is(spec, JV_OBJECT) && i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        if (strcmp(m->key, "type") != 0 &&
            !oh_option(fc, f, m, ft->name, &have_hour, &weekends, &weekends_only, &have_skip))
            return NULL;
    }
    if (!have_hour || !f->default_tz) {
        fc_error(fc, spec, "%s needs %s (0..23) and default_tz (e.g. et, pt, utc)", ft->name,
                 ft->name);
        return NULL;
    }
    buf z = BUF_INIT;
    bool zok = tz_load(oh_zone_name(f->default_tz), &z);
    if (zok) {
        unsigned char *copy = arena_alloc(fc->a, z.len);
        memcpy(copy, z.data, z.len);
        f->zone = copy, f->zone_len = z.len;
    }
    buf_free(&z);
    if (!zok) {
        fc_error(fc, spec,
                 "%s: invalid timezone '%s' (an alias such as et, pt, utc, or an IANA "
                 "zone name such as Europe/Paris; zone files are read from "
                 "/usr/share/zoneinfo or $TZDIR)",
                 ft->name, f->default_tz);
        return NULL;
    }
    char *tag = arena_strdup(fc->a, f->tag);
    for (char *c = tag; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    f->tag = tag;
    f->def.days = weekends_only ? (off ? 1u << 4 : 1u) : weekends ? 0x1fu : 0x7fu;
    return &f->base;
}

static filter *offhour_compile(filter_compiler *fc, const jv *spec);
static filter *onhour_compile(filter_compiler *fc, const jv *spec);
static bool oh_match(const filter *base, const jv *r, eval_ctx *ctx);

static const char *const OH_TYPES[] = {"aws.ec2", "aws.asg", "aws.rds", NULL};
const filter_type filter_type_offhour = {"offhour", OH_TYPES, offhour_compile, oh_match};
const filter_type filter_type_onhour = {"onhour", OH_TYPES, onhour_compile, oh_match};

static filter *offhour_compile(filter_compiler *fc, const jv *spec)
{
    return oh_compile(fc, spec, &filter_type_offhour);
}

static filter *onhour_compile(filter_compiler *fc, const jv *spec)
{
    return oh_compile(fc, spec, &filter_type_onhour);
}

/* The tag's value, the fallback schedule, or NULL (no tag, no fallback). */
static const char *tag_value(const oh_filter *f, const jv *r, arena *a)
{
    const jv *tags = jv_get(r, "Tags");
    for (uint32_t i = 0; tags && jv_is(tags, JV_ARRAY) && i < tags->len; i++) {
        const jv *k = jv_get(&tags->u.items[i], "Key"), *v = jv_get(&tags->u.items[i], "Value");
        if (k && jv_is(k, JV_STRING) && !strcasecmp(k->u.str, f->tag) && v && jv_is(v, JV_STRING))
            return oh_tag_value(a, v->u.str, v->len);
    }
    return f->fallback ? oh_tag_value(a, f->fallback, strlen(f->fallback)) : NULL;
}

static bool in_schedule(const oh_filter *f, const oh_schedule *s, bool dflt, long utoff, time_t now)
{
    int64_t local = (int64_t)now + utoff;
    int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
    int hour = (int)((local - days * 86400) / 3600);
    int wday = (int)(((days + 3) % 7 + 7) % 7); /* 1970-01-01 was a Thursday: 3 */
    long y;
    unsigned m, d;
    tz_civil_from_days(days, &y, &m, &d);
    char today[16];
    snprintf(today, sizeof today, "%04ld-%02u-%02u", y, m, d);
    for (size_t i = 0; i < f->skip.n; i++)
        if (!strcmp(f->skip.items[i], today)) return false;
    if (dflt) return (f->def.days >> wday & 1u) && f->def.hour == hour;
    for (size_t i = 0; i < s->n; i++)
        if ((s->items[i].days >> wday & 1u) && s->items[i].hour == hour) return true;
    return false;
}

static bool oh_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const oh_filter *f = (const oh_filter *)base;
    if (f->state_filter) {
        const jv *st = jv_get(r, "State");
        const jv *name = st ? jv_get(st, "Name") : NULL;
        if (!name || !jv_str_eq(name, f->state)) return false;
    }
    const char *v = tag_value(f, r, ctx->scratch);
    if (!v) {
        if (!f->opt_out) return false;
        v = "";
    }
    if (!strcmp(v, "off")) return false;
    oh_schedule s;
    bool dflt;
    if (!oh_schedule_of(ctx->scratch, v, f->time_type, &s, &dflt)) return false;
    long utoff;
    if (!s.tz) {
        if (!tzif_utoff(f->zone, f->zone_len, ctx->now, &utoff)) return false;
    } else {
        buf z = BUF_INIT;
        bool ok = tz_load(oh_zone_name(s.tz), &z) &&
                  tzif_utoff((const unsigned char *)z.data, z.len, ctx->now, &utoff);
        buf_free(&z);
        if (!ok) return false; /* an unknown zone, as Custodian's parse error */
    }
    return in_schedule(f, &s, dflt, utoff, ctx->now);
}
