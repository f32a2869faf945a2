/* xml.c - XML responses to JSON by shape, as botocore's XML parsers do.
 *
 * The rules (botocore/parsers.py, BaseXMLResponseParser), which decide
 * exactly what the AWS CLI prints:
 *  - a structure maps each body member to the child element named by its
 *    locationName (a flattened list member: its member's locationName),
 *    namespaces ignored; absent children are absent keys; xmlAttribute
 *    members read the element's attribute;
 *  - a list is the element's children (any tag), or, flattened, every
 *    element of that name in the parent; an empty element is [];
 *  - a map is <entry><key/><value/></entry> children (flattened: the
 *    repeated elements themselves), key/value tags from the model;
 *  - scalars take the element's text ("" when empty): integers and floats
 *    as numbers, booleans true only for "true", timestamps and blobs as
 *    received (the CLI's default timestamp format `none` prints them so).
 * libxml2 parses (no network, no entity expansion); a parse error gives a
 * message with the line.
 */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws_internal.h"

typedef struct xctx {
    arena *a;
    const aws_service *s;
    buf *err;
    int depth;
} xctx;

/* A group of elements of one name (one unless flattened). */
typedef struct xgroup {
    xmlNode **v;
    size_t n;
} xgroup;

static bool is_elem(const xmlNode *n)
{
    return n && n->type == XML_ELEMENT_NODE;
}

static const char *tag(const xmlNode *n)
{
    return (const char *)n->name; /* local name, without prefix */
}

static jv text_of(arena *a, xmlNode *n)
{
    xmlChar *t = xmlNodeGetContent(n);
    jv v = jv_cstr(a, t ? (const char *)t : "");
    xmlFree(t);
    return v;
}

static int parse_shape(xctx *x, int shape, xgroup g, jv *out);

/* Children of e named name, into a group allocated in the arena. */
static xgroup children_named(arena *a, xmlNode *e, const char *name)
{
    size_t n = 0;
    for (xmlNode *c = e->children; c; c = c->next)
        if (is_elem(c) && strcmp(tag(c), name) == 0) n++;
    xgroup g = {arena_alloc(a, (n ? n : 1) * sizeof(xmlNode *)), 0};
    for (xmlNode *c = e->children; c; c = c->next)
        if (is_elem(c) && strcmp(tag(c), name) == 0) g.v[g.n++] = c;
    return g;
}

static xgroup all_children(arena *a, xmlNode *e)
{
    size_t n = 0;
    for (xmlNode *c = e->children; c; c = c->next)
        n += is_elem(c);
    xgroup g = {arena_alloc(a, (n ? n : 1) * sizeof(xmlNode *)), 0};
    for (xmlNode *c = e->children; c; c = c->next)
        if (is_elem(c)) g.v[g.n++] = c;
    return g;
}

static const char *member_xml_name(const xctx *x, const aws_member *m)
{
    const aws_shape *ms = aws_shape_at(x->s, m->shape);
    if (ms->type == SH_LIST && (ms->flags & SHF_FLATTENED) && ms->member_wire)
        return ms->member_wire;
    return m->wire;
}

static int parse_struct(xctx *x, const aws_shape *sh, xmlNode *e, jv *out)
{
    jv_builder b;
    jvb_object(&b, x->a);
    for (int i = 0; i < sh->nmembers; i++) {
        const aws_member *m = &x->s->members[sh->first + i];
        if (m->location != LOC_BODY) continue;
        xgroup g = children_named(x->a, e, member_xml_name(x, m));
        if (g.n) {
            jv v;
            if (parse_shape(x, m->shape, g, &v) != 0) return -1;
            jvb_set(&b, m->name, strlen(m->name), v);
        } else if (m->xml_attribute) {
            const char *an = strchr(m->wire, ':') ? strchr(m->wire, ':') + 1 : m->wire;
            xmlChar *av = xmlGetProp(e, (const xmlChar *)an);
            if (av) jvb_set(&b, m->name, strlen(m->name), jv_cstr(x->a, (const char *)av));
            xmlFree(av);
        }
    }
    *out = jvb_done(&b);
    return 0;
}

