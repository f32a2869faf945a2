/* test_template.c - runbook templates and finding priority/fingerprints. */
#include <stdlib.h>
#include <string.h>

#include "engine/priority.h"
#include "format/template.h"
#include "json/json.h"
#include "policy/policy.h"
#include "t.h"
#include "filter_test.h" /* A and J() */

/* Renders text against ctx; returns the output (or "ERR: msg"). */
static const char *render(const char *text, const char *ctx_json)
{
    tmpl_error e;
    tmpl *t = tmpl_compile(A, text, strlen(text), &e);
    if (!t) return arena_sprintf(A, "COMPILE@%zu: %s", e.offset, e.msg);
    jv ctx = J(ctx_json);
    buf b = BUF_INIT;
    const char *out;
    if (tmpl_render(t, &ctx, A, &b, &e) != 0)
        out = arena_sprintf(A, "ERR: %s", e.msg);
    else
        out = arena_strdup(A, b.data ? b.data : "");
    buf_free(&b);
    return out;
}

TEST(literal_only)
{
    CHECK_STR(render("no holes here", "{}"), "no holes here");
    CHECK_STR(render("", "{}"), "");
}

TEST(strings_numbers_and_json)
{
    const char *ctx = "{\"id\":\"sg-1\",\"region\":\"eu-west-1\",\"n\":40,"
                      "\"evidence\":[{\"IpProtocol\":\"tcp\",\"FromPort\":22}]}";
    CHECK_STR(render("aws ec2 x --region {{region}} --group-id {{ id }}", ctx),
              "aws ec2 x --region eu-west-1 --group-id sg-1");
    CHECK_STR(render("{{n}} instances", ctx), "40 instances");
    CHECK_STR(render("'{{evidence}}'", ctx), "'[{\"IpProtocol\":\"tcp\",\"FromPort\":22}]'");
    CHECK_STR(render("{{evidence[0].FromPort}}/{{evidence[0].IpProtocol}}", ctx), "22/tcp");
    CHECK_STR(render("{{ missing || 'n/a' }}", ctx), "n/a");
}

TEST(null_placeholder_is_an_error)
{
    const char *out = render("aws s3api x --bucket {{resource.Name}}", "{\"resource\":{}}");
    CHECK(strncmp(out, "ERR: ", 5) == 0);
    CHECK(strstr(out, "resource.Name") != NULL);
}

TEST(compile_errors_have_offsets)
{
    const char *out = render("line one\nthen {{ id", "{}");
    CHECK(strncmp(out, "COMPILE@14:", 11) == 0);
    CHECK(strstr(out, "closing") != NULL);
    out = render("x {{   }} y", "{}");
    CHECK(strstr(out, "empty placeholder") != NULL);
    out = render("x {{ foo( }}", "{}");
    CHECK(strncmp(out, "COMPILE", 7) == 0);
    CHECK(strstr(out, "foo(") != NULL);
}

/* ---- shell contexts: a pasted runbook must never run what a name says ---- */

#define SH(body) "```sh\n" body "\n```\n"

TEST(shell_block_quotes_hostile_values)
{
    const char *ctx = "{\"id\":\"sg-1\",\"asg\":\"web;touch /tmp/pwned;#\","
                      "\"q\":\"ops'; touch /tmp/pwned; echo '\",\"nl\":\"a\\nb!c\","
                      "\"bang\":\"x!!y\",\"empty\":\"\",\"eq\":\"=ls\","
                      "\"ev\":[{\"Description\":\"it's\"}]}";
    /* Plain ids stay readable. */
    CHECK_STR(render(SH("aws ec2 x --group-id {{id}}"), ctx), SH("aws ec2 x --group-id sg-1"));
    CHECK_STR(render(SH("aws autoscaling y --auto-scaling-group-name {{asg}}"), ctx),
              SH("aws autoscaling y --auto-scaling-group-name 'web;touch /tmp/pwned;#'"));
    CHECK_STR(render(SH("echo {{q}}"), ctx), SH("echo 'ops'\\''; touch /tmp/pwned; echo '\\'''"));
    /* A newline never reaches the terminal raw; '!' is not left for history expansion. */
    CHECK_STR(render(SH("echo {{nl}}"), ctx), SH("echo $'a\\nb\\041c'"));
    CHECK_STR(render(SH("echo {{bang}}"), ctx), SH("echo 'x!!y'"));
    CHECK_STR(render(SH("echo {{empty}}"), ctx), SH("echo ''"));
    CHECK_STR(render(SH("echo {{eq}}"), ctx), SH("echo '=ls'"));
    /* JSON is one word. */
    CHECK_STR(render(SH("aws ec2 z --ip-permissions {{ev}}"), ctx),
              SH("aws ec2 z --ip-permissions '[{\"Description\":\"it'\\''s\"}]'"));
    /* Inside one word with literal text, and inside $( ) within "...". */
    CHECK_STR(render(SH("f ./{{asg}}-mfa.png"), ctx), SH("f ./'web;touch /tmp/pwned;#'-mfa.png"));
    CHECK_STR(render(SH("echo \"k $(aws x --n {{asg}})\""), ctx),
              SH("echo \"k $(aws x --n 'web;touch /tmp/pwned;#')\""));
    /* In a comment: quoted too (a raw newline would end the comment). */
    CHECK_STR(render(SH("# {{nl}}\necho"), ctx), SH("# $'a\\nb\\041c'\necho"));
}

