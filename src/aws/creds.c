/* creds.c - the SDKs' credential chain, STS, and one-off calls.
 *
 * aws_default_creds looks, in botocore's order, at:
 *   1. AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN);
 *   2. the profile (AWS_PROFILE, else "default") of the shared files
 *      (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/...):
 *      role_arn with source_profile (recursively, at most 8 deep) or
 *      credential_source (Environment, EcsContainer, Ec2InstanceMetadata),
 *      web_identity_token_file, static keys (credentials file first), then
 *      credential_process (its JSON: Version 1, AccessKeyId, ...);
 *   3. AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (EKS): STS
 *      AssumeRoleWithWebIdentity, unsigned;
 *   4. the ECS container endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI on
 *      169.254.170.2, or _FULL_URI with AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]);
 *   5. EC2 instance metadata, IMDSv2 (a PUT for the token first), at
 *      AWS_EC2_METADATA_SERVICE_ENDPOINT or 169.254.169.254, unless
 *      AWS_EC2_METADATA_DISABLED=true.
 * Messages name the source and the reason, never a key or token; secrets
 * are wiped when credentials are cleared.
 */
#include <curl/curl.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "aws/aws_internal.h"
#include "json/jv_date.h"
#include "util/date.h"

void aws_creds_clear(aws_creds *c)
{
    if (c->token) {
        OPENSSL_cleanse(c->token, strlen(c->token));
        free(c->token);
    }
    OPENSSL_cleanse(c, sizeof *c);
}

void aws_creds_copy(aws_creds *dst, const aws_creds *src)
{
    *dst = *src;
    if (src->token) {
        dst->token = strdup(src->token);
        if (!dst->token) abort();
    }
}

static int set_creds(aws_creds *c, const char *ak, const char *sk, const char *tok,
                     const char *expires, const char *source, buf *err)
{
    memset(c, 0, sizeof *c);
    if (!ak || !*ak || !sk || !*sk) {
        buf_printf(err, "%s: no access key id or secret access key", source);
        return -1;
    }
    if (strlen(ak) >= sizeof c->access_key || strlen(sk) >= sizeof c->secret_key) {
        buf_printf(err, "%s: access key id or secret too long", source);
        return -1;
    }
    snprintf(c->access_key, sizeof c->access_key, "%s", ak);
    snprintf(c->secret_key, sizeof c->secret_key, "%s", sk);
    if (tok && *tok) {
        c->token = strdup(tok);
        if (!c->token) abort();
    }
    double t;
    if (expires && *expires) {
        jv e = jv_str_nocopy(expires, strlen(expires));
        if (date_parse_jv(&e, &t)) c->expires = (time_t)t;
    }
    snprintf(c->source, sizeof c->source, "%s", source);
    return 0;
}

static bool not_found_suffix(const char *code, const char *suffix)
{
    size_t l = strlen(code), s = strlen(suffix);
    return l >= s && strcmp(code + l - s, suffix) == 0;
}

bool aws_code_not_found(const char *code)
{
    return strncmp(code, "NoSuch", 6) == 0 || not_found_suffix(code, "NotFound") ||
           not_found_suffix(code, "NotFoundException") || not_found_suffix(code, "NotFoundError") ||
           strcmp(code, "ServerSideEncryptionConfigurationNotFoundError") == 0 ||
           strcmp(code, "TrailNotFoundException") == 0;
}

/* ---- shared config ---- */

static pthread_mutex_t g_cfg_lock = PTHREAD_MUTEX_INITIALIZER;
static aws_ini *g_config, *g_credentials;
static char g_cfg_err[512];

static const char *home_file(const char *env, const char *rel, char *out, size_t n)
{
    const char *e = getenv(env);
    if (e && *e) return e;
    const char *home = getenv("HOME");
    snprintf(out, n, "%s/.aws/%s", home ? home : ".", rel);
    return out;
}

/* Loads both files once; -1 with the syntax error. */
static int load_shared(buf *err)
{
    pthread_mutex_lock(&g_cfg_lock);
    if (!g_config && !g_cfg_err[0]) {
        char p1[1024], p2[1024];
        buf e = BUF_INIT;
        g_config = aws_ini_load(home_file("AWS_CONFIG_FILE", "config", p1, sizeof p1), true, &e);
        if (g_config)
            g_credentials = aws_ini_load(
                home_file("AWS_SHARED_CREDENTIALS_FILE", "credentials", p2, sizeof p2), false, &e);
        if (!g_config || !g_credentials)
            snprintf(g_cfg_err, sizeof g_cfg_err, "%s", e.data ? e.data : "bad config");
        buf_free(&e);
    }
    int rc = g_cfg_err[0] ? -1 : 0;
    if (rc && err) buf_puts(err, g_cfg_err);
    pthread_mutex_unlock(&g_cfg_lock);
    return rc;
}

