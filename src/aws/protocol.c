/* protocol.c - requests and responses of the five AWS protocols, by model.
 *
 * Requests (botocore/serialize.py's rules for the members custos sends:
 * scalars and lists of scalars at the top level):
 *   ec2    POST form: Action, Version, each member under its queryName, else
 *          its capitalised locationName, lists as Name.1, Name.2, ...
 *   query  POST form: members under their locationName, lists as
 *          Name.member.1 (the list member's locationName when it has one)
 *   json   POST "/" with X-Amz-Target: <targetPrefix>.<Operation> and a JSON
 *          object body, scalars typed by the model
 *   rest-* the model's requestUri with {Member} / {Member+} filled in,
 *          querystring and header members where the model puts them
 * Responses: XML protocols through xml.c; JSON protocols keep only modelled
 * members (by their wire name) and drop nulls, as botocore does; rest
 * protocols add header and status-code members and honour the output
 * shape's payload.  S3 GetBucketLocation reads the root element's text (a
 * botocore handler).  Errors: the protocol's own format (XML <Code>,
 * JSON __type / code, x-amzn-ErrorType and x-amzn-query-error headers),
 * else the HTTP status.
 * Pages: the paginator's output token (dotted paths, "A || B"), its
 * more_results flag, and the merge of botocore's build_full_result, which
 * is what the CLI prints: result keys concatenated, non_aggregate_keys
 * from the first page, nothing else.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/aws_internal.h"

void aws_fmt(char *dst, size_t n, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    vsnprintf(dst, n, f, ap);
    va_end(ap);
}

const aws_service *aws_service_find(const char *client)
{
    for (size_t i = 0; client && i < aws_nservices; i++)
        if (strcmp(aws_services[i].client, client) == 0) return &aws_services[i];
    return NULL;
}

const aws_operation *aws_operation_find(const aws_service *s, const char *name)
{
    for (int i = 0; s && name && i < s->nops; i++)
        if (strcmp(s->ops[i].name, name) == 0) return &s->ops[i];
    return NULL;
}

const aws_member *aws_member_find(const aws_service *s, const aws_shape *st, const char *name)
{
    for (int i = 0; st && i < st->nmembers; i++)
        if (strcmp(s->members[st->first + i].name, name) == 0) return &s->members[st->first + i];
    return NULL;
}

/* ---- requests ---- */

static void pct(buf *b, const char *s, bool keep_slash)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/'))
            buf_putc(b, (char)c);
        else
            buf_printf(b, "%%%02X", c);
    }
}

static void form_add(buf *b, const char *name, const char *value)
{
    if (b->len) buf_putc(b, '&');
    pct(b, name, false);
    buf_putc(b, '=');
    pct(b, value, false);
}

/* Calls f for each comma-separated item of v. */
static void each_item(const char *v, void (*f)(void *ctx, const char *item, int i), void *ctx)
{
    char *copy = strdup(v);
    if (!copy) abort();
    int i = 1;
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
        f(ctx, t, i++);
    free(copy);
}

typedef struct form_list {
    buf *b;
    const char *prefix;
} form_list;

static void form_item(void *ctx, const char *item, int i)
{
    form_list *fl = ctx;
    char name[256];
    aws_fmt(name, sizeof name, "%s.%d", fl->prefix, i);
    form_add(fl->b, name, item);
}

static int form_member(const aws_service *s, const aws_member *m, const char *value, buf *b)
{
    const aws_shape *sh = aws_shape_at(s, m->shape);
    char name[192];
    if (s->protocol == AWS_EC2) {
        if (m->query_name)
            snprintf(name, sizeof name, "%s", m->query_name);
        else
            snprintf(name, sizeof name, "%c%s", toupper((unsigned char)m->wire[0]), m->wire + 1);
    } else {
        snprintf(name, sizeof name, "%s", m->wire);
    }
    if (sh->type != SH_LIST) {
        form_add(b, name, value);
        return 0;
    }
    char prefix[256];
    if (s->protocol == AWS_EC2 || (sh->flags & SHF_FLATTENED))
        snprintf(prefix, sizeof prefix, "%s", name);
    else
        aws_fmt(prefix, sizeof prefix, "%s.%s", name, sh->member_wire ? sh->member_wire : "member");
    form_list fl = {b, prefix};
    each_item(value, form_item, &fl);
    return 0;
}

