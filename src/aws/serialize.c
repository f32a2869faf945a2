/* serialize.c - requests whose parameters are a JSON value (write calls).
 *
 * The collector's calls take flat "Name=value" parameters (protocol.c).
 * Remediation's calls carry nested structures (RevokeSecurityGroupIngress's
 * IpPermissions, PutPublicAccessBlock's configuration), so here the input
 * is a jv shaped like botocore's input (member names as in the model, the
 * AWS CLI's --cli-input-json) and it is serialised by the operation's input
 * shape, as botocore's serialisers do:
 *
 *   ec2     Name.1.Sub.1.Leaf=v (queryName, else the capitalised
 *           locationName; lists always flattened)
 *   query   Name.member.1.Leaf=v (Name.1 when flattened), maps as
 *           Name.entry.1.key / .value
 *   rest-xml  URI, query-string and header members as protocol.c does;
 *           the payload member is the body: raw for a string or blob,
 *           XML for a structure (S3's namespace), with Content-MD5
 *
 *   json    the input as a JSON object by the members' wire names
 *           (ECR, KMS), with X-Amz-Target as protocol.c sets it
 *
 * rest-json bodies are not needed by any write call yet and are refused
 * with a message rather than serialised half-way (URI, query and header
 * members alone, all strings, go through protocol.c's flat builder:
 * Lambda's RemovePermission).
 */
#include <ctype.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "aws/aws_internal.h"

/* Form encoding as botocore's (urlencode: a space is '+'; moto checks the
 * signature over the body it re-encodes that way). */
static void pct_add(buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
            buf_putc(b, (char)c);
        else if (c == ' ')
            buf_putc(b, '+');
        else
            buf_printf(b, "%%%02X", c);
    }
}

static void form_pair(buf *b, const char *name, const char *value)
{
    if (b->len) buf_putc(b, '&');
    pct_add(b, name);
    buf_putc(b, '=');
    pct_add(b, value);
}

/* A scalar as its wire text; NULL for a structure, list or map value. */
static const char *scalar_text(const jv *v, char *tmp, size_t n)
{
    if (jv_is(v, JV_STRING)) return v->u.str;
    if (jv_is(v, JV_TRUE)) return "true";
    if (jv_is(v, JV_FALSE)) return "false";
    if (jv_is(v, JV_NUMBER)) {
        if (v->flags & JVF_INT)
            snprintf(tmp, n, "%.0f", v->u.num);
        else
            snprintf(tmp, n, "%.17g", v->u.num);
        return tmp;
    }
    return NULL;
}

static int form_value(const aws_service *s, int shape, const jv *v, const char *prefix, buf *b,
                      buf *err, int depth);

static void member_name(const aws_service *s, const aws_member *m, char *out, size_t n)
{
    if (s->protocol == AWS_EC2 && m->query_name)
        snprintf(out, n, "%s", m->query_name);
    else if (s->protocol == AWS_EC2)
        snprintf(out, n, "%c%s", toupper((unsigned char)m->wire[0]), m->wire + 1);
    else
        snprintf(out, n, "%s", m->wire);
}

static int form_struct(const aws_service *s, const aws_shape *sh, const jv *v, const char *prefix,
                       buf *b, buf *err, int depth)
{
    if (!jv_is(v, JV_OBJECT)) {
        buf_printf(err, "%s: expected an object", *prefix ? prefix : "input");
        return -1;
    }
    for (uint32_t i = 0; i < v->len; i++) {
        const jv_member *jm = &v->u.members[i];
        const aws_member *m = aws_member_find(s, sh, jm->key);
        if (!m) {
            buf_printf(err, "%s has no member %s", *prefix ? prefix : "input", jm->key);
            return -1;
        }
        char name[128], full[512];
        member_name(s, m, name, sizeof name);
        aws_fmt(full, sizeof full, "%s%s%s", prefix, *prefix ? "." : "", name);
        if (form_value(s, m->shape, &jm->val, full, b, err, depth + 1) != 0) return -1;
    }
    return 0;
}

