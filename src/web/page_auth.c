/* page_auth.c - /login and /logout.
 *
 * Logging in trades the dashboard's token (from --token-file) for a
 * session cookie: HttpOnly (scripts cannot read it), SameSite=Strict
 * (other sites cannot make the browser send it), Path=/, and a Max-Age
 * equal to the session's lifetime.  Not Secure: the server speaks plain
 * HTTP on loopback; put a TLS proxy in front to serve it further.
 * `next` is followed only when it is a path on this server, never a URL
 * elsewhere (no open redirect).
 */
#include <string.h>
#include <time.h>

#include "web/page.h"

#define COOKIE "custos_session"

static bool local_path(const char *p)
{
    if (!p || p[0] != '/' || p[1] == '/' || p[1] == '\\') return false;
    for (; *p; p++)
        if ((unsigned char)*p < 0x21 || *p == '\\' || *p == '"') return false;
    return true;
}

static void login_form(page_ctx *c, const char *next, const char *problem)
{
    buf *b = c->out;
    page_begin(c, "Log in", NAV_NONE);
    buf_puts(b, "<h1>Log in</h1>\n");
    if (!c->writes) {
        buf_puts(b, "<p>This dashboard is read-only: nobody can change findings from it. Start it "
                    "with <code>--allow-writes --token-file FILE</code> to allow suppressing "
                    "findings here.</p>\n");
        page_end(c);
        return;
    }
    if (problem)
        html_printf(b, "<div class=\"error-box\" role=\"alert\"><p>%s</p></div>\n", problem);
    if (c->logged_in)
        html_printf(b, "<p>You are signed in as %s.</p>\n",
                    c->user && *c->user ? c->user : "(no name)");
    html_printf(b,
                "<p>Logging in lets you suppress and unsuppress findings. The token is in the file "
                "given to <code>custos serve --token-file</code>; ask whoever runs the "
                "dashboard.</p>\n<form method=\"post\" action=\"/login\" class=\"stack\">\n"
                "<input type=\"hidden\" name=\"next\" value=\"%s\">\n"
                "<div><label for=\"token\">Access token</label><input id=\"token\" name=\"token\" "
                "type=\"password\" required autocomplete=\"current-password\" size=\"40\"></div>\n"
                "<div><label for=\"name\">Your name (recorded as the author of suppressions)"
                "</label><input id=\"name\" name=\"name\" maxlength=\"60\" "
                "autocomplete=\"name\"></div>\n<div><button type=\"submit\">Log in</button></div>\n"
                "</form>\n",
                local_path(next) ? next : "/");
    page_end(c);
}

void page_login_form(page_ctx *c)
{
    const char *next = web_kv_get(&c->rq->query, "next");
    if (c->json) {
        page_error(c, 404, "Not found", "Use the Bearer token with the API instead of logging in.");
        return;
    }
    login_form(c, next, NULL);
}

void page_login(page_ctx *c)
{
    const char *token = web_kv_get(&c->rq->form, "token");
    const char *name = web_kv_get(&c->rq->form, "name");
    const char *next = web_kv_get(&c->rq->form, "next");
    if (!web_auth_token_ok(c->auth, token)) {
        c->rs->status = 403;
        if (c->json)
            page_error(c, 403, "Wrong token", "That is not the dashboard's token.");
        else
            login_form(c, next, "That is not the dashboard's token. Check the token file.");
        return;
    }
    char sid[WEB_SECRET_HEX], csrf[WEB_SECRET_HEX];
    if (web_auth_login(c->auth, name ? name : "", (int64_t)time(NULL), sid, csrf) < 0) {
        page_error(c, 500, "Cannot log in", "The system gave no randomness for a session.");
        return;
    }
    web_resp_header(c->rs, "Set-Cookie",
                    arena_sprintf(c->a,
                                  COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld",
                                  sid, (long long)WEB_SESSION_SECONDS));
    page_redirect(c, local_path(next) ? arena_strdup(c->a, next) : "/");
}

void page_logout(page_ctx *c)
{
    const char *sid = web_kv_get(&c->rq->cookies, COOKIE);
    if (sid) web_auth_logout(c->auth, sid);
    web_resp_header(c->rs, "Set-Cookie", COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    page_redirect(c, "/");
}