static const char *profile_name(const char *profile)
{
    if (profile && *profile) return profile;
    const char *p = getenv("AWS_PROFILE");
    return p && *p ? p : "default";
}

const char *aws_profile_value(const char *profile, const char *key)
{
    if (load_shared(NULL) != 0) return NULL;
    return aws_ini_get(g_config, profile_name(profile), key);
}

static const char *cred_value(const char *profile, const char *key)
{
    const char *v = aws_ini_get(g_credentials, profile, key);
    return v ? v : aws_ini_get(g_config, profile, key);
}

/* ---- one-off calls ---- */

static void call_done(aws_job *j, void *ctx)
{
    (void)j;
    *(int *)ctx = 1;
}

/* One job on a loop of its own: params, or the whole input. */
static int call_one(arena *a, const aws_creds *creds, const char *client, const char *operation,
                    const char *region, const char *profile, const aws_param *params,
                    size_t nparams, const jv *input, aws_result *res)
{
    memset(res, 0, sizeof *res);
    buf err = BUF_INIT;
    aws_cred_source cs = {0};
    if (creds)
        cs.creds = *creds;
    else
        cs.unsigned_calls = true;
    aws_job *j = aws_job_new(client, operation, region, profile, &cs, &err);
    if (!j) {
        snprintf(res->code, sizeof res->code, "InvalidConfiguration");
        snprintf(res->message, sizeof res->message, "%s", err.data ? err.data : "");
        buf_free(&err);
        return -1;
    }
    buf_free(&err);
    for (size_t i = 0; i < nparams; i++)
        aws_job_param(j, params[i].name, params[i].value);
    j->input = input;
    int done = 0;
    j->done = call_done;
    j->ctx = &done;
    aws_loop *l = aws_loop_new(1, 0);
    aws_loop_add(l, j);
    aws_loop_run(l);
    aws_loop_free(l);
    *res = j->res;
    int rc = res->code[0] ? -1 : 0;
    res->data = rc == 0 ? jv_copy(a, &j->res.data) : jv_null();
    aws_job_free(j);
    return rc;
}

int aws_call(arena *a, const aws_creds *creds, const char *client, const char *operation,
             const char *region, const char *profile, const aws_param *params, size_t nparams,
             aws_result *res)
{
    return call_one(a, creds, client, operation, region, profile, params, nparams, NULL, res);
}

int aws_call_input(arena *a, const aws_creds *creds, const char *client, const char *operation,
                   const char *region, const char *profile, const jv *input, aws_result *res)
{
    return call_one(a, creds, client, operation, region, profile, NULL, 0, input, res);
}