static void json_scalar(buf *b, const aws_shape *sh, const char *v)
{
    if (sh && (sh->type == SH_INT || sh->type == SH_FLOAT))
        buf_puts(b, v);
    else if (sh && sh->type == SH_BOOL)
        buf_puts(b, strcmp(v, "true") == 0 ? "true" : "false");
    else
        json_write_string(b, v, strlen(v));
}

typedef struct json_list {
    buf *b;
    const aws_shape *item;
} json_list;

static void json_item(void *ctx, const char *item, int i)
{
    json_list *jl = ctx;
    if (i > 1) buf_putc(jl->b, ',');
    json_scalar(jl->b, jl->item, item);
}

static void json_member(const aws_service *s, const aws_member *m, const char *value, buf *b)
{
    const aws_shape *sh = aws_shape_at(s, m->shape);
    if (b->len > 1) buf_putc(b, ','); /* the caller wrote '{' */
    json_write_string(b, m->wire, strlen(m->wire));
    buf_putc(b, ':');
    if (sh->type == SH_LIST) {
        buf_putc(b, '[');
        json_list jl = {b, aws_shape_at(s, sh->member)};
        each_item(value, json_item, &jl);
        buf_putc(b, ']');
    } else {
        json_scalar(b, sh, value);
    }
}

static void add_header(aws_http_request *rq, const char *name, const char *value)
{
    if (rq->nheaders >= 8) return;
    snprintf(rq->hstore[rq->nheaders], sizeof rq->hstore[0], "%s", value);
    rq->headers[rq->nheaders].name = name;
    rq->headers[rq->nheaders].value = rq->hstore[rq->nheaders];
    rq->nheaders++;
}

/* The request URI template with {Member} / {Member+} from params. */
static int rest_path(const aws_service *s, const aws_shape *in, const char *uri, const aws_param *p,
                     size_t n, aws_http_request *rq, buf *err)
{
    const char *q = strchr(uri, '?');
    size_t plen = q ? (size_t)(q - uri) : strlen(uri);
    for (size_t i = 0; i < plen; i++) {
        if (uri[i] != '{') {
            buf_putc(&rq->path, uri[i]);
            continue;
        }
        const char *close = memchr(uri + i, '}', plen - i);
        if (!close) break;
        char name[128];
        size_t nl = (size_t)(close - uri - i - 1);
        bool greedy = nl && uri[i + nl] == '+';
        snprintf(name, sizeof name, "%.*s", (int)(nl - (greedy ? 1 : 0)), uri + i + 1);
        const char *val = NULL;
        for (size_t k = 0; k < n && !val; k++) {
            const aws_member *m = aws_member_find(s, in, p[k].name);
            if (m && m->location == LOC_URI && strcmp(m->wire, name) == 0) val = p[k].value;
        }
        if (!val) {
            buf_printf(err, "missing URI parameter %s", name);
            return -1;
        }
        pct(&rq->path, val, greedy);
        i = (size_t)(close - uri);
    }
    if (q) buf_puts(&rq->query, q + 1);
    return 0;
}

static int rest_request(const aws_service *s, const aws_operation *op, const aws_shape *in,
                        const aws_param *p, size_t n, aws_http_request *rq, buf *err)
{
    if (rest_path(s, in, op->uri, p, n, rq, err) != 0) return -1;
    for (size_t k = 0; k < n; k++) {
        const aws_member *m = aws_member_find(s, in, p[k].name);
        if (!m) {
            buf_printf(err, "%s has no parameter %s", op->name, p[k].name);
            return -1;
        }
        if (m->location == LOC_QUERY) {
            if (rq->query.len) buf_putc(&rq->query, '&');
            pct(&rq->query, m->wire, false);
            buf_putc(&rq->query, '=');
            pct(&rq->query, p[k].value, false);
        } else if (m->location == LOC_HEADER) {
            add_header(rq, m->wire, p[k].value);
        } else if (m->location == LOC_BODY) {
            buf_printf(err, "%s: body parameter %s not supported", op->name, p[k].name);
            return -1;
        }
    }
    return 0;
}

