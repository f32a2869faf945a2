/* fuzz_export.c - SARIF and OCSF writers (output/sarif.h, ocsf.h) must
 * turn any stored finding into valid JSON that is valid UTF-8, never crash
 * or leak.  Input: up to 16 NUL-separated fields filling the finding's
 * strings in order (missing fields are NULL, an empty field is ""), the
 * first byte also choosing the severity rank and status.  Invariant: both
 * documents parse with json_parse, and the SARIF artifact URI is made only
 * of unreserved characters, "/" and percent escapes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "output/ocsf.h"
#include "output/sarif.h"
#include "json/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool utf8_ok(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t k = c < 0x80             ? 1
                   : (c & 0xE0) == 0xC0 ? 2
                   : (c & 0xF0) == 0xE0 ? 3
                   : (c & 0xF8) == 0xF0 ? 4
                                        : 0;
        if (!k || i + k > n) return false;
        for (size_t j = 1; j < k; j++)
            if ((s[i + j] & 0xC0) != 0x80) return false;
        i += k;
    }
    return true;
}

static void check_doc(arena *a, const buf *b)
{
    jv v;
    json_error err;
    if (!utf8_ok((const unsigned char *)b->data, b->len)) abort();
    if (json_parse(a, b->data, b->len, &v, &err) != 0) abort();
}

static void check_uri(arena *a, const buf *b)
{
    jv v;
    json_error err;
    if (json_parse(a, b->data, b->len, &v, &err) != 0) abort();
    const jv *runs = jv_get(&v, "runs");
    const jv *res = runs && runs->len ? jv_get(&runs->u.items[0], "results") : NULL;
    if (!res || res->len != 1) abort();
    const jv *loc = jv_get(&res->u.items[0], "locations");
    const jv *pl = loc && loc->len ? jv_get(&loc->u.items[0], "physicalLocation") : NULL;
    const jv *al = jv_get(pl, "artifactLocation");
    const jv *uri = jv_get(al, "uri");
    if (!uri || uri->kind != JV_STRING) abort();
    for (uint32_t i = 0; i < uri->len; i++) {
        char c = uri->u.str[i];
        if (!(c == '/' || c == '%' || c == '-' || c == '_' || c == '.' || c == '~' ||
              (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const statuses[] = {"new",      "open",       "regressed",
                                           "resolved", "suppressed", NULL};
    arena *a = arena_new(0);
    char *copy = arena_strndup(a, (const char *)data, size); /* NUL-terminated */
    const char *field[16] = {0};
    size_t nf = 0;
    for (size_t i = 0; i <= size && nf < 16;) {
        field[nf++] = copy + i;
        i += strlen(copy + i) + 1;
    }
    stored_finding f;
    memset(&f, 0, sizeof f);
    memcpy(f.fingerprint, "0123456789abcdef", 16);
    unsigned sel = size ? data[0] : 0;
    f.severity_rank = (int)(sel % 7) - 1; /* -1..5: out of range too */
    f.status = statuses[(sel / 7) % 6];
    const char **slots[] = {&f.policy,        &f.description, &f.severity,      &f.category,
                            &f.resource_type, &f.resource_id, &f.resource_name, &f.account_id,
                            &f.account_name,  &f.team,        &f.environment,   &f.region,
                            &f.reasons,       &f.fix,         &f.runbook,       &f.evidence};
    for (size_t i = 0; i < nf; i++)
        *slots[i] = field[i];
    f.suppression_id = sel & 1;
    f.suppression_reason = f.fix;
    f.first_seen = (int64_t)sel * 86400;
    f.last_seen = f.first_seen + 1;
    f.resolved_at = sel & 2 ? f.last_seen : 0;
    buf b = BUF_INIT;
    sarif_write(&b, &f, 1, f.severity);
    check_doc(a, &b);
    check_uri(a, &b);
    buf_reset(&b);
    ocsf_write(&b, &f, 1, f.category);
    check_doc(a, &b);
    buf_free(&b);
    arena_free(a);
    return 0;
}