int aws_creds_from_sts(const jv *data, aws_creds *out, const char *source, buf *err)
{
    const jv *c = jv_get(data, "Credentials");
    const jv *ak = jv_get(c, "AccessKeyId"), *sk = jv_get(c, "SecretAccessKey"),
             *tok = jv_get(c, "SessionToken"), *exp = jv_get(c, "Expiration");
    if (!jv_is(ak, JV_STRING) || !jv_is(sk, JV_STRING)) {
        buf_printf(err, "%s: the STS answer has no Credentials", source);
        return -1;
    }
    char when[64] = "";
    if (jv_is(exp, JV_STRING)) snprintf(when, sizeof when, "%s", exp->u.str);
    if (jv_is(exp, JV_NUMBER)) {
        time_t t = (time_t)exp->u.num;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    return set_creds(out, ak->u.str, sk->u.str, jv_is(tok, JV_STRING) ? tok->u.str : NULL, when,
                     source, err);
}

int aws_assume_role(const aws_creds *base, const char *role_arn, const char *external_id,
                    const char *session, int duration, const char *region, aws_creds *out, buf *err)
{
    char dur[16];
    snprintf(dur, sizeof dur, "%d", duration > 0 ? duration : 3600);
    aws_param p[4] = {{"RoleArn", role_arn},
                      {"RoleSessionName", session && *session ? session : "custos"},
                      {"DurationSeconds", dur}};
    size_t n = 3;
    if (external_id && *external_id) p[n++] = (aws_param){"ExternalId", external_id};
    arena *a = arena_new(0);
    aws_result res;
    int rc =
        aws_call(a, base, "sts", "AssumeRole", region ? region : "us-east-1", NULL, p, n, &res);
    if (rc != 0)
        buf_printf(err, "AssumeRole %s: %s: %s", role_arn, res.code, res.message);
    else
        rc = aws_creds_from_sts(&res.data, out, "assumed role", err);
    arena_free(a);
    return rc;
}

/* ---- providers ---- */

static char *slurp(const char *path, buf *err, const char *what)
{
    size_t len = 0;
    char *t = read_file(path, &len);
    if (!t) {
        buf_printf(err, "%s: cannot read %s: %s", what, path, strerror(errno));
        return NULL;
    }
    while (len && (t[len - 1] == '\n' || t[len - 1] == '\r' || t[len - 1] == ' '))
        t[--len] = 0;
    return t;
}

static int web_identity(const char *token_file, const char *role, const char *session,
                        aws_creds *out, buf *err)
{
    char *tok = slurp(token_file, err, "web identity");
    if (!tok) return -1;
    aws_param p[3] = {{"RoleArn", role},
                      {"RoleSessionName", session && *session ? session : "custos"},
                      {"WebIdentityToken", tok}};
    arena *a = arena_new(0);
    aws_result res;
    int rc = aws_call(a, NULL, "sts", "AssumeRoleWithWebIdentity", "us-east-1", NULL, p, 3, &res);
    OPENSSL_cleanse(tok, strlen(tok));
    free(tok);
    if (rc != 0)
        buf_printf(err, "AssumeRoleWithWebIdentity %s: %s: %s", role, res.code, res.message);
    else
        rc = aws_creds_from_sts(&res.data, out, "web identity", err);
    arena_free(a);
    return rc;
}

/* Credentials JSON ({AccessKeyId, SecretAccessKey, Token|SessionToken,
 * Expiration}) as ECS, IMDS and credential_process give them. */
static int creds_json(const char *text, size_t len, const char *source, aws_creds *out, buf *err)
{
    arena *a = arena_new(0);
    jv d;
    json_error je;
    int rc = -1;
    if (json_parse(a, text, len, &d, &je) != 0 || !jv_is(&d, JV_OBJECT)) {
        buf_printf(err, "%s: the answer is not a JSON object", source);
    } else {
        const jv *ak = jv_get(&d, "AccessKeyId"), *sk = jv_get(&d, "SecretAccessKey"),
                 *tok = jv_get(&d, "Token"), *exp = jv_get(&d, "Expiration");
        if (!tok) tok = jv_get(&d, "SessionToken");
        rc = set_creds(out, jv_is(ak, JV_STRING) ? ak->u.str : NULL,
                       jv_is(sk, JV_STRING) ? sk->u.str : NULL,
                       jv_is(tok, JV_STRING) ? tok->u.str : NULL,
                       jv_is(exp, JV_STRING) ? exp->u.str : NULL, source, err);
    }
    arena_free(a);
    return rc;
}

static size_t to_buf(char *p, size_t s, size_t n, void *ud)
{
    buf_append(ud, p, s * n);
    return s * n;
}

/* A small blocking HTTP request (metadata services). */
static long http_simple(const char *method, const char *url, const char *const *headers,
                        long timeout_ms, buf *body)
{
    CURL *e = curl_easy_init();
    struct curl_slist *hl = NULL;
    for (; headers && *headers; headers++)
        hl = curl_slist_append(hl, *headers);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, to_buf);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    long status = 0;
    if (curl_easy_perform(e) == CURLE_OK) curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(e);
    return status;
}

static int ecs_creds(aws_creds *out, buf *err)
{
    const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    char url[1024], auth[2048] = "";
    if (rel && *rel)
        snprintf(url, sizeof url, "http://169.254.170.2%s", rel);
    else
        snprintf(url, sizeof url, "%s", full);
    const char *tok = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    const char *tokfile = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    char *ft = NULL;
    if (tokfile && *tokfile && !(ft = slurp(tokfile, err, "ECS container credentials"))) return -1;
    if (ft) tok = ft;
    if (tok && *tok) snprintf(auth, sizeof auth, "Authorization: %s", tok);
    const char *h[] = {auth[0] ? auth : NULL, NULL};
    buf body = BUF_INIT;
    long st = http_simple("GET", url, h, 2000, &body);
    if (ft) {
        OPENSSL_cleanse(ft, strlen(ft));
        free(ft);
    }
    OPENSSL_cleanse(auth, sizeof auth);
    int rc = -1;
    if (st != 200)
        buf_printf(err, "ECS container credentials: HTTP %ld from %s", st, url);
    else
        rc = creds_json(body.data, body.len, "ECS container", out, err);
    if (body.data) OPENSSL_cleanse(body.data, body.len);
    buf_free(&body);
    return rc;
}

