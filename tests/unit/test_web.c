/* test_web.c - the dashboard's building blocks: request parsing, HTML
 * escaping and URL encoding, routing, sessions and CSRF, Markdown, assets. */
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>

#include "t.h"
#include "util/arena.h"
#include "util/buf.h"
#include "web/assets.h"
#include "web/auth.h"
#include "web/html.h"
#include "web/jsonw.h"
#include "web/markdown.h"
#include "web/markdown.h"
#include "web/page.h"
#include "web/parse.h"
#include "web/router.h"

static arena *A;

TEST(url_decode_strict)
{
    CHECK_STR(web_url_decode(A, "a%20b+c", 7, true), "a b c");
    CHECK_STR(web_url_decode(A, "a%20b+c", 7, false), "a b+c");
    CHECK_STR(web_url_decode(A, "%C3%A9t%C3%A9", 13, false), "\xc3\xa9t\xc3\xa9");
    CHECK(web_url_decode(A, "%", 1, false) == NULL);
    CHECK(web_url_decode(A, "%4", 2, false) == NULL);
    CHECK(web_url_decode(A, "%zz", 3, false) == NULL);
    CHECK(web_url_decode(A, "%00", 3, false) == NULL);       /* NUL */
    CHECK(web_url_decode(A, "%1b", 3, false) == NULL);       /* ESC */
    CHECK(web_url_decode(A, "%C3", 3, false) == NULL);       /* truncated UTF-8 */
    CHECK(web_url_decode(A, "%C0%AF", 6, false) == NULL);    /* overlong "/" */
    CHECK(web_url_decode(A, "%ED%A0%80", 9, false) == NULL); /* surrogate */
    CHECK_STR(web_url_decode(A, "a%0Ab", 5, false), "a\nb");
}

TEST(split_target)
{
    char **seg;
    size_t n;
    const char *q;
    CHECK(web_split_target(A, "/", 1, &seg, &n, &q) == 0 && n == 0 && !strcmp(q, ""));
    CHECK(web_split_target(A, "/team/a%2Fb?x=1&y", 17, &seg, &n, &q) == 0);
    CHECK(n == 2);
    CHECK_STR(seg[0], "team");
    CHECK_STR(seg[1], "a/b");
    CHECK_STR(q, "x=1&y");
    CHECK(web_split_target(A, "/?a=b", 5, &seg, &n, &q) == 0 && n == 0 && !strcmp(q, "a=b"));
    CHECK(web_split_target(A, "team", 4, &seg, &n, &q) < 0);
    CHECK(web_split_target(A, "", 0, &seg, &n, &q) < 0);
    CHECK(web_split_target(A, "/a//b", 5, &seg, &n, &q) < 0);
    CHECK(web_split_target(A, "/a/", 3, &seg, &n, &q) == 0 && n == 1 && !strcmp(seg[0], "a"));
    CHECK(web_split_target(A, "/a//", 4, &seg, &n, &q) < 0);
    CHECK(web_split_target(A, "/a/../b", 7, &seg, &n, &q) < 0);
    CHECK(web_split_target(A, "/a/%2e%2e/b", 11, &seg, &n, &q) < 0);
    CHECK(web_split_target(A, "/a%zz", 5, &seg, &n, &q) < 0);
    CHECK(web_split_target(A, "/a#x", 4, &seg, &n, &q) < 0);
    const char *deep = "/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17";
    CHECK(web_split_target(A, deep, strlen(deep), &seg, &n, &q) < 0);
}

TEST(parse_form)
{
    web_kvlist l;
    const char *s = "team=pay+ments&severity=high&&empty=&flag&x=%3Cscript%3E";
    CHECK(web_parse_form(A, s, strlen(s), &l) == 0);
    CHECK(l.n == 5);
    CHECK_STR(web_kv_get(&l, "team"), "pay ments");
    CHECK_STR(web_kv_get(&l, "empty"), "");
    CHECK_STR(web_kv_get(&l, "flag"), "");
    CHECK_STR(web_kv_get(&l, "x"), "<script>");
    CHECK(web_kv_get(&l, "nope") == NULL);
    CHECK(web_parse_form(A, "a=%", 3, &l) < 0);
    CHECK(web_parse_form(A, "", 0, &l) == 0 && l.n == 0);
    buf many = BUF_INIT;
    for (int i = 0; i <= WEB_MAX_PARAMS; i++)
        buf_printf(&many, "k%d=v&", i);
    CHECK(web_parse_form(A, many.data, many.len, &l) < 0);
    buf_free(&many);
}