TEST(shell_contexts_are_found_by_markdown)
{
    const char *ctx = "{\"n\":\"a b\"}";
    /* Prose and non-shell code keep the value as it is. */
    CHECK_STR(render("user `{{n}}` here", ctx), "user `a b` here");
    CHECK_STR(render("```python\nx = {{n}}\n```\n", ctx), "```python\nx = a b\n```\n");
    /* Inline commands are shell. */
    CHECK_STR(render("run `aws iam x --user-name {{n}}` now", ctx),
              "run `aws iam x --user-name 'a b'` now");
    CHECK_STR(render("``custos explain {{n}}``", ctx), "``custos explain 'a b'``");
    /* Other fences: bash, console, tildes, indented (a list item). */
    CHECK_STR(render("~~~bash\ne {{n}}\n~~~\nafter {{n}}", ctx),
              "~~~bash\ne 'a b'\n~~~\nafter a b");
    CHECK_STR(render("1. do:\n     ```console\n     e {{n}}\n     ```\n", ctx),
              "1. do:\n     ```console\n     e 'a b'\n     ```\n");
    /* An unclosed fence runs to the end. */
    CHECK_STR(render("```sh\ne {{n}}", ctx), "```sh\ne 'a b'");
    /* Prose values cannot open a block of their own. */
    CHECK_STR(render("desc: {{d}}", "{\"d\":\"x\\n```sh\\nrm -rf ~\"}"), "desc: x ```sh rm -rf ~");
}

TEST(holes_that_cannot_be_quoted_are_compile_errors)
{
    const char *bad[] = {
        SH("aws x --q '{{n}}'"),
        SH("aws x --d \"copy of {{n}}\""),
        SH("echo `{{n}}`"),
        SH("echo ${X:-{{n}}}"),
        SH("cat <<EOF\n{{n}}\nEOF"),
        SH("cat <<-'EOF'\n\t{{n}}\n\tEOF"),
        SH("echo \\{{n}}"),
        SH("echo $'a{{n}}'"),
        "```sh {{n}}\n```",
        "`aws x '{{n}}'`",
        "x {{words: n}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *out = render(bad[i], "{\"n\":\"v\"}");
        if (strncmp(out, "COMPILE@", 8) != 0 || !strstr(out, "'{{ n }}'")) {
            printf("  detail: %s -> %s\n", bad[i], out);
            CHECK(0);
        }
    }
    /* The same holes outside quotes, and after a closed heredoc, are fine. */
    CHECK_STR(render(SH("cat <<EOF\nliteral\nEOF\necho {{n}}"), "{\"n\":\"v w\"}"),
              SH("cat <<EOF\nliteral\nEOF\necho 'v w'"));
    CHECK_STR(render(SH("echo 'it''s' {{n}} \"x\" # it's"), "{\"n\":\"v w\"}"),
              SH("echo 'it''s' 'v w' \"x\" # it's"));
}

TEST(raw_and_words_markers)
{
    const char *ctx = "{\"keys\":[\"AKIA1\",\"a b\"],\"n\":\"x y\",\"one\":\"z\"}";
    CHECK_STR(render(SH("for k in {{words: keys}}; do echo \"$k\"; done"), ctx),
              SH("for k in AKIA1 'a b'; do echo \"$k\"; done"));
    CHECK_STR(render(SH("echo '{{raw: n}}'"), ctx), SH("echo 'x y'"));
    CHECK_STR(render("{{raw: n}}", ctx), "x y");
    const char *out = render(SH("for k in {{words: one}}; do :; done"), ctx);
    CHECK(strstr(out, "not a list") != NULL);
    tmpl_error e;
    const char *text = "p {{a}}\n" SH("c {{b}} {{raw: c}} {{words: d}}");
    tmpl *t = tmpl_compile(A, text, strlen(text), &e);
    CHECK(t != NULL);
    if (t) {
        CHECK(tmpl_holes(t) == 4);
        CHECK(tmpl_hole_quoting(t, 0) == TMPL_PROSE);
        CHECK(tmpl_hole_quoting(t, 1) == TMPL_SHELL);
        CHECK(tmpl_hole_quoting(t, 2) == TMPL_RAW);
        CHECK(tmpl_hole_quoting(t, 3) == TMPL_WORDS);
    }
}