static int imds_creds(aws_creds *out, buf *err)
{
    const char *base = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    if (!base || !*base) base = "http://169.254.169.254";
    char url[1024], th[1200];
    buf tok = BUF_INIT, role = BUF_INIT, body = BUF_INIT;
    snprintf(url, sizeof url, "%s/latest/api/token", base);
    const char *h1[] = {"X-aws-ec2-metadata-token-ttl-seconds: 21600", NULL};
    int rc = -1;
    if (http_simple("PUT", url, h1, 1000, &tok) != 200 || !tok.len) {
        buf_printf(err, "EC2 instance metadata: no IMDSv2 token from %s", base);
        goto out;
    }
    snprintf(th, sizeof th, "X-aws-ec2-metadata-token: %s", tok.data);
    const char *h2[] = {th, NULL};
    snprintf(url, sizeof url, "%s/latest/meta-data/iam/security-credentials/", base);
    if (http_simple("GET", url, h2, 1000, &role) != 200 || !role.len) {
        buf_printf(err, "EC2 instance metadata: no instance role");
        goto out;
    }
    char *nl = strchr(role.data, '\n');
    if (nl) *nl = 0;
    snprintf(url, sizeof url, "%s/latest/meta-data/iam/security-credentials/%s", base, role.data);
    if (http_simple("GET", url, h2, 1000, &body) != 200) {
        buf_printf(err, "EC2 instance metadata: no credentials for role %s", role.data);
        goto out;
    }
    rc = creds_json(body.data, body.len, "EC2 instance metadata", out, err);
out:
    OPENSSL_cleanse(th, sizeof th);
    if (body.data) OPENSSL_cleanse(body.data, body.len);
    buf_free(&tok);
    buf_free(&role);
    buf_free(&body);
    return rc;
}