TEST(parse_cookies)
{
    web_kvlist l;
    const char *h = " custos_session=abc ; other=\"q\";novalue; =x;b=2";
    CHECK(web_parse_cookies(A, h, strlen(h), &l) == 0);
    CHECK(l.n == 3);
    CHECK_STR(web_kv_get(&l, "custos_session"), "abc");
    CHECK_STR(web_kv_get(&l, "other"), "q");
    CHECK_STR(web_kv_get(&l, "b"), "2");
}

TEST(accept_negotiation)
{
    CHECK(!web_accept_json(NULL));
    CHECK(!web_accept_json("*/*"));
    CHECK(web_accept_json("application/json"));
    CHECK(web_accept_json("Application/JSON; charset=utf-8"));
    CHECK(!web_accept_json("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"));
    CHECK(!web_accept_json("text/html, application/json"));
    CHECK(web_accept_json("application/json, text/html"));
    CHECK(web_accept_json("text/html;q=0.5, application/json"));
    CHECK(!web_accept_json("application/json;q=0"));
    CHECK(!web_accept_json("application/json;q=0.2, text/html;q=0.3"));
}

TEST(bearer)
{
    CHECK_STR(web_bearer_token(A, "Bearer abc123"), "abc123");
    CHECK_STR(web_bearer_token(A, "bearer   tok  "), "tok");
    CHECK(web_bearer_token(A, "Basic abc") == NULL);
    CHECK(web_bearer_token(A, "Bearer ") == NULL);
    CHECK(web_bearer_token(A, NULL) == NULL);
}