static int form_list(const aws_service *s, const aws_shape *sh, const jv *v, const char *prefix,
                     buf *b, buf *err, int depth)
{
    if (!jv_is(v, JV_ARRAY)) {
        buf_printf(err, "%s: expected a list", prefix);
        return -1;
    }
    if (v->len == 0 && s->protocol == AWS_QUERY) form_pair(b, prefix, "");
    for (uint32_t i = 0; i < v->len; i++) {
        char item[512];
        if (s->protocol == AWS_EC2 || (sh->flags & SHF_FLATTENED))
            aws_fmt(item, sizeof item, "%s.%u", prefix, i + 1);
        else
            aws_fmt(item, sizeof item, "%s.%s.%u", prefix,
                    sh->member_wire ? sh->member_wire : "member", i + 1);
        if (form_value(s, sh->member, &v->u.items[i], item, b, err, depth + 1) != 0) return -1;
    }
    return 0;
}

static int form_map(const aws_service *s, const aws_shape *sh, const jv *v, const char *prefix,
                    buf *b, buf *err, int depth)
{
    if (!jv_is(v, JV_OBJECT)) {
        buf_printf(err, "%s: expected an object", prefix);
        return -1;
    }
    for (uint32_t i = 0; i < v->len; i++) {
        char k[512], val[512];
        const char *entry = (sh->flags & SHF_FLATTENED) ? "" : ".entry";
        aws_fmt(k, sizeof k, "%s%s.%u.%s", prefix, entry, i + 1,
                sh->member_wire ? sh->member_wire : "key");
        aws_fmt(val, sizeof val, "%s%s.%u.%s", prefix, entry, i + 1,
                sh->value_wire ? sh->value_wire : "value");
        form_pair(b, k, v->u.members[i].key);
        if (form_value(s, sh->value, &v->u.members[i].val, val, b, err, depth + 1) != 0) return -1;
    }
    return 0;
}

static int form_value(const aws_service *s, int shape, const jv *v, const char *prefix, buf *b,
                      buf *err, int depth)
{
    const aws_shape *sh = aws_shape_at(s, shape);
    if (!sh || depth > 20) {
        buf_printf(err, "%s: unknown shape", prefix);
        return -1;
    }
    if (sh->type == SH_STRUCT) return form_struct(s, sh, v, prefix, b, err, depth);
    if (sh->type == SH_LIST) return form_list(s, sh, v, prefix, b, err, depth);
    if (sh->type == SH_MAP) return form_map(s, sh, v, prefix, b, err, depth);
    char tmp[64];
    const char *t = scalar_text(v, tmp, sizeof tmp);
    if (!t) {
        buf_printf(err, "%s: expected a scalar", prefix);
        return -1;
    }
    form_pair(b, prefix, t);
    return 0;
}

/* ---- rest-xml ---- */

static void xml_text(buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '<')
            buf_puts(b, "&lt;");
        else if (*s == '>')
            buf_puts(b, "&gt;");
        else if (*s == '&')
            buf_puts(b, "&amp;");
        else
            buf_putc(b, *s);
    }
}

static int xml_value(const aws_service *s, int shape, const jv *v, const char *tag, const char *ns,
                     buf *b, buf *err, int depth);

static int xml_struct(const aws_service *s, const aws_shape *sh, const jv *v, buf *b, buf *err,
                      int depth)
{
    if (!jv_is(v, JV_OBJECT)) {
        buf_puts(err, "expected an object in the XML payload");
        return -1;
    }
    for (uint32_t i = 0; i < v->len; i++) {
        const aws_member *m = aws_member_find(s, sh, v->u.members[i].key);
        if (!m) {
            buf_printf(err, "payload has no member %s", v->u.members[i].key);
            return -1;
        }
        const aws_shape *ms = aws_shape_at(s, m->shape);
        if (ms && ms->type == SH_LIST && (ms->flags & SHF_FLATTENED)) {
            const jv *l = &v->u.members[i].val;
            for (uint32_t k = 0; jv_is(l, JV_ARRAY) && k < l->len; k++)
                if (xml_value(s, ms->member, &l->u.items[k], m->wire, NULL, b, err, depth + 1))
                    return -1;
            continue;
        }
        if (xml_value(s, m->shape, &v->u.members[i].val, m->wire, NULL, b, err, depth + 1))
            return -1;
    }
    return 0;
}