int aws_build_request(const aws_service *s, const aws_operation *op, const aws_param *p, size_t n,
                      aws_http_request *rq, buf *err)
{
    memset(rq, 0, sizeof *rq);
    const aws_shape *in = aws_shape_at(s, op->input);
    rq->method = op->method;
    if (s->protocol == AWS_REST_XML || s->protocol == AWS_REST_JSON)
        return rest_request(s, op, in, p, n, rq, err);
    rq->method = "POST";
    buf_puts(&rq->path, "/");
    if (s->protocol == AWS_JSON) {
        char target[192], ctype[64];
        snprintf(target, sizeof target, "%s.%s", s->target_prefix, op->name);
        snprintf(ctype, sizeof ctype, "application/x-amz-json-%s",
                 s->json_version ? s->json_version : "1.0");
        add_header(rq, "X-Amz-Target", target);
        add_header(rq, "Content-Type", ctype);
        buf_putc(&rq->body, '{');
    } else {
        add_header(rq, "Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
        form_add(&rq->body, "Action", op->name);
        form_add(&rq->body, "Version", s->api_version);
    }
    for (size_t k = 0; k < n; k++) {
        const aws_member *m = aws_member_find(s, in, p[k].name);
        if (!m) {
            buf_printf(err, "%s has no parameter %s", op->name, p[k].name);
            return -1;
        }
        if (s->protocol == AWS_JSON)
            json_member(s, m, p[k].value, &rq->body);
        else
            form_member(s, m, p[k].value, &rq->body);
    }
    if (s->protocol == AWS_JSON) buf_putc(&rq->body, '}');
    return 0;
}

void aws_http_request_free(aws_http_request *rq)
{
    buf_free(&rq->path);
    buf_free(&rq->query);
    buf_free(&rq->body);
}

/* ---- responses ---- */

bool aws_header_get(const char *headers, const char *name, char *out, size_t outsz)
{
    size_t nl = strlen(name);
    for (const char *p = headers; p && *p;) {
        const char *eol = strchr(p, '\n');
        size_t l = eol ? (size_t)(eol - p) : strlen(p);
        if (l > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (*v == ' ')
                v++;
            size_t vl = (size_t)(p + l - v);
            while (vl && (v[vl - 1] == '\r' || v[vl - 1] == ' '))
                vl--;
            snprintf(out, outsz, "%.*s", (int)vl, v);
            return true;
        }
        p += l + (eol ? 1 : 0);
    }
    return false;
}

static int json_by_shape(arena *a, const aws_service *s, int shape, const jv *v, jv *out,
                         int depth);

static int json_struct(arena *a, const aws_service *s, const aws_shape *sh, const jv *v, jv *out,
                       int depth)
{
    if (!jv_is(v, JV_OBJECT)) {
        *out = *v; /* not what the model says: keep it as sent */
        return 0;
    }
    jv_builder b;
    jvb_object(&b, a);
    for (int i = 0; i < sh->nmembers; i++) {
        const aws_member *m = &s->members[sh->first + i];
        if (m->location != LOC_BODY) continue;
        const jv *raw = jv_get(v, m->wire);
        if (!raw || jv_is(raw, JV_NULL)) continue;
        jv c;
        if (json_by_shape(a, s, m->shape, raw, &c, depth + 1) != 0) return -1;
        jvb_set(&b, m->name, strlen(m->name), c);
    }
    *out = jvb_done(&b);
    return 0;
}

static int json_by_shape(arena *a, const aws_service *s, int shape, const jv *v, jv *out, int depth)
{
    const aws_shape *sh = aws_shape_at(s, shape);
    if (!sh || depth > 64) return -1;
    if (sh->flags & SHF_DOCUMENT) {
        *out = *v;
        return 0;
    }
    if (sh->type == SH_STRUCT) return json_struct(a, s, sh, v, out, depth);
    if (sh->type == SH_LIST && jv_is(v, JV_ARRAY)) {
        jv arr = jv_array(a, v->len);
        for (uint32_t i = 0; i < v->len; i++)
            if (json_by_shape(a, s, sh->member, &v->u.items[i], &arr.u.items[i], depth + 1) != 0)
                return -1;
        *out = arr;
        return 0;
    }
    if (sh->type == SH_MAP && jv_is(v, JV_OBJECT)) {
        jv obj = jv_object(a, v->len);
        for (uint32_t i = 0; i < v->len; i++) {
            obj.u.members[i].key = v->u.members[i].key;
            obj.u.members[i].klen = v->u.members[i].klen;
            if (json_by_shape(a, s, sh->value, &v->u.members[i].val, &obj.u.members[i].val,
                              depth + 1) != 0)
                return -1;
        }
        *out = obj;
        return 0;
    }
    *out = *v; /* scalars (timestamps, blobs) as received */
    return 0;
}

static jv header_value(arena *a, const aws_shape *sh, const char *v)
{
    if (sh->type == SH_INT) return jv_int(strtoll(v, NULL, 10));
    if (sh->type == SH_FLOAT) return jv_num(strtod(v, NULL));
    if (sh->type == SH_BOOL) return jv_bool(strcmp(v, "true") == 0);
    return jv_cstr(a, v);
}

/* Header and status-code members of a rest output shape into b. */
/* Raw text (a string payload, a header) goes into the JSON as it came:
 * only when it is UTF-8, or the inventory file would not be JSON. */
static bool utf8_valid(const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t k = c < 0x80             ? 1
                   : (c & 0xE0) == 0xC0 ? 2
                   : (c & 0xF0) == 0xE0 ? 3
                   : (c & 0xF8) == 0xF0 ? 4
                                        : 0;
        if (!k || i + k > n || (k == 2 && c < 0xC2)) return false;
        for (size_t j = 1; j < k; j++)
            if ((s[i + j] & 0xC0) != 0x80) return false;
        if (k == 3 && ((c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xED && s[i + 1] >= 0xA0)))
            return false;
        if (k == 4 &&
            ((c == 0xF0 && s[i + 1] < 0x90) || c > 0xF4 || (c == 0xF4 && s[i + 1] >= 0x90)))
            return false;
        i += k;
    }
    return true;
}

