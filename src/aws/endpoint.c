/* endpoint.c - where each service is reached, as the SDKs decide.
 *
 * In order (unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true):
 *   AWS_ENDPOINT_URL_<SERVICE>  SERVICE = the model's serviceId upper-cased,
 *                               spaces as '_' (AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2)
 *   AWS_ENDPOINT_URL
 *   endpoint_url of the profile in the shared config file
 * then the public endpoint: https://<prefix>.<region>.amazonaws.com, with
 * the global ones for IAM (iam.amazonaws.com), S3 in us-east-1
 * (s3.amazonaws.com) and Organizations, which sign for us-east-1.  Regions
 * cn-* use amazonaws.com.cn.  A custom endpoint signs for the call's region.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws_internal.h"

const char *aws_profile_value(const char *profile, const char *key); /* creds.c */

static void env_name(const char *service_id, char *out, size_t n)
{
    size_t k = snprintf(out, n, "AWS_ENDPOINT_URL_");
    for (const char *p = service_id; *p && k + 1 < n; p++)
        out[k++] = *p == ' ' || *p == '-' ? '_' : (char)toupper((unsigned char)*p);
    out[k] = 0;
}

static bool valid_url(const char *u)
{
    return strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0;
}

int aws_endpoint_resolve(const char *client, const char *region, const char *profile,
                         aws_endpoint *out, buf *err)
{
    memset(out, 0, sizeof *out);
    const aws_service *s = aws_service_find(client);
    if (!s) {
        buf_printf(err, "unknown service %s", client);
        return -1;
    }
    if (!region || !*region) region = "us-east-1";
    snprintf(out->signing_region, sizeof out->signing_region, "%s", region);
    const char *ign = getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    if (!ign || strcmp(ign, "true") != 0) {
        char name[128];
        env_name(s->service_id, name, sizeof name);
        const char *u = getenv(name);
        const char *from = name;
        if (!u || !*u) u = getenv("AWS_ENDPOINT_URL"), from = "AWS_ENDPOINT_URL";
        if (!u || !*u) u = aws_profile_value(profile, "endpoint_url"), from = "endpoint_url";
        if (u && *u) {
            if (!valid_url(u)) {
                buf_printf(err, "%s: not an http(s) URL: %s", from, u);
                return -1;
            }
            snprintf(out->url, sizeof out->url, "%s", u);
            size_t l = strlen(out->url);
            while (l > 8 && out->url[l - 1] == '/')
                out->url[--l] = 0;
            out->custom = true;
            return 0;
        }
    }
    const char *dns = strncmp(region, "cn-", 3) == 0 ? "amazonaws.com.cn" : "amazonaws.com";
    if (strcmp(client, "iam") == 0 || strcmp(client, "organizations") == 0) {
        snprintf(out->url, sizeof out->url, "https://%s.%s%s", s->endpoint_prefix,
                 strcmp(client, "organizations") == 0 ? "us-east-1." : "", dns);
        snprintf(out->signing_region, sizeof out->signing_region, "us-east-1");
    } else if (strcmp(client, "s3") == 0 && strcmp(region, "us-east-1") == 0) {
        snprintf(out->url, sizeof out->url, "https://s3.%s", dns);
    } else {
        snprintf(out->url, sizeof out->url, "https://%s.%s.%s", s->endpoint_prefix, region, dns);
    }
    return 0;
}