static int process_creds(const char *cmd, const char *profile, aws_creds *out, buf *err)
{
    FILE *p = popen(cmd, "r");
    if (!p) {
        buf_printf(err, "profile %s: credential_process: cannot run: %s", profile, strerror(errno));
        return -1;
    }
    buf b = BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        buf_append(&b, chunk, n);
    int status = pclose(p);
    int rc = -1;
    char src[96];
    snprintf(src, sizeof src, "profile %s: credential_process", profile);
    if (status != 0)
        buf_printf(err, "%s exited with status %d", src,
                   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    else
        rc = creds_json(b.data ? b.data : "", b.len, src, out, err);
    if (b.data) OPENSSL_cleanse(b.data, b.len);
    buf_free(&b);
    return rc;
}

static int env_creds(aws_creds *out, buf *err)
{
    return set_creds(out, getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY"),
                     getenv("AWS_SESSION_TOKEN"), NULL, "environment", err);
}

static int container_or_imds(aws_creds *out, buf *err)
{
    const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    if ((rel && *rel) || (full && *full)) return ecs_creds(out, err);
    const char *dis = getenv("AWS_EC2_METADATA_DISABLED");
    if (dis && strcmp(dis, "true") == 0) {
        buf_puts(err, "no credentials: none in the environment, the shared files, web identity "
                      "or the ECS endpoint, and EC2 instance metadata is disabled");
        return -1;
    }
    return imds_creds(out, err);
}

static int profile_creds(const char *profile, int depth, aws_creds *out, buf *err);

static int role_source(const char *profile, int depth, aws_creds *src, buf *err)
{
    const char *sp = aws_ini_get(g_config, profile, "source_profile");
    const char *cs = aws_ini_get(g_config, profile, "credential_source");
    if (sp && strcmp(sp, profile) == 0) {
        char s[96];
        snprintf(s, sizeof s, "profile %s", profile);
        return set_creds(src, cred_value(profile, "aws_access_key_id"),
                         cred_value(profile, "aws_secret_access_key"),
                         cred_value(profile, "aws_session_token"), NULL, s, err);
    }
    if (sp) return profile_creds(sp, depth + 1, src, err);
    if (cs && strcmp(cs, "Environment") == 0) return env_creds(src, err);
    if (cs && strcmp(cs, "EcsContainer") == 0) return ecs_creds(src, err);
    if (cs && strcmp(cs, "Ec2InstanceMetadata") == 0) return imds_creds(src, err);
    buf_printf(err, "profile %s: role_arn needs source_profile or credential_source", profile);
    return -1;
}

static int profile_creds(const char *profile, int depth, aws_creds *out, buf *err)
{
    if (depth > 8) {
        buf_printf(err, "profile %s: source_profile chain too long (a loop?)", profile);
        return -1;
    }
    if (!aws_ini_has_profile(g_config, profile) && !aws_ini_has_profile(g_credentials, profile)) {
        buf_printf(err, "profile %s not found in the shared config or credentials file", profile);
        return -1;
    }
    const char *role = aws_ini_get(g_config, profile, "role_arn");
    const char *wit = aws_ini_get(g_config, profile, "web_identity_token_file");
    const char *session = aws_ini_get(g_config, profile, "role_session_name");
    if (role && wit) return web_identity(wit, role, session, out, err);
    if (role) {
        aws_creds src;
        if (role_source(profile, depth, &src, err) != 0) return -1;
        const char *dur = aws_ini_get(g_config, profile, "duration_seconds");
        int rc = aws_assume_role(&src, role, aws_ini_get(g_config, profile, "external_id"), session,
                                 dur ? atoi(dur) : 0, aws_ini_get(g_config, profile, "region"), out,
                                 err);
        aws_creds_clear(&src);
        if (rc == 0) snprintf(out->source, sizeof out->source, "profile %s (role)", profile);
        return rc;
    }
    if (cred_value(profile, "aws_access_key_id")) {
        char s[96];
        snprintf(s, sizeof s, "profile %s", profile);
        return set_creds(out, cred_value(profile, "aws_access_key_id"),
                         cred_value(profile, "aws_secret_access_key"),
                         cred_value(profile, "aws_session_token"), NULL, s, err);
    }
    const char *proc = aws_ini_get(g_config, profile, "credential_process");
    if (proc) return process_creds(proc, profile, out, err);
    buf_printf(err, "profile %s has no credentials (no keys, role_arn or credential_process)",
               profile);
    return -1;
}

int aws_default_creds(const char *profile, aws_creds *out, buf *err)
{
    memset(out, 0, sizeof *out);
    const char *ak = getenv("AWS_ACCESS_KEY_ID");
    if (ak && *ak && !(profile && *profile)) return env_creds(out, err);
    if (load_shared(err) != 0) return -1;
    const char *name = profile_name(profile);
    bool explicit_profile = (profile && *profile) || getenv("AWS_PROFILE");
    bool known = aws_ini_has_profile(g_config, name) || aws_ini_has_profile(g_credentials, name);
    /* botocore: a profile's role first, then web identity from the
     * environment, then the profile's keys or process. */
    if (known && aws_ini_get(g_config, name, "role_arn")) return profile_creds(name, 0, out, err);
    const char *wit = getenv("AWS_WEB_IDENTITY_TOKEN_FILE"), *role = getenv("AWS_ROLE_ARN");
    if (wit && *wit && role && *role)
        return web_identity(wit, role, getenv("AWS_ROLE_SESSION_NAME"), out, err);
    if (known) return profile_creds(name, 0, out, err);
    if (explicit_profile) {
        buf_printf(err, "profile %s not found in the shared config or credentials file", name);
        return -1;
    }
    return container_or_imds(out, err);
}

/* ---- conversion entry point for tools ---- */

int aws_parse_response(arena *a, const char *client, const char *operation, int status,
                       const char *headers, const char *body, size_t len, jv *out, buf *err)
{
    const aws_service *s = aws_service_find(client);
    const aws_operation *op = aws_operation_find(s, operation);
    if (!op) {
        buf_printf(err, "unknown operation %s %s", client, operation);
        return -1;
    }
    aws_http_response r = {status, headers, body, len};
    if (status >= 300) {
        char code[128], msg[512];
        aws_parse_error(s, &r, code, sizeof code, msg, sizeof msg);
        jv_builder e, b;
        jvb_object(&e, a);
        jvb_set(&e, "Code", 4, jv_cstr(a, code));
        jvb_set(&e, "Message", 7, jv_cstr(a, msg));
        jvb_object(&b, a);
        jvb_set(&b, "Error", 5, jvb_done(&e));
        *out = jvb_done(&b);
        return 0;
    }
    return aws_convert(a, s, op, &r, out, err);
}