static void rest_non_payload(arena *a, const aws_service *s, const aws_shape *sh,
                             const aws_http_response *r, jv_builder *b)
{
    for (int i = 0; i < sh->nmembers; i++) {
        const aws_member *m = &s->members[sh->first + i];
        const aws_shape *ms = aws_shape_at(s, m->shape);
        char v[1024];
        if (m->location == LOC_STATUS)
            jvb_set(b, m->name, strlen(m->name), jv_int(r->status));
        else if (m->location == LOC_HEADER && aws_header_get(r->headers, m->wire, v, sizeof v) &&
                 utf8_valid(v, strlen(v)))
            jvb_set(b, m->name, strlen(m->name), header_value(a, ms, v));
    }
}

static int body_json(arena *a, const aws_http_response *r, jv *out, buf *err)
{
    if (!r->len) {
        *out = jv_object(a, 0);
        return 0;
    }
    json_error je;
    if (json_parse(a, r->body, r->len, out, &je) != 0) {
        buf_printf(err, "invalid JSON response (line %d, column %d): %s", je.line, je.col, je.msg);
        return -1;
    }
    if (!jv_is(out, JV_OBJECT)) {
        buf_printf(err, "the JSON response is not an object");
        return -1;
    }
    return 0;
}

/* The body parsed by shape (XML or JSON by protocol). */
static int body_by_shape(arena *a, const aws_service *s, int shape, const aws_http_response *r,
                         jv *out, buf *err)
{
    if (s->protocol == AWS_REST_XML)
        return aws_xml_to_json(a, s, shape, NULL, r->body, r->len, out, err);
    jv raw;
    if (body_json(a, r, &raw, err) != 0) return -1;
    return json_by_shape(a, s, shape, &raw, out, 0);
}

static void merge_into(jv_builder *b, const jv *obj)
{
    for (uint32_t i = 0; jv_is(obj, JV_OBJECT) && i < obj->len; i++)
        jvb_set(b, obj->u.members[i].key, obj->u.members[i].klen, obj->u.members[i].val);
}