TEST(html_escaping)
{
    buf b = BUF_INIT;
    html_esc(&b, "<script>alert('x')</script> & \"q\"");
    CHECK_STR(b.data, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
    buf_reset(&b);
    html_printf(&b, "<a href=\"/team/%u?q=%u\" title=\"%s\">%s</a>%r %d %l 100%%", "a/b c", "\"&'",
                "x\"y", "<b>", "<br>", -3, (int64_t)1 << 40);
    CHECK_STR(b.data, "<a href=\"/team/a%2Fb%20c?q=%22%26%27\" title=\"x&quot;y\">&lt;b&gt;</a>"
                      "<br> -3 1099511627776 100%");
    buf_reset(&b);
    html_printf(&b, "%s|%u|%r|%q", (const char *)NULL, (const char *)NULL, (const char *)NULL);
    CHECK_STR(b.data, "|||?");
    buf_reset(&b);
    web_url_encode(&b, "AZaz09-_.~ /?#\xc3\xa9");
    CHECK_STR(b.data, "AZaz09-_.~%20%2F%3F%23%C3%A9");
    buf_free(&b);
}

static const web_route ROUTES[] = {
    {"GET", "/", 1},          {"GET", "/team/*", 2},
    {"GET", "/finding/*", 3}, {"POST", "/finding/*/suppress", 4},
    {"GET", "/login", 5},     {"POST", "/login", 6},
};

static route_result route(const char *method, const char *target, route_match *m)
{
    char **seg;
    size_t n;
    const char *q;
    if (web_split_target(A, target, strlen(target), &seg, &n, &q) < 0) return (route_result)-1;
    return web_route_find(ROUTES, sizeof ROUTES / sizeof ROUTES[0], method, seg, n, m);
}

TEST(routing)
{
    route_match m;
    CHECK(route("GET", "/", &m) == ROUTE_FOUND && m.route->id == 1 && m.nparam == 0);
    CHECK(route("HEAD", "/", &m) == ROUTE_FOUND && m.route->id == 1);
    CHECK(route("GET", "/team/a%2Fb", &m) == ROUTE_FOUND && m.route->id == 2);
    CHECK(m.nparam == 1);
    CHECK_STR(m.param[0], "a/b");
    CHECK(route("GET", "/team", &m) == ROUTE_NOT_FOUND);
    CHECK(route("GET", "/team/x/y", &m) == ROUTE_NOT_FOUND);
    CHECK(route("GET", "/nope", &m) == ROUTE_NOT_FOUND);
    CHECK(route("POST", "/", &m) == ROUTE_BAD_METHOD);
    CHECK_STR(m.allow, "GET, HEAD");
    CHECK(route("GET", "/finding/abc/suppress", &m) == ROUTE_BAD_METHOD);
    CHECK_STR(m.allow, "POST");
    CHECK(route("POST", "/finding/abc/suppress", &m) == ROUTE_FOUND && m.route->id == 4);
    CHECK_STR(m.param[0], "abc");
    CHECK(route("DELETE", "/login", &m) == ROUTE_BAD_METHOD);
    CHECK_STR(m.allow, "GET, HEAD, POST");
}

TEST(sessions_and_csrf)
{
    CHECK(web_ct_equal("abc", "abc"));
    CHECK(!web_ct_equal("abc", "abd"));
    CHECK(!web_ct_equal("abc", "abcd"));
    CHECK(!web_ct_equal("", "a"));
    CHECK(web_ct_equal("", ""));
    web_auth *a = web_auth_new_token("s3cret-token-0123456789");
    CHECK(web_auth_token_ok(a, "s3cret-token-0123456789"));
    CHECK(!web_auth_token_ok(a, "s3cret-token-012345678"));
    CHECK(!web_auth_token_ok(a, NULL));
    char sid[WEB_SECRET_HEX], csrf[WEB_SECRET_HEX], sid2[WEB_SECRET_HEX], csrf2[WEB_SECRET_HEX];
    char got[WEB_SECRET_HEX], name[WEB_NAME_MAX];
    CHECK(web_auth_login(a, "alice", 1000, sid, csrf) == 0);
    CHECK(web_auth_login(a, "bob", 1000, sid2, csrf2) == 0);
    CHECK(strlen(sid) == 64 && strcmp(sid, sid2) && strcmp(sid, csrf));
    CHECK(web_auth_session(a, sid, 2000, got, name));
    CHECK_STR(got, csrf);
    CHECK_STR(name, "alice");
    CHECK(web_auth_session(a, sid2, 2000, got, name) && !strcmp(name, "bob"));
    CHECK(!web_auth_session(a, sid, 1000 + WEB_SESSION_SECONDS, got, name)); /* expired */
    char wrong[WEB_SECRET_HEX];
    memcpy(wrong, sid, sizeof wrong);
    wrong[10] = wrong[10] == 'a' ? 'b' : 'a';
    CHECK(!web_auth_session(a, wrong, 2000, got, name));
    CHECK(!web_auth_session(a, "short", 2000, got, name));
    CHECK(!web_auth_session(a, NULL, 2000, got, name));
    web_auth_logout(a, sid);
    CHECK(!web_auth_session(a, sid, 2000, got, name));
    CHECK(web_auth_session(a, sid2, 2000, got, name));
    /* The table is bounded: the oldest session goes first. */
    for (int i = 0; i < WEB_MAX_SESSIONS; i++)
        CHECK(web_auth_login(a, "x", 3000 + i, sid, csrf) == 0);
    CHECK(!web_auth_session(a, sid2, 3000 + WEB_MAX_SESSIONS, got, name));
    CHECK(web_auth_session(a, sid, 3000 + WEB_MAX_SESSIONS, got, name));
    web_auth_free(a);
}

TEST(token_file)
{
    const char *path = "build/test-web-token";
    web_auth *a = NULL;
    char *err = NULL;
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f) return;
    fputs("  0123456789abcdef-token\n", f);
    fclose(f);
    CHECK(chmod(path, 0644) == 0);
    CHECK(web_auth_new(path, &a, &err) < 0 && err && strstr(err, "chmod 600"));
    free(err);
    err = NULL;
    CHECK(chmod(path, 0600) == 0);
    CHECK(web_auth_new(path, &a, &err) == 0 && a);
    CHECK(web_auth_token_ok(a, "0123456789abcdef-token"));
    web_auth_free(a);
    f = fopen(path, "w");
    fputs("short\n", f);
    fclose(f);
    CHECK(web_auth_new(path, &a, &err) < 0 && err && strstr(err, "at least 16"));
    free(err);
    err = NULL;
    CHECK(web_auth_new("build/no-such-token-file", &a, &err) < 0 && err);
    free(err);
    remove(path);
}

TEST(markdown_safe_with_copy_buttons)
{
    buf b = BUF_INIT;
    const char *md = "# Fix\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n"
                     "```sh\naws ec2 revoke --group-id 'sg-<1>'\n```\n\nDone & verified.\n";
    web_markdown(&b, md, strlen(md));
    CHECK(strstr(b.data, "<h1>Fix</h1>") != NULL);
    CHECK(strstr(b.data, "<script>") == NULL);
    CHECK(strstr(b.data, "javascript:") == NULL);
    CHECK(strstr(b.data, "<div class=\"code\"><button type=\"button\" class=\"copy\" hidden>Copy"
                         "</button><pre><code class=\"language-sh\">aws ec2 revoke --group-id "
                         "&#39;sg-&lt;1&gt;&#39;\n</code></pre></div>") ||
          strstr(b.data, "<div class=\"code\"><button type=\"button\" class=\"copy\" hidden>Copy"
                         "</button><pre><code class=\"language-sh\">aws ec2 revoke --group-id "
                         "'sg-&lt;1&gt;'\n</code></pre></div>"));
    CHECK(strstr(b.data, "Done &amp; verified.") != NULL);
    buf_free(&b);
}