static int xml_value(const aws_service *s, int shape, const jv *v, const char *tag, const char *ns,
                     buf *b, buf *err, int depth)
{
    const aws_shape *sh = aws_shape_at(s, shape);
    if (!sh || depth > 20) {
        buf_puts(err, "XML payload too deep or of an unknown shape");
        return -1;
    }
    buf_printf(b, "<%s", tag);
    if (ns) buf_printf(b, " xmlns=\"%s\"", ns);
    buf_putc(b, '>');
    int rc = 0;
    if (sh->type == SH_STRUCT) {
        rc = xml_struct(s, sh, v, b, err, depth);
    } else if (sh->type == SH_LIST) {
        const char *item = sh->member_wire ? sh->member_wire : "member";
        for (uint32_t k = 0; jv_is(v, JV_ARRAY) && k < v->len && !rc; k++)
            rc = xml_value(s, sh->member, &v->u.items[k], item, NULL, b, err, depth + 1);
    } else {
        char tmp[64];
        const char *t = scalar_text(v, tmp, sizeof tmp);
        if (!t) {
            buf_printf(err, "%s: expected a scalar", tag);
            return -1;
        }
        xml_text(b, t);
    }
    buf_printf(b, "</%s>", tag);
    return rc;
}

static void content_md5(aws_http_request *rq)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(rq->body.data ? rq->body.data : "", rq->body.len, md, &n, EVP_md5(), NULL);
    char b64[64];
    EVP_EncodeBlock((unsigned char *)b64, md, (int)n);
    if (rq->nheaders >= 8) return;
    snprintf(rq->hstore[rq->nheaders], sizeof rq->hstore[0], "%s", b64);
    rq->headers[rq->nheaders] = (aws_header){"Content-MD5", rq->hstore[rq->nheaders]};
    rq->nheaders++;
}

/* The payload member's value as the body. */
static int rest_payload(const aws_service *s, const aws_shape *in, const jv *input,
                        aws_http_request *rq, buf *err)
{
    const jv *pv = jv_get(input, in->payload);
    if (!pv) return 0;
    const aws_member *m = aws_member_find(s, in, in->payload);
    const aws_shape *ps = m ? aws_shape_at(s, m->shape) : NULL;
    if (!ps) {
        buf_printf(err, "unknown payload member %s", in->payload);
        return -1;
    }
    if (ps->type == SH_STRING || ps->type == SH_BLOB) {
        if (!jv_is(pv, JV_STRING)) {
            buf_printf(err, "%s must be a string", in->payload);
            return -1;
        }
        buf_append(&rq->body, pv->u.str, pv->len);
    } else {
        const char *ns =
            strcmp(s->client, "s3") == 0 ? "http://s3.amazonaws.com/doc/2006-03-01/" : NULL;
        if (xml_value(s, m->shape, pv, m->wire, ns, &rq->body, err, 0) != 0) return -1;
    }
    if (strcmp(s->client, "s3") == 0) content_md5(rq);
    return 0;
}

/* URI, query and header members become flat params for protocol.c. */
static int rest_request_input(const aws_service *s, const aws_operation *op, const aws_shape *in,
                              const jv *input, aws_http_request *rq, buf *err)
{
    aws_param p[16];
    size_t n = 0;
    char tmp[16][64];
    for (uint32_t i = 0; jv_is(input, JV_OBJECT) && i < input->len; i++) {
        const jv_member *jm = &input->u.members[i];
        if (in->payload && strcmp(jm->key, in->payload) == 0) continue;
        const aws_member *m = aws_member_find(s, in, jm->key);
        if (!m || m->location == LOC_BODY) {
            buf_printf(err, "%s: parameter %s not supported", op->name, jm->key);
            return -1;
        }
        const char *t = scalar_text(&jm->val, tmp[n < 16 ? n : 15], sizeof tmp[0]);
        if (!t || n >= 16) {
            buf_printf(err, "%s: parameter %s must be a scalar", op->name, jm->key);
            return -1;
        }
        p[n++] = (aws_param){jm->key, t};
    }
    if (aws_build_request(s, op, p, n, rq, err) != 0) return -1;
    return rest_payload(s, in, input, rq, err);
}

