/* date.c - Custodian-compatible date parsing; see date.h.
 *
 * dateutil's parser is a large heuristic engine; the forms that actually
 * occur in AWS API responses, credential reports and policies are few, so
 * this is a small tokenizer that recognises those (ISO-8601 first, then a
 * token scan for month names and numeric dates) and rejects the rest,
 * rather than guessing.  Epoch handling follows Custodian's rule exactly:
 * values at or below DATE_FLOOR are not dates.
 */
#include "util/date.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DATE_FLOOR 1142726400.0    /* 2006-03-19T00:00:00Z */
#define MAX_SECONDS 253402300799.0 /* 9999-12-31T23:59:59Z */

long date_days_from_civil(long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long)doe - 719468;
}

static bool leap(long y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool valid_ymd(long y, int m, int d)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
    int md = mdays[m - 1] + (m == 2 && leap(y));
    return d <= md;
}

typedef struct cursor {
    const char *p, *end;
} cursor;

static int digits(cursor *c, int min, int max, long *out)
{
    long v = 0;
    int n = 0;
    while (c->p < c->end && n < max && isdigit((unsigned char)*c->p))
        v = v * 10 + (*c->p++ - '0'), n++;
    if (n < min) return -1;
    *out = v;
    return n;
}

static bool eat(cursor *c, char ch)
{
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return true;
    }
    return false;
}

static void skip_space(cursor *c)
{
    while (c->p < c->end && isspace((unsigned char)*c->p))
        c->p++;
}

/* Zone suffix: Z, UTC, GMT, +HH, +HHMM, +HH:MM.  *off in seconds east. */
static bool parse_zone(cursor *c, long *off)
{
    *off = 0;
    skip_space(c);
    if (c->p == c->end) return true;
    size_t rest = (size_t)(c->end - c->p);
    if (eat(c, 'Z') || eat(c, 'z')) return c->p == c->end;
    if (rest >= 3 && (!strncasecmp(c->p, "UTC", 3) || !strncasecmp(c->p, "GMT", 3))) {
        c->p += 3;
        if (c->p == c->end) return true;
    }
    int sign = 0;
    if (eat(c, '+'))
        sign = 1;
    else if (eat(c, '-'))
        sign = -1;
    else
        return false;
    long hh, mm = 0;
    if (digits(c, 2, 2, &hh) < 0) return false;
    eat(c, ':');
    if (c->p < c->end && digits(c, 2, 2, &mm) < 0) return false;
    if (hh > 23 || mm > 59) return false;
    *off = sign * (hh * 3600 + mm * 60);
    return c->p == c->end;
}

/* HH:MM[:SS[.frac]] */
static bool parse_time(cursor *c, double *secs)
{
    long hh, mm, ss = 0;
    double frac = 0;
    if (digits(c, 1, 2, &hh) < 0 || !eat(c, ':') || digits(c, 2, 2, &mm) < 0) return false;
    if (eat(c, ':')) {
        if (digits(c, 2, 2, &ss) < 0) return false;
        if (c->p < c->end && (*c->p == '.' || *c->p == ',')) {
            c->p++;
            double scale = 0.1;
            if (c->p == c->end || !isdigit((unsigned char)*c->p)) return false;
            while (c->p < c->end && isdigit((unsigned char)*c->p)) {
                frac += (*c->p++ - '0') * scale;
                scale /= 10;
            }
        }
    }
    if (hh > 23 || mm > 59 || ss > 59) return false;
    *secs = (double)(hh * 3600 + mm * 60 + ss) + frac;
    return true;
}

static double to_epoch(long y, int m, int d, double secs, long off)
{
    return (double)date_days_from_civil(y, (unsigned)m, (unsigned)d) * 86400.0 + secs - (double)off;
}

/* YYYY-MM-DD or YYYY/MM/DD, optional time and zone. */
static bool parse_iso(const char *s, size_t len, double *out)
{
    cursor c = {s, s + len};
    long y, m, d;
    if (digits(&c, 4, 4, &y) < 0) return false;
    char sep = c.p < c.end ? *c.p : 0;
    if (sep != '-' && sep != '/') return false;
    c.p++;
    if (digits(&c, 1, 2, &m) < 0 || !eat(&c, sep) || digits(&c, 1, 2, &d) < 0) return false;
    if (!valid_ymd(y, (int)m, (int)d)) return false;
    double secs = 0;
    long off = 0;
    if (c.p < c.end && (*c.p == 'T' || *c.p == 't' || *c.p == ' ')) {
        cursor save = c;
        c.p++;
        skip_space(&c);
        if (!parse_time(&c, &secs)) {
            c = save;
            secs = 0;
        }
    }
    if (!parse_zone(&c, &off)) return false;
    *out = to_epoch(y, (int)m, (int)d, secs, off);
    return true;
}

