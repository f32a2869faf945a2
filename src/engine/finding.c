/* finding.c - a finding's canonical JSON and hash; see finding.h. */
#include "engine/finding.h"

#include <string.h>

#include "engine/priority.h"

static const char *meta_str(const policy *p, const char *key)
{
    const jv *v = jv_get(&p->metadata, key);
    return v && v->kind == JV_STRING ? v->u.str : NULL;
}

/* Writes ,"key":"value" (nothing when v is NULL).  `lit` is the literal
 * prefix `,"key":` with its length, so keys cost no strlen per finding. */
static void put_lit(buf *b, const char *lit, size_t lit_len, const char *v)
{
    if (!v) return;
    buf_append(b, lit, lit_len);
    json_write_string(b, v, strlen(v));
}
#define PUT(b, key, v) put_lit(b, ",\"" key "\":", sizeof(",\"" key "\":") - 1, v)

static void put_field(buf *b, const char *key, const char *v)
{
    if (!v) return;
    buf_putc(b, ',');
    json_write_string(b, key, strlen(key));
    buf_putc(b, ':');
    json_write_string(b, v, strlen(v));
}

/* The evidence: what the filters described, or else the resource's
 * identity, the least specific evidence there is, but never empty. */
void finding_write_evidence(buf *b, const finding *f)
{
    if (f->evidence.kind != JV_NULL) {
        json_write(b, &f->evidence);
        return;
    }
    const char *idk = f->rtype && f->rtype->id_field ? f->rtype->id_field : "id";
    buf_putc(b, '{');
    json_write_string(b, idk, strlen(idk));
    buf_putc(b, ':');
    json_write_string(b, f->id, strlen(f->id));
    if (f->name && f->rtype && f->rtype->name_field && strcmp(f->name, f->id))
        put_field(b, f->rtype->name_field, f->name);
    buf_putc(b, '}');
}

/* One finding as a JSON object, written directly: 100k findings must not
 * build 100k intermediate documents. */
size_t finding_write_json(buf *b, const finding *f)
{
    buf_puts(b, "{\"policy\":");
    json_write_string(b, f->pol->name, strlen(f->pol->name));
    PUT(b, "resource", f->rtype ? f->rtype->name : NULL);
    PUT(b, "id", f->id);
    PUT(b, "name", f->name && strcmp(f->name, f->id) ? f->name : NULL);
    PUT(b, "account", f->account_id);
    if (f->account) {
        if (f->account->name && strcmp(f->account->name, f->account->id))
            PUT(b, "account_name", f->account->name);
        PUT(b, "team", f->account->team);
        PUT(b, "environment", f->account->environment);
    }
    PUT(b, "region", f->region);
    PUT(b, "severity", severity_name(f->pol->sev));
    PUT(b, "category", meta_str(f->pol, "category"));
    PUT(b, "description", f->pol->description);
    char fp[17];
    fingerprint_hex(f->fingerprint, fp);
    /* No printf: this runs for every finding of a 100k-finding report. */
    buf_puts(b, ",\"fingerprint\":\"");
    buf_append(b, fp, 16);
    buf_puts(b, "\",\"priority\":");
    json_write_number(b, f->priority, JVF_INT);
    buf_puts(b, ",\"reasons\":[");
    for (size_t i = 0; i < f->nreasons; i++) {
        if (i) buf_putc(b, ',');
        json_write_string(b, f->reasons[i], strlen(f->reasons[i]));
    }
    buf_putc(b, ']');
    PUT(b, "fix", f->fix);
    PUT(b, "runbook", f->runbook);
    PUT(b, "runbook_error", f->render_error);
    buf_puts(b, ",\"evidence\":");
    size_t evidence_at = b->len;
    finding_write_evidence(b, f);
    buf_putc(b, '}');
    return evidence_at;
}

/* Eight bytes a step (the store hashes every finding of every scan, ~50 MB
 * for 175k findings): rotate, xor the word, multiply by an odd constant.
 * Each step is invertible in the word and in the state, so texts that
 * differ in one word always hash differently (more differences: a 64-bit
 * chance of a clash); the length is mixed in last. */
uint64_t finding_json_hash(const char *json, size_t len)
{
    const uint64_t k = 0x9e3779b97f4a7c15ull;
    uint64_t h = 0x243f6a8885a308d3ull;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, json + i, 8);
        h = (((h << 23) | (h >> 41)) ^ w) * k;
    }
    uint64_t w = 0;
    memcpy(&w, json + i, len - i);
    h = (((h << 23) | (h >> 41)) ^ w) * k;
    h = (h ^ (uint64_t)len) * k;
    return h ^ (h >> 29);
}
