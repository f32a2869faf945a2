/* auth.c - token, sessions, CSRF; see auth.h.
 *
 * Sessions are a fixed array under a mutex: a dashboard has a handful of
 * writers, and a fixed table cannot be grown without bound by someone
 * posting logins.  Lookups compare the given id against every slot in
 * constant time, so neither the match position nor a prefix match shows
 * in the response time.  Secrets come from getrandom(2); if it fails the
 * login fails rather than falling back to something guessable.
 */
#include "web/auth.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "util/buf.h"

typedef struct session {
    char sid[WEB_SECRET_HEX], csrf[WEB_SECRET_HEX];
    char name[WEB_NAME_MAX];
    int64_t created; /* 0 = free slot */
} session;

struct web_auth {
    char *token;
    pthread_mutex_t mu;
    session s[WEB_MAX_SESSIONS];
};

bool web_ct_equal(const char *x, const char *y)
{
    size_t nx = strlen(x), ny = strlen(y);
    size_t n = nx > ny ? nx : ny;
    unsigned char diff = (unsigned char)(nx != ny);
    for (size_t i = 0; i < n; i++) {
        unsigned char cx = i < nx ? (unsigned char)x[i] : 0;
        unsigned char cy = i < ny ? (unsigned char)y[i] : 0;
        diff |= (unsigned char)(cx ^ cy);
    }
    return diff == 0;
}

web_auth *web_auth_new_token(const char *token)
{
    web_auth *a = calloc(1, sizeof *a);
    if (!a) return NULL;
    a->token = strdup(token);
    pthread_mutex_init(&a->mu, NULL);
    return a;
}

static char *trimmed(char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

static int fail(char **err, const char *fmt, const char *path, const char *detail)
{
    if (asprintf(err, fmt, path, detail) < 0) *err = NULL;
    return -1;
}

int web_auth_new(const char *path, web_auth **out, char **err)
{
    *out = NULL;
    struct stat st;
    if (stat(path, &st) < 0)
        return fail(err, "cannot read token file %s: %s", path, strerror(errno));
    if (st.st_mode & 077)
        return fail(err, "token file %s is readable by other users (chmod 600 %s)", path, path);
    size_t len;
    char *text = read_file(path, &len);
    if (!text) return fail(err, "cannot read token file %s: %s", path, strerror(errno));
    bool has_nul = strlen(text) != len;
    const char *tok = trimmed(text);
    if (has_nul || strlen(tok) < 16 || strpbrk(tok, " \t\r\n")) {
        free(text);
        return fail(err, "token file %s must hold one token of at least 16 characters%s", path,
                    " (no spaces)");
    }
    *out = web_auth_new_token(tok);
    free(text);
    return *out ? 0 : -1;
}

void web_auth_free(web_auth *a)
{
    if (!a) return;
    pthread_mutex_destroy(&a->mu);
    if (a->token) memset(a->token, 0, strlen(a->token));
    free(a->token);
    free(a);
}

bool web_auth_token_ok(const web_auth *a, const char *token)
{
    return a && token && web_ct_equal(a->token, token);
}

static int random_hex(char out[WEB_SECRET_HEX])
{
    unsigned char raw[32];
    size_t got = 0;
    while (got < sizeof raw) {
        ssize_t r = getrandom(raw + got, sizeof raw - got, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        got += (size_t)r;
    }
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < sizeof raw; i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[64] = '\0';
    return 0;
}

int web_auth_login(web_auth *a, const char *name, int64_t now, char sid[WEB_SECRET_HEX],
                   char csrf[WEB_SECRET_HEX])
{
    if (random_hex(sid) < 0 || random_hex(csrf) < 0) return -1;
    pthread_mutex_lock(&a->mu);
    size_t slot = 0;
    for (size_t i = 0; i < WEB_MAX_SESSIONS; i++) {
        session *s = &a->s[i];
        if (!s->created || now - s->created >= WEB_SESSION_SECONDS) {
            slot = i;
            break;
        }
        if (s->created < a->s[slot].created) slot = i;
    }
    session *s = &a->s[slot];
    memcpy(s->sid, sid, WEB_SECRET_HEX);
    memcpy(s->csrf, csrf, WEB_SECRET_HEX);
    snprintf(s->name, sizeof s->name, "%s", name ? name : "");
    s->created = now ? now : 1;
    pthread_mutex_unlock(&a->mu);
    return 0;
}

static bool well_formed(const char *sid)
{
    if (!sid || strlen(sid) != 64) return false;
    for (const char *p = sid; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) return false;
    return true;
}

/* Index of the session with this id (live at `now` unless any_age), or
 * -1; caller holds the lock.  Looks at every slot whatever it finds. */
static int find(web_auth *a, const char *sid, int64_t now, bool any_age)
{
    int hit = -1;
    for (int i = 0; i < WEB_MAX_SESSIONS; i++) {
        const session *s = &a->s[i];
        bool live = s->created && (any_age || now - s->created < WEB_SESSION_SECONDS);
        if (web_ct_equal(s->sid, sid) && live) hit = i;
    }
    return hit;
}

bool web_auth_session(web_auth *a, const char *sid, int64_t now, char csrf[WEB_SECRET_HEX],
                      char name[WEB_NAME_MAX])
{
    if (!a || !well_formed(sid)) return false;
    pthread_mutex_lock(&a->mu);
    int i = find(a, sid, now, false);
    if (i >= 0) {
        memcpy(csrf, a->s[i].csrf, WEB_SECRET_HEX);
        memcpy(name, a->s[i].name, WEB_NAME_MAX);
    }
    pthread_mutex_unlock(&a->mu);
    return i >= 0;
}

void web_auth_logout(web_auth *a, const char *sid)
{
    if (!a || !well_formed(sid)) return;
    pthread_mutex_lock(&a->mu);
    int i = find(a, sid, 0, true);
    if (i >= 0) memset(&a->s[i], 0, sizeof a->s[i]);
    pthread_mutex_unlock(&a->mu);
}
