/* cmd_collect.c - `custos collect --accounts accounts.yaml --out DIR`, and
 * the hidden `custos _aws` tool the tests use (sign / parse).
 *
 * --shard I/N, --shards N and --shard auto collect only the shard's
 * accounts, chosen by cli_shard_of as `custos scan --shard` chooses them.
 *
 * collect prints a one-line summary on stderr (and a progress line while
 * running on a terminal) and exits 0 when everything was collected,
 * COLLECT_PARTIAL (5) when the inventory was written but some calls were
 * not collected (collection.json names them), 1 for a bad configuration
 * or when nothing could be written.
 *
 * `_aws sign`: one JSON request per stdin line ({method, path, query,
 * headers: [[name, value]...], body, region, service, date, access_key,
 * secret_key, s3}) -> one line {creq, sts, authz}.
 * `_aws parse CLIENT OPERATION STATUS [HEADERS-FILE] < BODY`: the CLI's JSON
 * for one raw response (or {"Error": {...}} for status >= 300).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/aws.h"
#include "cli/cli.h"
#include "cli/common.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: custos collect --accounts accounts.yaml --out DIR [options]\n"
               "\n"
               "Collects every account and region of accounts.yaml from AWS into DIR, the\n"
               "inventory layout `custos scan --inventory DIR` reads, plus DIR/collection.json\n"
               "(what was and was not collected).  Credentials: the AWS SDKs' chain, then\n"
               "AssumeRole into each account (collect: role / role_arn in accounts.yaml).\n"
               "\n"
               "  -a, --accounts FILE    accounts.yaml (with an optional collect: section)\n"
               "  -o, --out DIR          the inventory to write (replaced atomically)\n"
               "  -c, --concurrency N    requests in flight at once (default 64)\n"
               "      --max-attempts N   attempts per request (default 10, or $AWS_MAX_ATTEMPTS)\n"
               "      --timeout SECONDS  per request (default 30)\n"
               "      --retry-time SECONDS  retrying one request at most (default 30)\n"
               "      --profile NAME     the shared-config profile of the base credentials\n"
               "      --shard I/N        only shard I (0-based) of N: the accounts `custos scan\n"
               "                         --shard I/N` scans (custos shards lists them); 'auto':\n"
               "                         I and N from AWS Batch's array variables\n"
               "      --shards N         the same, I from $JOB_COMPLETION_INDEX (Kubernetes\n"
               "                         Indexed Jobs) or $AWS_BATCH_JOB_ARRAY_INDEX\n"
               "  -q, --quiet            no progress line\n"
               "\n"
               "Exit status: 0 everything collected, 5 partial (written; collection.json\n"
               "names what is missing), 1 bad configuration or nothing written.\n");
}

typedef struct collect_cli {
    collect_options o;
    long timeout_s;
    bool quiet;
    run_opts shard; /* --shard / --shards only */
} collect_cli;

static int parse_collect_args(int argc, char **argv, collect_cli *cl)
{
    static const struct option longs[] = {{"accounts", required_argument, 0, 'a'},
                                          {"out", required_argument, 0, 'o'},
                                          {"concurrency", required_argument, 0, 'c'},
                                          {"max-attempts", required_argument, 0, 'm'},
                                          {"timeout", required_argument, 0, 't'},
                                          {"retry-time", required_argument, 0, 'R'},
                                          {"profile", required_argument, 0, 'P'},
                                          {"shard", required_argument, 0, OPT_SHARD},
                                          {"shards", required_argument, 0, OPT_SHARDS},
                                          {"quiet", no_argument, 0, 'q'},
                                          {"help", no_argument, 0, 'h'},
                                          {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "a:o:c:qh", longs, NULL)) != -1) {
        switch (c) {
        case 'a':
            cl->o.accounts_path = optarg;
            break;
        case 'o':
            cl->o.out_dir = optarg;
            break;
        case 'c':
            cl->o.concurrency = atoi(optarg);
            break;
        case 'm':
            cl->o.max_attempts = atoi(optarg);
            break;
        case 't':
            cl->timeout_s = atol(optarg);
            break;
        case 'R':
            cl->o.retry_s = atof(optarg);
            break;
        case 'P':
            cl->o.profile = optarg;
            break;
        case 'q':
            cl->quiet = true;
            break;
        case OPT_SHARD:
        case OPT_SHARDS:
            cli_common_option(c, optarg, &cl->shard);
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 1;
        }
    }
    if (!cl->o.accounts_path || !cl->o.out_dir) {
        fprintf(stderr, "custos collect: --accounts and --out are required\n");
        usage(stderr);
        return 1;
    }
    if (cl->o.concurrency < 0 || cl->o.concurrency > 1024 || cl->o.max_attempts < 0 ||
        cl->o.max_attempts > 50 || cl->timeout_s < 0 || cl->o.retry_s < 0) {
        fprintf(stderr, "custos collect: --concurrency 1..1024, --max-attempts 1..50, "
                        "--timeout > 0, --retry-time > 0\n");
        return 1;
    }
    if (cli_shard_resolve("collect", &cl->shard) < 0) return 1;
    if (cl->shard.shard_n) {
        cl->o.keep_account = cli_shard_keeps;
        cl->o.keep_arg = &cl->shard;
    }
    return -1;
}

