/* auth.h - who may write: the token, login sessions and CSRF tokens.
 *
 * Writes (suppress, unsuppress) are off unless `serve --allow-writes`, and
 * then need the secret from --token-file, given either
 *  - once on the /login form, which starts a session: a random 256-bit id
 *    in a cookie (HttpOnly, SameSite=Strict) and a second random 256-bit
 *    CSRF token that every form of that session carries; or
 *  - on each API request as "Authorization: Bearer TOKEN" (not ambient, so
 *    no CSRF token is needed).
 * Every secret comparison is constant-time.  Sessions live in memory (a
 * restart logs everyone out), at most WEB_MAX_SESSIONS (the oldest is
 * dropped), for WEB_SESSION_SECONDS.  Thread-safe.
 */
#ifndef CUSTOS_WEB_AUTH_H
#define CUSTOS_WEB_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WEB_MAX_SESSIONS 256
#define WEB_SESSION_SECONDS ((int64_t)12 * 3600)
#define WEB_SECRET_HEX 65 /* 64 hex digits and NUL */
#define WEB_NAME_MAX 64

typedef struct web_auth web_auth;

/* Reads the token (surrounding whitespace trimmed; at least 16
 * characters) from path, which must not be readable by group or others.
 * Returns 0, or -1 with a malloc'd message. */
int web_auth_new(const char *token_file, web_auth **out, char **err);
/* For tests: a token given directly. */
web_auth *web_auth_new_token(const char *token);
void web_auth_free(web_auth *a);

bool web_auth_token_ok(const web_auth *a, const char *token);

/* Starts a session for `name` (the author of suppressions, truncated to
 * WEB_NAME_MAX-1 bytes); fills its id and CSRF token.  Returns 0, or -1
 * when the system has no randomness to give. */
int web_auth_login(web_auth *a, const char *name, int64_t now, char sid[WEB_SECRET_HEX],
                   char csrf[WEB_SECRET_HEX]);
/* Finds a live session: fills its CSRF token and name.  False when the id
 * is unknown, malformed or expired. */
bool web_auth_session(web_auth *a, const char *sid, int64_t now, char csrf[WEB_SECRET_HEX],
                      char name[WEB_NAME_MAX]);
void web_auth_logout(web_auth *a, const char *sid);

/* Constant-time string equality (time depends only on the lengths). */
bool web_ct_equal(const char *x, const char *y);

#endif