static int rest_convert(arena *a, const aws_service *s, const aws_operation *op,
                        const aws_http_response *r, jv *out, buf *err)
{
    const aws_shape *sh = aws_shape_at(s, op->output);
    jv_builder b;
    jvb_object(&b, a);
    if (strcmp(s->client, "s3") == 0 && strcmp(op->name, "GetBucketLocation") == 0) {
        const char *t = NULL;
        if (aws_xml_root_text(a, r->body, r->len, &t, err) != 0) return -1;
        jvb_set(&b, "LocationConstraint", 18, t ? jv_cstr(a, t) : jv_null());
        *out = jvb_done(&b);
        return 0;
    }
    rest_non_payload(a, s, sh, r, &b);
    const aws_member *pm = sh->payload ? aws_member_find(s, sh, sh->payload) : NULL;
    if (pm) {
        const aws_shape *ps = aws_shape_at(s, pm->shape);
        jv v;
        if ((ps->type == SH_STRING || ps->type == SH_BLOB) && !utf8_valid(r->body, r->len)) {
            buf_printf(err, "%s: the %s payload is not UTF-8 text", op->name, pm->name);
            return -1;
        }
        if (ps->type == SH_STRING || ps->type == SH_BLOB)
            v = jv_str(a, r->body ? r->body : "", r->len);
        else if (body_by_shape(a, s, pm->shape, r, &v, err) != 0)
            return -1;
        jvb_set(&b, pm->name, strlen(pm->name), v);
    } else {
        jv v;
        if (body_by_shape(a, s, op->output, r, &v, err) != 0) return -1;
        merge_into(&b, &v);
    }
    *out = jvb_done(&b);
    return 0;
}

int aws_convert(arena *a, const aws_service *s, const aws_operation *op, const aws_http_response *r,
                jv *out, buf *err)
{
    if (op->output < 0) {
        *out = jv_object(a, 0);
        return 0;
    }
    switch (s->protocol) {
    case AWS_EC2:
        return aws_xml_to_json(a, s, op->output, NULL, r->body, r->len, out, err);
    case AWS_QUERY:
        return aws_xml_to_json(a, s, op->output, op->result_wrapper, r->body, r->len, out, err);
    case AWS_JSON: {
        jv raw;
        if (body_json(a, r, &raw, err) != 0) return -1;
        return json_by_shape(a, s, op->output, &raw, out, 0);
    }
    default:
        return rest_convert(a, s, op, r, out, err);
    }
}

static void json_error_of(const aws_http_response *r, char *code, size_t cs, char *msg, size_t ms)
{
    arena *a = arena_new(0);
    jv body;
    json_error je;
    if (r->len && json_parse(a, r->body, r->len, &body, &je) == 0 && jv_is(&body, JV_OBJECT)) {
        const jv *t = jv_get(&body, "__type");
        if (!jv_is(t, JV_STRING)) t = jv_get(&body, "code");
        if (!jv_is(t, JV_STRING)) t = jv_get(&body, "Code");
        if (jv_is(t, JV_STRING) && !*code) {
            const char *h = strrchr(t->u.str, '#');
            snprintf(code, cs, "%s", h ? h + 1 : t->u.str);
        }
        const jv *m = jv_get(&body, "message");
        if (!jv_is(m, JV_STRING)) m = jv_get(&body, "Message");
        if (jv_is(m, JV_STRING)) snprintf(msg, ms, "%s", m->u.str);
    }
    arena_free(a);
}

void aws_parse_error(const aws_service *s, const aws_http_response *r, char *code, size_t cs,
                     char *msg, size_t ms)
{
    code[0] = msg[0] = 0;
    char h[256];
    if (s->protocol == AWS_JSON || s->protocol == AWS_REST_JSON) {
        if (aws_header_get(r->headers, "x-amzn-query-error", h, sizeof h) && strchr(h, ';')) {
            *strchr(h, ';') = 0;
            snprintf(code, cs, "%s", h);
        } else if (aws_header_get(r->headers, "x-amzn-ErrorType", h, sizeof h)) {
            char *colon = strchr(h, ':');
            if (colon) *colon = 0;
            char *hash = strrchr(h, '#');
            snprintf(code, cs, "%s", hash ? hash + 1 : h);
        }
        json_error_of(r, code, cs, msg, ms);
    }
    if (!*code) aws_xml_error(r->body, r->len, code, cs, msg, ms);
    if (!*code) json_error_of(r, code, cs, msg, ms);
    if (!*code) snprintf(code, cs, "%d", r->status);
}