static int month_name(const char *w, size_t n)
{
    static const char *const names[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                        "jul", "aug", "sep", "oct", "nov", "dec"};
    if (n < 3) return 0;
    for (int i = 0; i < 12; i++)
        if (!strncasecmp(w, names[i], 3)) return i + 1;
    return 0;
}

static bool weekday_name(const char *w, size_t n)
{
    static const char *const names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    if (n < 3) return false;
    for (int i = 0; i < 7; i++)
        if (!strncasecmp(w, names[i], 3)) return true;
    return false;
}

/* Token scan: "Tue, 15 Nov 1994 08:12:31 GMT", "Nov 15 2019", "05/01/2019 10:00". */
static bool parse_tokens(const char *s, size_t len, double *out)
{
    cursor c = {s, s + len};
    long nums[3] = {0};
    int nn = 0, mon = 0;
    double secs = 0;
    bool have_time = false;
    long off = 0;
    while (c.p < c.end) {
        skip_space(&c);
        if (c.p == c.end) break;
        unsigned char ch = (unsigned char)*c.p;
        if (ch == ',') {
            c.p++;
            continue;
        }
        if (isalpha(ch)) {
            const char *w = c.p;
            while (c.p < c.end && isalpha((unsigned char)*c.p))
                c.p++;
            size_t wn = (size_t)(c.p - w);
            int mo = month_name(w, wn);
            if (mo && !mon)
                mon = mo;
            else if (weekday_name(w, wn))
                continue;
            else {
                c.p = w;
                if (!parse_zone(&c, &off)) return false;
            }
            if (c.p < c.end && *c.p == '.') c.p++;
            continue;
        }
        if (ch == '+' || ch == '-') {
            if (!parse_zone(&c, &off)) return false;
            continue;
        }
        if (!isdigit(ch)) return false;
        cursor save = c;
        long v = 0;
        digits(&c, 1, 4, &v);
        if (c.p < c.end && *c.p == ':' && !have_time) {
            c = save;
            if (!parse_time(&c, &secs)) return false;
            have_time = true;
            continue;
        }
        if (c.p < c.end && *c.p == '/' && nn == 0) { /* MM/DD/YYYY */
            long d2, y2;
            c.p++;
            if (digits(&c, 1, 2, &d2) < 0 || !eat(&c, '/') || digits(&c, 4, 4, &y2) < 0)
                return false;
            nums[nn++] = v, nums[nn++] = d2, nums[nn++] = y2;
            mon = -1;
            continue;
        }
        if (c.p < c.end && isdigit((unsigned char)*c.p)) return false;
        if (nn >= 3) return false;
        nums[nn++] = v;
    }
    long y, m, d;
    if (mon == -1) {
        m = nums[0], d = nums[1], y = nums[2];
    } else if (mon > 0 && nn == 2) {
        m = mon;
        if (nums[0] > 31)
            y = nums[0], d = nums[1];
        else
            d = nums[0], y = nums[1];
    } else {
        return false;
    }
    if (!valid_ymd(y, (int)m, (int)d)) return false;
    *out = to_epoch(y, (int)m, (int)d, secs, off);
    return true;
}

bool date_from_epoch(double v, double *out)
{
    if (!(v > DATE_FLOOR)) return false;
    if (v <= MAX_SECONDS) {
        *out = floor(v * 1e6 + 0.5) / 1e6;
        return true;
    }
    if (v / 1000.0 <= MAX_SECONDS) {
        *out = v / 1000.0;
        return true;
    }
    return false;
}

static bool all_digits(const char *s, size_t n)
{
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i])) return false;
    return true;
}

bool date_parse(const char *s, size_t len, double *out)
{
    while (len && isspace((unsigned char)*s))
        s++, len--;
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    if (len == 0 || len > 64) return false;
    if (!all_digits(s, len)) {
        if (parse_iso(s, len, out) || parse_tokens(s, len, out)) return true;
    }
    /* Epoch fallback: Python's float() accepts the number forms below. */
    char tmp[80];
    memcpy(tmp, s, len);
    tmp[len] = 0;
    char *end;
    double v = strtod(tmp, &end);
    if (end == tmp || *end || isnan(v)) return false;
    if (strchr(tmp, 'x') || strchr(tmp, 'X')) return false; /* strtod hex, not Python */
    return date_from_epoch(v, out);
}
