/* tzone.c - TZif zone files and POSIX TZ rules; see tzone.h.
 *
 * A TZif image is a header (magic "TZif", version, six big-endian counts),
 * a version 1 block with 32-bit transition times, and from version 2 on a
 * second header and block with 64-bit times, then a footer "\n<TZ rule>\n".
 * The lookup takes the newest block, the last transition at or before t
 * (local time type 0 before the first), and the footer's rule after the
 * last transition when there is one.  Every count is checked against the
 * image's length before anything is read.
 */
#include "util/tzone.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "util/date.h"

#define HDR 44
#define MAX_NAME 256

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

typedef struct tzif_block {
    uint32_t isut, isstd, leap, timecnt, typecnt, charcnt;
    const unsigned char *times, *idx, *types;
    size_t size; /* bytes of the block after its header */
} tzif_block;

/* Reads the header at d[0..n) with times of tsize bytes. */
static bool block_at(const unsigned char *d, size_t n, int tsize, tzif_block *b)
{
    if (n < HDR || memcmp(d, "TZif", 4) != 0) return false;
    b->isut = be32(d + 20), b->isstd = be32(d + 24), b->leap = be32(d + 28);
    b->timecnt = be32(d + 32), b->typecnt = be32(d + 36), b->charcnt = be32(d + 40);
    if (b->typecnt == 0 || b->typecnt > 256 || b->timecnt > 1u << 20 || b->leap > 1u << 16 ||
        b->charcnt > 1u << 16 || b->isut > b->typecnt || b->isstd > b->typecnt)
        return false;
    size_t size = (size_t)b->timecnt * (size_t)(tsize + 1) + (size_t)b->typecnt * 6 + b->charcnt +
                  (size_t)b->leap * (size_t)(tsize + 4) + b->isstd + b->isut;
    if (size > n - HDR) return false;
    b->times = d + HDR;
    b->idx = b->times + (size_t)b->timecnt * (size_t)tsize;
    b->types = b->idx + b->timecnt;
    b->size = size;
    return true;
}

static long type_off(const tzif_block *b, unsigned i)
{
    return (long)(int32_t)be32(b->types + (size_t)i * 6);
}

bool tzif_utoff(const unsigned char *d, size_t n, int64_t t, long *utoff)
{
    tzif_block b;
    if (!block_at(d, n, 4, &b)) return false;
    int tsize = 4;
    const unsigned char *footer = NULL;
    size_t flen = 0;
    if (d[4] >= '2') {
        size_t off = HDR + b.size;
        if (!block_at(d + off, n - off, 8, &b)) return false;
        tsize = 8;
        const unsigned char *end = d + n, *f = d + off + HDR + b.size;
        if (f < end && *f == '\n') {
            const unsigned char *nl = memchr(f + 1, '\n', (size_t)(end - f - 1));
            if (nl) footer = f + 1, flen = (size_t)(nl - f - 1);
        }
    }
    for (uint32_t i = 0; i < b.timecnt; i++)
        if (b.idx[i] >= b.typecnt) return false;
    /* The last transition at or before t (times are ascending). */
    uint32_t lo = 0, hi = b.timecnt;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const unsigned char *p = b.times + (size_t)mid * (size_t)tsize;
        int64_t tt = tsize == 8 ? be64(p) : (int64_t)(int32_t)be32(p);
        if (tt <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == b.timecnt && flen && tz_posix_utoff((const char *)footer, flen, t, utoff))
        return true;
    *utoff = type_off(&b, lo ? b.idx[lo - 1] : 0);
    return true;
}

/* ---------------------------------------------------------- POSIX rules */

typedef struct rule_date {
    char kind; /* 'M', 'J' or 'n' (a zero-based day of the year) */
    int m, w, day;
    long secs; /* local time of the change, default 02:00 */
} rule_date;

static bool num(const char **p, const char *e, int max_digits, int *out)
{
    int v = 0, k = 0;
    while (*p < e && **p >= '0' && **p <= '9' && k < max_digits)
        v = v * 10 + (*(*p)++ - '0'), k++;
    *out = v;
    return k > 0;
}

/* [+-]hh[:mm[:ss]] as seconds; POSIX offsets are west-positive. */
static bool hms(const char **p, const char *e, long *out)
{
    int sign = 1, h, m = 0, s = 0;
    if (*p < e && (**p == '+' || **p == '-')) sign = *(*p)++ == '-' ? -1 : 1;
    if (!num(p, e, 3, &h) || h > 167) return false;
    if (*p < e && **p == ':' && (++*p, !num(p, e, 2, &m) || m > 59)) return false;
    if (*p < e && **p == ':' && (++*p, !num(p, e, 2, &s) || s > 59)) return false;
    *out = sign * ((long)h * 3600 + (long)m * 60 + s);
    return true;
}

static bool zone_name(const char **p, const char *e)
{
    const char *s = *p;
    if (s < e && *s == '<') {
        const char *c = memchr(s, '>', (size_t)(e - s));
        if (!c || c - s < 4) return false;
        *p = c + 1;
        return true;
    }
    while (*p < e && ((**p >= 'A' && **p <= 'Z') || (**p >= 'a' && **p <= 'z')))
        (*p)++;
    return *p - s >= 3;
}