int cmd_collect(int argc, char **argv)
{
    collect_cli cl = {0};
    int rc = parse_collect_args(argc, argv, &cl);
    if (rc >= 0) return rc;
    cl.o.progress = !cl.quiet && isatty(2);
    cl.o.timeout_ms = cl.timeout_s * 1000;
    collect_summary sum;
    diag_list d = DIAG_LIST_INIT;
    rc = aws_collect(&cl.o, &sum, &d);
    if (rc == COLLECT_ERROR) {
        for (size_t i = 0; i < d.n; i++)
            if (d.items[i].pos.file)
                fprintf(stderr, "%s%s%.0d%s%.0d: error: %s\n", d.items[i].pos.file,
                        d.items[i].pos.line ? ":" : "", d.items[i].pos.line,
                        d.items[i].pos.col ? ":" : "", d.items[i].pos.col, d.items[i].msg);
            else
                fprintf(stderr, "custos collect: %s\n", d.items[i].msg);
        diag_free(&d);
        return 1;
    }
    diag_free(&d);
    if (cl.shard.shard_n)
        fprintf(stderr, "custos collect: shard %d of %d (0-based): %zu accounts\n",
                cl.shard.shard_i, cl.shard.shard_n, sum.accounts);
    fprintf(stderr,
            "custos collect: %zu accounts, %zu scopes, %zu operations collected, %zu not "
            "collected; %zu requests, %zu retries, %.1f s -> %s%s\n",
            sum.accounts, sum.scopes, sum.collected, sum.not_collected, sum.requests, sum.retries,
            sum.seconds, cl.o.out_dir,
            rc == COLLECT_PARTIAL ? " (partial: see collection.json)" : "");
    return rc;
}

/* ---- _aws ---- */

static const char *jstr(const jv *o, const char *k)
{
    const jv *v = jv_get(o, k);
    return jv_is(v, JV_STRING) ? v->u.str : NULL;
}

static int sign_line(arena *a, const char *line, size_t len)
{
    jv req;
    json_error je;
    if (json_parse(a, line, len, &req, &je) != 0) {
        fprintf(stderr, "custos _aws sign: bad JSON line: %s\n", je.msg);
        return 1;
    }
    const jv *hs = jv_get(&req, "headers");
    size_t nh = jv_is(hs, JV_ARRAY) ? hs->len : 0;
    aws_header *h = arena_calloc(a, (nh ? nh : 1) * sizeof *h);
    for (size_t i = 0; i < nh; i++) {
        const jv *p = &hs->u.items[i];
        if (!jv_is(p, JV_ARRAY) || p->len != 2) continue;
        h[i].name = p->u.items[0].u.str;
        h[i].value = p->u.items[1].u.str;
    }
    const char *body = jstr(&req, "body");
    sigv4_input in = {.method = jstr(&req, "method"),
                      .path = jstr(&req, "path"),
                      .query = jstr(&req, "query"),
                      .headers = h,
                      .nheaders = nh,
                      .body = body,
                      .body_len = body ? strlen(body) : 0,
                      .region = jstr(&req, "region"),
                      .service = jstr(&req, "service"),
                      .amz_date = jstr(&req, "date"),
                      .access_key = jstr(&req, "access_key"),
                      .secret_key = jstr(&req, "secret_key"),
                      .s3 = jv_truthy(jv_get(&req, "s3"))};
    if (!in.method || !in.path || !in.region || !in.service || !in.amz_date || !in.access_key ||
        !in.secret_key) {
        fprintf(stderr, "custos _aws sign: a field is missing\n");
        return 1;
    }
    sigv4_output o;
    aws_sigv4_sign(&in, &o);
    buf out = BUF_INIT;
    buf_puts(&out, "{\"creq\":");
    json_write_string(&out, o.creq.data, o.creq.len);
    buf_puts(&out, ",\"sts\":");
    json_write_string(&out, o.sts.data, o.sts.len);
    buf_puts(&out, ",\"authz\":");
    json_write_string(&out, o.authz.data, o.authz.len);
    buf_puts(&out, "}\n");
    fputs(out.data, stdout);
    buf_free(&out);
    sigv4_output_free(&o);
    return 0;
}

static int aws_sign_tool(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    arena *a = arena_new(0);
    while ((n = getline(&line, &cap, stdin)) > 0) {
        rc |= sign_line(a, line, (size_t)n);
        arena_reset(a);
    }
    free(line);
    arena_free(a);
    return rc;
}

static int aws_parse_tool(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: custos _aws parse CLIENT OPERATION STATUS [HEADERS-FILE] < BODY\n");
        return 1;
    }
    buf body = BUF_INIT;
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, stdin)) > 0)
        buf_append(&body, tmp, n);
    size_t hl = 0;
    char *headers = argc > 5 ? read_file(argv[5], &hl) : NULL;
    arena *a = arena_new(0);
    jv out;
    buf err = BUF_INIT;
    int rc = aws_parse_response(a, argv[2], argv[3], atoi(argv[4]), headers,
                                body.data ? body.data : "", body.len, &out, &err);
    if (rc == 0) {
        buf o = BUF_INIT;
        json_write(&o, &out);
        printf("%s\n", o.data);
        buf_free(&o);
    } else {
        fprintf(stderr, "custos _aws parse: %s\n", err.data ? err.data : "failed");
    }
    buf_free(&err);
    buf_free(&body);
    free(headers);
    arena_free(a);
    return rc == 0 ? 0 : 1;
}

int cmd_aws_tool(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "sign") == 0) return aws_sign_tool();
    if (argc >= 2 && strcmp(argv[1], "parse") == 0) return aws_parse_tool(argc, argv);
    fprintf(stderr, "usage: custos _aws sign|parse ... (a test tool)\n");
    return 1;
}