static int parse_list(xctx *x, const aws_shape *sh, xgroup g, jv *out)
{
    xgroup items = (sh->flags & SHF_FLATTENED) ? g : all_children(x->a, g.v[0]);
    jv_builder b;
    jvb_array(&b, x->a);
    for (size_t i = 0; i < items.n; i++) {
        jv v;
        if (parse_shape(x, sh->member, (xgroup){&items.v[i], 1}, &v) != 0) return -1;
        jvb_push(&b, v);
    }
    *out = jvb_done(&b);
    return 0;
}

static int parse_map(xctx *x, const aws_shape *sh, xgroup g, jv *out)
{
    xgroup entries = (sh->flags & SHF_FLATTENED) ? g : all_children(x->a, g.v[0]);
    const char *kn = sh->member_wire ? sh->member_wire : "key";
    const char *vn = sh->value_wire ? sh->value_wire : "value";
    jv_builder b;
    jvb_object(&b, x->a);
    for (size_t i = 0; i < entries.n; i++) {
        jv k = jv_null(), v = jv_null();
        for (xmlNode *c = entries.v[i]->children; c; c = c->next) {
            if (!is_elem(c)) continue;
            xgroup one = {&c, 1};
            if (strcmp(tag(c), kn) == 0) {
                if (parse_shape(x, sh->member, one, &k) != 0) return -1;
            } else if (strcmp(tag(c), vn) == 0) {
                if (parse_shape(x, sh->value, one, &v) != 0) return -1;
            } else {
                buf_printf(x->err, "line %d: unknown tag <%s> in a map entry", c->line, tag(c));
                return -1;
            }
        }
        if (jv_is(&k, JV_STRING)) jvb_set(&b, k.u.str, k.len, v);
    }
    *out = jvb_done(&b);
    return 0;
}