TEST(fix_command_is_the_first_shell_block)
{
    arena *a = arena_new(0);
    const char *md = "**Fix**: do it:\n```python\nnot_this()\n```\n"
                     "```sh\naws ec2 x --group-id 'a b'\naws ec2 y\n```\n```sh\nlater\n```\n";
    CHECK_STR(web_fix_command(a, md), "aws ec2 x --group-id 'a b'\naws ec2 y");
    CHECK_STR(web_fix_command(a, "~~~bash\naws s3 ls\n~~~"), "aws s3 ls");
    CHECK(web_fix_command(a, "Sign in as root, then click Assign MFA.") == NULL);
    CHECK(web_fix_command(a, "`aws iam x` inline only") == NULL);
    CHECK(web_fix_command(a, NULL) == NULL);
    CHECK(web_fix_command(a, "```sh\n```\n") == NULL); /* empty block */
    arena_free(a);
}

TEST(assets_embedded)
{
    const web_asset *css = web_asset_find("app.css");
    CHECK(css && css->len > 1000 && strstr(css->body, ":focus") &&
          !strcmp(css->type, "text/css; charset=utf-8"));
    CHECK(css && strlen(css->etag) == 18 && css->etag[0] == '"');
    const web_asset *js = web_asset_find("app.js");
    CHECK(js && strstr(js->body, "button.copy") && strstr(js->type, "javascript"));
    const web_asset *icon = web_asset_find("favicon.svg");
    CHECK(icon && !strcmp(icon->type, "image/svg+xml"));
    CHECK(web_asset_find("../Makefile") == NULL);
    CHECK(web_asset_find("") == NULL);
}

TEST(json_writer)
{
    buf b = BUF_INIT;
    jw w;
    jw_init(&w, &b, A);
    jw_obj(&w);
    jw_kstr(&w, "s", "a\"<b>\n");
    jw_kint(&w, "n", -42);
    jw_key(&w, "arr");
    jw_arr(&w);
    jw_null(&w);
    jw_bool(&w, true);
    jw_json(&w, "[1, {\"x\": 2}]");
    jw_json(&w, "not json");
    jw_str(&w, NULL);
    jw_end(&w);
    jw_key(&w, "t");
    jw_time(&w, 86400);
    jw_key(&w, "none");
    jw_time(&w, 0);
    jw_key(&w, "empty");
    jw_obj(&w);
    jw_end(&w);
    jw_end(&w);
    CHECK_STR(b.data, "{\"s\":\"a\\\"<b>\\n\",\"n\":-42,\"arr\":[null,true,[1,{\"x\":2}],"
                      "\"not json\",null],\"t\":\"1970-01-02T00:00:00Z\",\"none\":null,"
                      "\"empty\":{}}");
    buf_free(&b);
}

TEST(words_for_people)
{
    CHECK_STR(web_status_colour(85, 3), "red");
    CHECK_STR(web_status_colour(70, 1), "red");
    CHECK_STR(web_status_colour(69, 1), "amber");
    CHECK_STR(web_status_colour(40, 1), "amber");
    CHECK_STR(web_status_colour(39, 1), "green");
    CHECK_STR(web_status_colour(99, 0), "green"); /* nothing open */
    CHECK_STR(web_age(A, 30), "just now");
    CHECK_STR(web_age(A, 60), "1 minute");
    CHECK_STR(web_age(A, 7200), "2 hours");
    CHECK_STR(web_age(A, 86400 * 3 + 5), "3 days");
    CHECK_STR(web_when(A, 0, 100), "never");
    CHECK_STR(web_when(A, 1000000000, 1000000000 + 7200), "2 hours ago (2001-09-09 01:46 UTC)");
    CHECK_STR(web_date(A, 1000000000), "2001-09-09");
    size_t n;
    const char **r = web_reasons(A, "[\"a\", 3, \"b<\"]", &n);
    CHECK(n == 2 && !strcmp(r[0], "a") && !strcmp(r[1], "b<") && r[2] == NULL);
    r = web_reasons(A, "oops", &n);
    CHECK(n == 0 && r[0] == NULL);
    r = web_reasons(A, NULL, &n);
    CHECK(n == 0);
}

int main(void)
{
    A = arena_new(0);
    RUN(url_decode_strict);
    RUN(split_target);
    RUN(parse_form);
    RUN(parse_cookies);
    RUN(accept_negotiation);
    RUN(bearer);
    RUN(html_escaping);
    RUN(routing);
    RUN(sessions_and_csrf);
    RUN(token_file);
    RUN(markdown_safe_with_copy_buttons);
    RUN(fix_command_is_the_first_shell_block);
    RUN(assets_embedded);
    RUN(json_writer);
    RUN(words_for_people);
    arena_free(A);
    T_EXIT();
}