/* ---- pages ---- */

static const jv *dotted(const jv *v, const char *path)
{
    char part[128];
    while (v && *path) {
        const char *dot = strchr(path, '.');
        size_t l = dot ? (size_t)(dot - path) : strlen(path);
        if (l >= sizeof part) return NULL;
        memcpy(part, path, l);
        part[l] = 0;
        v = jv_get(v, part);
        path += l + (dot ? 1 : 0);
    }
    return v;
}

const jv *aws_page_expr(const jv *page, const char *expr)
{
    if (!expr) return NULL;
    char alt[256];
    for (const char *p = expr; *p;) {
        while (*p == ' ')
            p++;
        const char *bar = strstr(p, "||");
        size_t l = bar ? (size_t)(bar - p) : strlen(p);
        while (l && p[l - 1] == ' ')
            l--;
        snprintf(alt, sizeof alt, "%.*s", (int)l, p);
        const jv *v = dotted(page, alt);
        if (v && !jv_is(v, JV_NULL)) return v;
        if (!bar) break;
        p = bar + 2;
    }
    return NULL;
}

static const char *token_str(arena *a, const jv *v)
{
    if (jv_is(v, JV_STRING)) return v->len ? v->u.str : NULL;
    if (jv_is(v, JV_NUMBER)) return arena_sprintf(a, "%.0f", v->u.num);
    return NULL;
}

bool aws_page_next(arena *a, const aws_pager *p, const jv *page, const char *next[2])
{
    next[0] = next[1] = NULL;
    bool any = false;
    for (int i = 0; i < 2 && p->output_token[i]; i++) {
        next[i] = token_str(a, aws_page_expr(page, p->output_token[i]));
        any |= next[i] != NULL;
    }
    if (p->more_results) {
        const jv *m = aws_page_expr(page, p->more_results);
        if (!m || !jv_truthy(m)) return false;
    }
    return any;
}

/* Sets a dotted path in an object, building the objects on the way. */
static jv set_path(arena *a, const jv *obj, const char *path, jv val)
{
    const char *dot = strchr(path, '.');
    size_t l = dot ? (size_t)(dot - path) : strlen(path);
    jv_builder b;
    jvb_object(&b, a);
    merge_into(&b, obj);
    if (dot) {
        const jv *cur = jv_getn(obj, path, l);
        jv empty = jv_object(a, 0);
        val = set_path(a, cur ? cur : &empty, dot + 1, val);
    }
    jvb_set(&b, path, l, val);
    return jvb_done(&b);
}

static jv concat(arena *a, const jv *x, const jv *y)
{
    jv r = jv_array(a, x->len + y->len);
    for (uint32_t i = 0; i < x->len; i++)
        r.u.items[i] = x->u.items[i];
    for (uint32_t i = 0; i < y->len; i++)
        r.u.items[x->len + i] = y->u.items[i];
    return r;
}

void aws_page_merge(arena *a, const aws_pager *p, jv *merged, const jv *page, bool first)
{
    if (first) *merged = jv_object(a, 0);
    for (int i = 0; i < 4 && p->result_key[i]; i++) {
        const jv *v = dotted(page, p->result_key[i]);
        if (!v || jv_is(v, JV_NULL)) continue;
        const jv *have = dotted(merged, p->result_key[i]);
        if (!have || jv_is(have, JV_NULL))
            *merged = set_path(a, merged, p->result_key[i], *v);
        else if (jv_is(have, JV_ARRAY) && jv_is(v, JV_ARRAY))
            *merged = set_path(a, merged, p->result_key[i], concat(a, have, v));
        else if (jv_is(have, JV_NUMBER) && jv_is(v, JV_NUMBER))
            *merged = set_path(a, merged, p->result_key[i], jv_num(have->u.num + v->u.num));
    }
    for (int i = 0; first && i < 4 && p->non_aggregate[i]; i++) {
        /* botocore records the key even when the page lacks it (null) */
        const jv *v = dotted(page, p->non_aggregate[i]);
        *merged = set_path(a, merged, p->non_aggregate[i], v ? *v : jv_null());
    }
}