static bool rdate(const char **p, const char *e, rule_date *r)
{
    r->secs = 7200;
    if (*p < e && **p == 'M') {
        ++*p;
        r->kind = 'M';
        if (!num(p, e, 2, &r->m) || r->m < 1 || r->m > 12 || *p >= e || *(*p)++ != '.' ||
            !num(p, e, 1, &r->w) || r->w < 1 || r->w > 5 || *p >= e || *(*p)++ != '.' ||
            !num(p, e, 1, &r->day) || r->day > 6)
            return false;
    } else {
        r->kind = 'n';
        if (*p < e && **p == 'J') ++*p, r->kind = 'J';
        if (!num(p, e, 3, &r->day) || r->day > 365 || (r->kind == 'J' && r->day < 1)) return false;
    }
    if (*p < e && **p == '/') {
        ++*p;
        return hms(p, e, &r->secs);
    }
    return true;
}

static bool leap(long y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days since the epoch of the rule's date in year y. */
static int64_t rule_day(const rule_date *r, long y)
{
    int64_t jan1 = date_days_from_civil(y, 1, 1);
    if (r->kind == 'n') return jan1 + r->day;
    if (r->kind == 'J') return jan1 + r->day - 1 + (leap(y) && r->day >= 60);
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t first = date_days_from_civil(y, (unsigned)r->m, 1);
    int dow1 = (int)(((first + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
    int day = 1 + (r->day - dow1 + 7) % 7 + 7 * (r->w - 1);
    int len = mdays[r->m - 1] + (r->m == 2 && leap(y));
    while (day > len)
        day -= 7;
    return first + day - 1;
}

void tz_civil_from_days(int64_t z, long *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (long)(yoe + era * 400) + (*m <= 2);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

bool tz_posix_utoff(const char *s, size_t n, int64_t t, long *utoff)
{
    const char *p = s, *e = s + n;
    long std, dst;
    if (!zone_name(&p, e) || !hms(&p, e, &std)) return false;
    if (p == e) {
        *utoff = -std;
        return true;
    }
    if (!zone_name(&p, e)) return false;
    dst = std - 3600;
    if (p < e && *p != ',' && !hms(&p, e, &dst)) return false;
    rule_date start, end;
    if (p >= e || *p++ != ',' || !rdate(&p, e, &start) || p >= e || *p++ != ',' ||
        !rdate(&p, e, &end) || p != e)
        return false;
    long y;
    unsigned mo, d;
    tz_civil_from_days(floor_div(t - std, 86400), &y, &mo, &d);
    int64_t on = rule_day(&start, y) * 86400 + start.secs + std; /* UTC, local std time */
    int64_t off = rule_day(&end, y) * 86400 + end.secs + dst;    /* UTC, local dst time */
    bool in_dst = on < off ? (t >= on && t < off) : (t < off || t >= on);
    *utoff = in_dst ? -dst : -std;
    return true;
}

/* ------------------------------------------------------------ zone names */

static bool name_ok(const char *name)
{
    size_t n = strlen(name);
    if (!n || n >= MAX_NAME || name[0] == '/' || name[n - 1] == '/') return false;
    for (const char *c = name; *c; c++) {
        bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                  (*c >= '0' && *c <= '9') || *c == '_' || *c == '+' || *c == '-' || *c == '/';
        if (!ok || (c[0] == '/' && c[1] == '/')) return false;
    }
    return true; /* no '.' at all, so neither "." nor ".." */
}

/* Appends component comp (len n) of a name to path, matching the
 * directory's entry without regard to case when the exact one is absent. */
static bool add_component(char *path, size_t cap, const char *comp, size_t n)
{
    size_t len = strlen(path);
    if (len + 1 + n >= cap) return false;
    DIR *dir = opendir(path);
    if (!dir) return false;
    bool found = false;
    char hit[MAX_NAME];
    for (struct dirent *de; (de = readdir(dir));) {
        if (strlen(de->d_name) != n || strncasecmp(de->d_name, comp, n) != 0) continue;
        memcpy(hit, de->d_name, n);
        hit[n] = 0;
        found = true;
        if (strncmp(de->d_name, comp, n) == 0) break; /* the exact spelling wins */
    }
    closedir(dir);
    if (!found) return false;
    path[len] = '/';
    memcpy(path + len + 1, hit, n + 1);
    return true;
}

bool tz_load(const char *name, buf *out)
{
    if (!name || !name_ok(name)) return false;
    const char *dir = getenv("TZDIR");
    char path[1024];
    size_t dl = strlen(dir && *dir ? dir : "/usr/share/zoneinfo");
    if (dl + MAX_NAME + 2 > sizeof path) return false;
    memcpy(path, dir && *dir ? dir : "/usr/share/zoneinfo", dl + 1);
    for (const char *c = name; *c;) {
        const char *slash = strchr(c, '/');
        size_t n = slash ? (size_t)(slash - c) : strlen(c);
        if (!add_component(path, sizeof path, c, n)) return false;
        c += n + (slash != NULL);
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (1 << 20)) return false;
    size_t len = 0;
    char *data = read_file(path, &len);
    if (!data) return false;
    long off;
    bool ok = tzif_utoff((const unsigned char *)data, len, 0, &off);
    if (ok) buf_append(out, data, len);
    free(data);
    return ok;
}