TEST(multiselect_hash_in_a_hole)
{
    CHECK_STR(render(SH("aws s3api p --s {{ {T: 'LOG', P: join('', ['s3/', id, '/'])} }}"),
                     "{\"id\":\"b 1\"}"),
              SH("aws s3api p --s '{\"T\":\"LOG\",\"P\":\"s3/b 1/\"}'"));
    CHECK_STR(render("{{ '}}' }}", "{}"), "}}");
}

TEST(nul_byte_in_a_shell_value_is_an_error)
{
    const char *out = render(SH("echo {{n}}"), "{\"n\":\"a\\u0000b\"}");
    CHECK(strstr(out, "NUL") != NULL);
}

TEST(policy_validation_reports_bad_templates)
{
    const char *yml = "policies:\n"
                      "  - name: p\n"
                      "    resource: aws.s3\n"
                      "    metadata:\n"
                      "      fix: \"run {{ Name\"\n";
    policy_set ps;
    policy_set_init(&ps);
    diag_list d = DIAG_LIST_INIT;
    CHECK(policy_load_text(&ps, "t.yml", yml, strlen(yml), &d) < 0);
    CHECK(d.n == 1);
    if (d.n) {
        CHECK(strstr(d.items[0].msg, "metadata.fix") != NULL);
        CHECK(d.items[0].pos.line == 5);
    }
    diag_free(&d);
    CHECK(ps.n == 0);
    policy_set_free(&ps);
}

TEST(fingerprint_is_stable_and_separates_fields)
{
    uint64_t a = finding_fingerprint("p", "aws.s3", "111111111111", "us-east-1", "b");
    CHECK(a == finding_fingerprint("p", "aws.s3", "111111111111", "us-east-1", "b"));
    CHECK(a != finding_fingerprint("p", "aws.s3", "111111111111", "eu-west-1", "b"));
    CHECK(finding_fingerprint("ab", "c", "", "", "") != finding_fingerprint("a", "bc", "", "", ""));
    char hex[17];
    fingerprint_hex(0x00ab, hex);
    CHECK_STR(hex, "00000000000000ab");
    /* Pinned (FNV-1a 64, fields joined by 0x1f, computed independently in
     * Python): the store and users' suppressions keep these ids, so a
     * change here is a breaking change. */
    fingerprint_hex(finding_fingerprint("sg-ssh-open-to-world", "aws.security-group",
                                        "123456789012", "us-east-1", "sg-1"),
                    hex);
    CHECK_STR(hex, "6b4fba57e17cb2c2");
}

static policy make_policy(severity s)
{
    policy p;
    memset(&p, 0, sizeof p);
    p.name = "t";
    p.sev = s;
    return p;
}

TEST(priority_orders_by_severity_and_environment)
{
    account_info prod = {.id = "1", .name = "pay-prod", .environment = "prod"};
    account_info dev = {.id = "2", .name = "pay-dev", .environment = "dev"};
    policy crit = make_policy(SEV_CRITICAL), low = make_policy(SEV_LOW);
    jv r = J("{}"), ev = jv_null();
    priority a, b, c;
    priority_compute(&crit, NULL, &r, &ev, &prod, NULL, A, &a);
    priority_compute(&crit, NULL, &r, &ev, &dev, NULL, A, &b);
    priority_compute(&low, NULL, &r, &ev, &prod, NULL, A, &c);
    CHECK(a.score > b.score);
    CHECK(b.score > c.score);
    CHECK(a.score >= 0 && a.score <= 100);
    CHECK(a.n >= 2);
    CHECK(strstr(a.reasons[0], "critical") != NULL);
    CHECK_STR(a.reasons[1], "production account");
    CHECK(strstr(b.reasons[1], "non-production") != NULL);
}

TEST(priority_reason_names_the_open_port)
{
    policy crit = make_policy(SEV_CRITICAL);
    jv r = J("{}");
    jv ev = J("[{\"IpProtocol\":\"tcp\",\"FromPort\":22,\"ToPort\":22,"
              "\"IpRanges\":[{\"CidrIp\":\"0.0.0.0/0\"}]}]");
    priority p;
    priority_compute(&crit, NULL, &r, &ev, NULL, NULL, A, &p);
    CHECK(p.n == 2);
    if (p.n == 2) CHECK_STR(p.reasons[1], "tcp/22 open to 0.0.0.0/0");
}

int main(void)
{
    A = arena_new(0);
    RUN(literal_only);
    RUN(strings_numbers_and_json);
    RUN(null_placeholder_is_an_error);
    RUN(compile_errors_have_offsets);
    RUN(shell_block_quotes_hostile_values);
    RUN(shell_contexts_are_found_by_markdown);
    RUN(holes_that_cannot_be_quoted_are_compile_errors);
    RUN(raw_and_words_markers);
    RUN(multiselect_hash_in_a_hole);
    RUN(nul_byte_in_a_shell_value_is_an_error);
    RUN(policy_validation_reports_bad_templates);
    RUN(fingerprint_is_stable_and_separates_fields);
    RUN(priority_orders_by_severity_and_environment);
    RUN(priority_reason_names_the_open_port);
    arena_free(A);
    T_EXIT();
}