/* ---- json ---- */

static int json_value(const aws_service *s, int shape, const jv *v, buf *b, buf *err, int depth)
{
    const aws_shape *sh = aws_shape_at(s, shape);
    if (!sh || depth > 20) {
        buf_puts(err, "JSON input too deep or of an unknown shape");
        return -1;
    }
    if (sh->type == SH_STRUCT) {
        if (!jv_is(v, JV_OBJECT)) {
            buf_puts(err, "expected an object");
            return -1;
        }
        buf_putc(b, '{');
        for (uint32_t i = 0; i < v->len; i++) {
            const aws_member *m = aws_member_find(s, sh, v->u.members[i].key);
            if (!m) {
                buf_printf(err, "input has no member %s", v->u.members[i].key);
                return -1;
            }
            if (i) buf_putc(b, ',');
            json_write_string(b, m->wire, strlen(m->wire));
            buf_putc(b, ':');
            if (json_value(s, m->shape, &v->u.members[i].val, b, err, depth + 1)) return -1;
        }
        buf_putc(b, '}');
        return 0;
    }
    if (sh->type == SH_LIST && jv_is(v, JV_ARRAY)) {
        buf_putc(b, '[');
        for (uint32_t i = 0; i < v->len; i++) {
            if (i) buf_putc(b, ',');
            if (json_value(s, sh->member, &v->u.items[i], b, err, depth + 1)) return -1;
        }
        buf_putc(b, ']');
        return 0;
    }
    if (sh->type == SH_LIST || sh->type == SH_BLOB) {
        buf_puts(err, "list or blob input not supported here");
        return -1;
    }
    json_write(b, v); /* scalars and maps of scalars as given */
    return 0;
}

/* rest-json with only string members (URI and query parameters, such as
 * Lambda's RemovePermission): the flat request builder's parameters. */
static int rest_json_flat(const aws_service *s, const aws_operation *op, const jv *input,
                          aws_http_request *rq, buf *err)
{
    uint32_t n = jv_is(input, JV_OBJECT) ? input->len : 0;
    aws_param p[16];
    if (n > sizeof p / sizeof p[0]) {
        buf_printf(err, "%s: too many members", op->name);
        return -1;
    }
    for (uint32_t i = 0; i < n; i++) {
        const jv_member *m = &input->u.members[i];
        if (!jv_is(&m->val, JV_STRING)) {
            buf_printf(err, "%s: rest-json input member %s is not a string (not supported)",
                       op->name, m->key);
            return -1;
        }
        p[i] = (aws_param){m->key, m->val.u.str};
    }
    return aws_build_request(s, op, p, n, rq, err);
}

int aws_build_request_input(const aws_service *s, const aws_operation *op, const jv *input,
                            aws_http_request *rq, buf *err)
{
    const aws_shape *in = aws_shape_at(s, op->input);
    if (s->protocol == AWS_REST_XML) return rest_request_input(s, op, in, input, rq, err);
    if (s->protocol == AWS_JSON) {
        if (aws_build_request(s, op, NULL, 0, rq, err) != 0) return -1;
        buf_reset(&rq->body);
        if (!in || !input || jv_is(input, JV_NULL)) {
            buf_puts(&rq->body, "{}");
            return 0;
        }
        return json_value(s, op->input, input, &rq->body, err, 0);
    }
    if (s->protocol == AWS_REST_JSON) return rest_json_flat(s, op, input, rq, err);
    if (s->protocol != AWS_EC2 && s->protocol != AWS_QUERY) {
        buf_printf(err, "%s: JSON-input requests of this protocol are not supported", op->name);
        return -1;
    }
    if (aws_build_request(s, op, NULL, 0, rq, err) != 0) return -1;
    if (!in || !input || jv_is(input, JV_NULL)) return 0;
    return form_struct(s, in, input, "", &rq->body, err, 0);
}