static int hexv(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* URL-decoded, then parsed as JSON; the string as it was when either fails
 * (botocore's decode_quoted_jsondoc). */
static jv policy_doc(arena *a, jv t)
{
    char *d = arena_alloc_packed(a, t.len + 1);
    size_t n = 0;
    for (size_t i = 0; i < t.len; i++) {
        if (t.u.str[i] == '%' && i + 2 < t.len && hexv(t.u.str[i + 1]) >= 0 &&
            hexv(t.u.str[i + 2]) >= 0) {
            d[n++] = (char)(hexv(t.u.str[i + 1]) * 16 + hexv(t.u.str[i + 2]));
            i += 2;
        } else {
            d[n++] = t.u.str[i];
        }
    }
    d[n] = 0;
    jv v;
    json_error je;
    return json_parse(a, d, n, &v, &je) == 0 ? v : t;
}

static int parse_scalar(xctx *x, const aws_shape *sh, xmlNode *e, jv *out)
{
    jv t = text_of(x->a, e);
    char *end = NULL;
    switch (sh->type) {
    case SH_INT: {
        long long v = strtoll(t.u.str, &end, 10);
        if (!t.len || *end) {
            buf_printf(x->err, "line %d: <%s> is not an integer", e->line, tag(e));
            return -1;
        }
        *out = jv_int(v);
        return 0;
    }
    case SH_FLOAT: {
        double d = strtod(t.u.str, &end);
        if (!t.len || *end) {
            buf_printf(x->err, "line %d: <%s> is not a number", e->line, tag(e));
            return -1;
        }
        *out = jv_num(d);
        return 0;
    }
    case SH_BOOL:
        *out = jv_bool(strcmp(t.u.str, "true") == 0);
        return 0;
    default: /* string, timestamp, blob: as received */
        *out = (sh->flags & SHF_POLICY_DOC) ? policy_doc(x->a, t) : t;
        return 0;
    }
}

static int parse_shape(xctx *x, int shape, xgroup g, jv *out)
{
    const aws_shape *sh = aws_shape_at(x->s, shape);
    if (!sh || !g.n) {
        buf_printf(x->err, "bad shape %d", shape);
        return -1;
    }
    if (++x->depth > 64) {
        buf_printf(x->err, "line %d: XML nested too deeply", g.v[0]->line);
        return -1;
    }
    int rc;
    switch (sh->type) {
    case SH_STRUCT:
        rc = parse_struct(x, sh, g.v[0], out);
        break;
    case SH_LIST:
        rc = parse_list(x, sh, g, out);
        break;
    case SH_MAP:
        rc = parse_map(x, sh, g, out);
        break;
    default:
        rc = parse_scalar(x, sh, g.v[0], out);
        break;
    }
    x->depth--;
    return rc;
}

static xmlDoc *read_xml(const char *text, size_t len, buf *err)
{
    if (len > (size_t)INT32_MAX) {
        buf_puts(err, "XML response too large");
        return NULL;
    }
    xmlDoc *d = xmlReadMemory(text, (int)len, "response.xml", NULL,
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!d) {
        const xmlError *e = xmlGetLastError();
        buf_printf(err, "invalid XML (line %d): %s", e ? e->line : 0,
                   e && e->message ? e->message : "parse error");
        /* libxml2 messages end with a newline */
        while (err->len && (err->data[err->len - 1] == '\n'))
            err->data[--err->len] = 0;
        xmlResetLastError();
    }
    return d;
}

/* An empty body parses as an empty element (botocore: Element('')). */
static bool blank(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (text[i] != ' ' && text[i] != '\n' && text[i] != '\r' && text[i] != '\t') return false;
    return true;
}

int aws_xml_to_json(arena *a, const aws_service *s, int shape, const char *wrapper,
                    const char *text, size_t len, jv *out, buf *err)
{
    xctx x = {a, s, err, 0};
    if (blank(text, len)) {
        xmlNode empty = {.type = XML_ELEMENT_NODE, .name = (const xmlChar *)""};
        xmlNode *p = &empty;
        return parse_shape(&x, shape, (xgroup){&p, 1}, out);
    }
    xmlDoc *d = read_xml(text, len, err);
    if (!d) return -1;
    xmlNode *root = xmlDocGetRootElement(d);
    int rc = -1;
    if (!root) {
        buf_puts(err, "XML response has no root element");
    } else {
        xmlNode *start = root;
        if (wrapper) {
            start = NULL;
            for (xmlNode *c = root->children; c && !start; c = c->next)
                if (is_elem(c) && strcmp(tag(c), wrapper) == 0) start = c;
        }
        if (!start) {
            *out = jv_object(a, 0);
            rc = 0;
        } else {
            rc = parse_shape(&x, shape, (xgroup){&start, 1}, out);
        }
    }
    xmlFreeDoc(d);
    return rc;
}

int aws_xml_root_text(arena *a, const char *text, size_t len, const char **out, buf *err)
{
    *out = NULL;
    if (blank(text, len)) return 0;
    xmlDoc *d = read_xml(text, len, err);
    if (!d) return -1;
    xmlNode *root = xmlDocGetRootElement(d);
    if (root) {
        xmlChar *t = xmlNodeGetContent(root);
        if (t && *t) *out = arena_strdup(a, (const char *)t);
        xmlFree(t);
    }
    xmlFreeDoc(d);
    return 0;
}

static xmlNode *find_elem(xmlNode *n, const char *name, int depth)
{
    for (; n && depth < 8; n = n->next) {
        if (!is_elem(n)) continue;
        if (strcmp(tag(n), name) == 0) return n;
        xmlNode *c = find_elem(n->children, name, depth + 1);
        if (c) return c;
    }
    return NULL;
}

bool aws_xml_error(const char *text, size_t len, char *code, size_t codesz, char *msg, size_t msgsz)
{
    if (blank(text, len) || len > (size_t)INT32_MAX) return false;
    xmlDoc *d = xmlReadMemory(text, (int)len, "error.xml", NULL,
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!d) {
        xmlResetLastError();
        return false;
    }
    xmlNode *root = xmlDocGetRootElement(d);
    xmlNode *c = find_elem(root, "Code", 0), *m = find_elem(root, "Message", 0);
    bool ok = c != NULL;
    if (c) {
        xmlChar *t = xmlNodeGetContent(c);
        snprintf(code, codesz, "%s", t ? (const char *)t : "");
        xmlFree(t);
    }
    if (m) {
        xmlChar *t = xmlNodeGetContent(m);
        snprintf(msg, msgsz, "%s", t ? (const char *)t : "");
        xmlFree(t);
    }
    xmlFreeDoc(d);
    return ok;
}
