/* test_offhours.c - Custodian's offhour / onhour filters (filters/offhours.c)
 * and the zones they read (util/tzone.c): the tag schedule syntax
 * (off=(M-F,19);on=(M-F,7);tz=et, lists, wrapping day ranges, the escapes
 * for tag-restricted services, what Custodian's parser rejects), the
 * default schedule (weekends, weekends-only, default_tz, opt-out,
 * fallback-schedule, skip-days), EC2's state-filter, the options refused,
 * and zone offsets from TZif files and POSIX rules on both sides of a
 * daylight-saving change.  Instants are fixed epochs, never the clock. */
#include "t.h"
#include "filter_test.h"

#include "filters/offhours.h"
#include "util/tzone.h"

/* 2026-12-07 is a Monday. */
#define MON_1930_ET 1796689800 /* 19:30 America/New_York (EST) */
#define MON_1830_ET 1796686200
#define SAT_1930_ET 1796517000
#define FRI_1930_ET 1796430600
#define MON_2010_PT 1796703000
#define MON_0730_UTC 1796628600
#define JUL_MON_1930_ET 1783380600 /* 2026-07-06, EDT */

static int at(const char *rtype, const char *spec, const char *res, time_t now)
{
    eval_ctx ctx = {.account_id = "111122223333", .region = "us-east-1", .now = now};
    return match_with(rtype, spec, res, ctx);
}

static int ec2(const char *spec, const char *res, time_t now)
{
    return at("aws.ec2", spec, res, now);
}

TEST(times)
{
    oh_item *it;
    CHECK(oh_parse_times(A, "(m-f,19)", 8, &it) == 1 && it[0].days == 0x1f && it[0].hour == 19);
    const char *two = "[(m-f,21),(u,18)]";
    CHECK(oh_parse_times(A, two, strlen(two), &it) == 2 && it[1].days == 0x40 && it[1].hour == 18);
    /* Friday to Monday wraps: 4, 5, 6, 0. */
    CHECK(oh_parse_times(A, "(f-m,3)", 7, &it) == 1 && it[0].days == 0x71);
    CHECK(oh_parse_times(A, "(h,0)", 5, &it) == 1 && it[0].days == 0x08 && it[0].hour == 0);
    /* Custodian drops unknown pieces of a range. */
    CHECK(oh_parse_times(A, "(m-x-f,1)", 9, &it) == 1 && it[0].days == 0x1f);
    CHECK(oh_parse_times(A, "(m-t-w,1)", 9, &it) == -1);
    CHECK(oh_parse_times(A, "(m,24)", 6, &it) == -1);
    CHECK(oh_parse_times(A, "(m-f)", 5, &it) == -1);
    CHECK(oh_parse_times(A, "(m-f,)", 6, &it) == -1);
    CHECK(oh_parse_times(A, "(m-f,-1)", 8, &it) == -1);
    CHECK(oh_parse_times(A, "(z,1)", 5, &it) == -1);
    CHECK(oh_parse_times(A, "(M-F,1)", 7, &it) == -1); /* tag values are lower-cased first */
    CHECK(oh_parse_times(A, "", 0, &it) == -1);
}

TEST(schedules)
{
    oh_schedule s;
    bool dflt;
    const char *full = "off=(m-f,19);on=(m-f,7);tz=et";
    CHECK(oh_schedule_of(A, full, "off", &s, &dflt) && !dflt && s.n == 1 && s.items[0].hour == 19 &&
          s.tz && !strcmp(s.tz, "et"));
    CHECK(oh_schedule_of(A, full, "on", &s, &dflt) && !dflt && s.n == 1 && s.items[0].hour == 7);
    /* Trailing ';' is normalised away. */
    CHECK(oh_schedule_of(A, "off=(m-f,1);", "off", &s, &dflt) && s.n == 1 && !s.tz);
    /* Empty, "on" or any word without '=' take the default times. */
    CHECK(oh_schedule_of(A, "", "off", &s, &dflt) && dflt);
    CHECK(oh_schedule_of(A, "on", "off", &s, &dflt) && dflt && !s.tz);
    CHECK(oh_schedule_of(A, "tz=pt", "on", &s, &dflt) && dflt && !strcmp(s.tz, "pt"));
    /* Only the other time type: the default times, in the tag's zone. */
    CHECK(oh_schedule_of(A, "on=(m-f,7);tz=cet", "off", &s, &dflt) && dflt && !strcmp(s.tz, "cet"));
    /* Parse errors. */
    CHECK(!oh_schedule_of(A, "off=(m-f,19);foo=1", "off", &s, &dflt));
    CHECK(!oh_schedule_of(A, "foo=1", "off", &s, &dflt));
    CHECK(!oh_schedule_of(A, "off=(m-f,19) on=(m-f,7)", "off", &s, &dflt));
    CHECK(!oh_schedule_of(A, "off=(m-f,25)", "off", &s, &dflt));
    CHECK(!oh_schedule_of(A, "off=(m-f,19);on=(m-f,x)", "off", &s, &dflt));
}

TEST(tag_values)
{
    CHECK(!strcmp(oh_tag_value(A, "OFF=(M-F,19)", 12), "off=(m-f,19)"));
    const char *esc = "offu3du28M-Fu2c18u29u3btzu3dAustraliau2fSydney";
    CHECK(!strcmp(oh_tag_value(A, esc, strlen(esc)), "off=(m-f,18);tz=australia/sydney"));
    CHECK(!strcmp(oh_tag_value(A, "'\"on\"'", 6), "on"));
    CHECK(!strcmp(oh_zone_name("pt"), "America/Los_Angeles"));
    CHECK(!strcmp(oh_zone_name("Europe/Paris"), "Europe/Paris"));
}

static long off_of(const char *zone, int64_t t)
{
    buf z = BUF_INIT;
    long off = 99999;
    if (!tz_load(zone, &z) || !tzif_utoff((const unsigned char *)z.data, z.len, t, &off))
        off = 99999;
    buf_free(&z);
    return off;
}

TEST(zones)
{
    CHECK(off_of("America/New_York", MON_1930_ET) == -18000);
    CHECK(off_of("America/New_York", JUL_MON_1930_ET) == -14400);
    CHECK(off_of("america/new_york", JUL_MON_1930_ET) == -14400); /* case-insensitive */
    /* Past the file's last transition: its footer rule (2100-07-01, -01-01). */
    CHECK(off_of("America/New_York", 4118083200) == -14400);
    CHECK(off_of("America/New_York", 4102444800) == -18000);
    CHECK(off_of("Etc/UTC", MON_1930_ET) == 0);
    CHECK(off_of("Asia/Kolkata", MON_1930_ET) == 19800);
    CHECK(off_of("Australia/Sydney", MON_1930_ET) == 39600); /* December is summer */
    buf z = BUF_INIT;
    CHECK(!tz_load("../../etc/passwd", &z) && !tz_load("/etc/passwd", &z) &&
          !tz_load("Mars/Olympus", &z) && !tz_load("America", &z) && !tz_load("", &z));
    buf_free(&z);
    long off;
    CHECK(!tzif_utoff((const unsigned char *)"TZif2", 5, 0, &off));
    /* POSIX rules, as in slim zone files' footers: 2026-03-08 07:00 UTC is
     * 02:00 EST, the change to EDT. */
    const char *ny = "EST5EDT,M3.2.0,M11.1.0";
    CHECK(tz_posix_utoff(ny, strlen(ny), 1772953200 - 1, &off) && off == -18000);
    CHECK(tz_posix_utoff(ny, strlen(ny), 1772953200, &off) && off == -14400);
    const char *syd = "AEST-10AEDT,M10.1.0,M4.1.0/3";
    CHECK(tz_posix_utoff(syd, strlen(syd), 1767268800, &off) && off == 39600); /* January */
    CHECK(tz_posix_utoff(syd, strlen(syd), 1782907200, &off) && off == 36000); /* July */
    CHECK(tz_posix_utoff("<+0330>-3:30", 12, 0, &off) && off == 12600);
    CHECK(!tz_posix_utoff("EST5EDT,M13.1.0,M11.1.0", 23, 0, &off));
    CHECK(!tz_posix_utoff("E5", 2, 0, &off));
}

static const char *RUNNING_TAGGED = "{\"InstanceId\":\"i-1\",\"State\":{\"Name\":\"running\"},"
                                    "\"Tags\":[{\"Key\":\"Maid_Offhours\",\"Value\":\"\"}]}";
static const char *RUNNING = "{\"InstanceId\":\"i-2\",\"State\":{\"Name\":\"running\"}}";
static const char *STOPPED = "{\"InstanceId\":\"i-3\",\"State\":{\"Name\":\"stopped\"}}";

TEST(offhour_default)
{
    const char *p = "{\"type\":\"offhour\",\"offhour\":19,\"default_tz\":\"et\"}";
    CHECK(ec2(p, RUNNING_TAGGED, MON_1930_ET) == 1);
    CHECK(ec2(p, RUNNING_TAGGED, JUL_MON_1930_ET) == 1); /* in EDT too */
    CHECK(ec2(p, RUNNING_TAGGED, MON_1830_ET) == 0);
    CHECK(ec2(p, RUNNING_TAGGED, SAT_1930_ET) == 0); /* weekends off by default */
    CHECK(ec2(p, RUNNING, MON_1930_ET) == 0);        /* opt-in: no tag, no match */
    const char *all = "{\"type\":\"offhour\",\"offhour\":19,\"default_tz\":\"et\","
                      "\"weekends\":false,\"opt-out\":true}";
    CHECK(ec2(all, RUNNING, SAT_1930_ET) == 1);
    const char *fri = "{\"type\":\"offhour\",\"offhour\":19,\"default_tz\":\"America/New_York\","
                      "\"weekends-only\":true,\"opt-out\":true}";
    CHECK(ec2(fri, RUNNING, FRI_1930_ET) == 1);
    CHECK(ec2(fri, RUNNING, MON_1930_ET) == 0);
    /* Opted out by the tag, and state-filter. */
    const char *optout = "{\"InstanceId\":\"i-4\",\"State\":{\"Name\":\"running\"},"
                         "\"Tags\":[{\"Key\":\"maid_offhours\",\"Value\":\"Off\"}]}";
    CHECK(ec2(all, optout, MON_1930_ET) == 0);
    CHECK(ec2(all, STOPPED, MON_1930_ET) == 0);
    const char *nostate = "{\"type\":\"offhour\",\"offhour\":19,\"default_tz\":\"et\","
                          "\"opt-out\":true,\"state-filter\":false}";
    CHECK(ec2(nostate, STOPPED, MON_1930_ET) == 1);
    /* skip-days are dates in the schedule's zone. */
    const char *skip = "{\"type\":\"offhour\",\"offhour\":19,\"default_tz\":\"et\","
                       "\"opt-out\":true,\"skip-days\":[\"2026-12-07\"]}";
    CHECK(ec2(skip, RUNNING, MON_1930_ET) == 0);
    CHECK(ec2(skip, RUNNING, FRI_1930_ET) == 1);
    /* The fallback schedule when the tag is absent. */
    const char *fb = "{\"type\":\"offhour\",\"offhour\":3,\"default_tz\":\"utc\","
                     "\"fallback-schedule\":\"off=(M-F,19);tz=et\"}";
    CHECK(ec2(fb, RUNNING, MON_1930_ET) == 1);
    /* ASGs have no state filter. */
    const char *asg = "{\"AutoScalingGroupName\":\"g\",\"Tags\":[{\"Key\":\"maid_offhours\","
                      "\"Value\":\"on\"}]}";
    CHECK(at("aws.asg", p, asg, MON_1930_ET) == 1);
}

TEST(tag_schedules)
{
    const char *p =
        "{\"type\":\"offhour\",\"offhour\":19,\"default_tz\":\"et\",\"tag\":\"downtime\"}";
    const char *pt = "{\"InstanceId\":\"i-5\",\"State\":{\"Name\":\"running\"},\"Tags\":[{\"Key\":"
                     "\"downtime\",\"Value\":\"off=(M-F,20);on=(M-F,7);tz=pt\"}]}";
    CHECK(ec2(p, pt, MON_2010_PT) == 1);
    CHECK(ec2(p, pt, MON_1930_ET) == 0);
    const char *esc = "{\"InstanceId\":\"i-6\",\"State\":{\"Name\":\"running\"},\"Tags\":[{\"Key\":"
                      "\"downtime\",\"Value\":\"offu3du5bu28Su2c13u29u2cu28Mu2d"
                      "Fu2c20u29u5du3btzu3dpt\"}]}";
    CHECK(ec2(p, esc, MON_2010_PT) == 1);
    const char *zone =
        "{\"InstanceId\":\"i-7\",\"State\":{\"Name\":\"running\"},\"Tags\":[{\"Key\":"
        "\"downtime\",\"Value\":\"tz=america/los_angeles\"}]}";
    CHECK(ec2(p, zone, MON_1930_ET) == 0);
    CHECK(ec2(p, zone, MON_1930_ET + 3 * 3600) == 1); /* 19:30 in Los Angeles */
    const char *bad = "{\"InstanceId\":\"i-8\",\"State\":{\"Name\":\"running\"},\"Tags\":[{\"Key\":"
                      "\"downtime\",\"Value\":\"off=(M-F,19);foo=bar\"}]}";
    CHECK(ec2(p, bad, MON_1930_ET) == 0);
    const char *nozone = "{\"InstanceId\":\"i-9\",\"State\":{\"Name\":\"running\"},\"Tags\":[{"
                         "\"Key\":\"downtime\",\"Value\":\"tz=mars/base\"}]}";
    CHECK(ec2(p, nozone, MON_1930_ET) == 0);
}

TEST(onhour)
{
    const char *p = "{\"type\":\"onhour\",\"onhour\":7,\"tag\":\"custodian_downtime\","
                    "\"default_tz\":\"utc\",\"opt-out\":true,\"weekends\":false}";
    CHECK(ec2(p, STOPPED, MON_0730_UTC) == 1);
    CHECK(ec2(p, RUNNING, MON_0730_UTC) == 0);
    CHECK(ec2(p, STOPPED, MON_0730_UTC + 3600) == 0);
    const char *mon = "{\"type\":\"onhour\",\"onhour\":7,\"default_tz\":\"utc\","
                      "\"weekends-only\":true,\"opt-out\":true}";
    CHECK(ec2(mon, STOPPED, MON_0730_UTC) == 1);
    CHECK(ec2(mon, STOPPED, MON_0730_UTC + 86400) == 0);
}

TEST(refused)
{
    CHECK(ec2("{\"type\":\"offhour\",\"offhour\":19}", RUNNING, 0) == -1);
    CHECK(ec2("{\"type\":\"offhour\",\"default_tz\":\"et\"}", RUNNING, 0) == -1);
    CHECK(ec2("{\"type\":\"offhour\",\"offhour\":24,\"default_tz\":\"et\"}", RUNNING, 0) == -1);
    CHECK(ec2("{\"type\":\"offhour\",\"offhour\":\"19\",\"default_tz\":\"et\"}", RUNNING, 0) == -1);
    CHECK(ec2("{\"type\":\"offhour\",\"offhour\":19,\"default_tz\":\"Mars/Base\"}", RUNNING, 0) ==
          -1);
    CHECK(ec2("{\"type\":\"onhour\",\"onhour\":7,\"offhour\":19,\"default_tz\":\"et\"}", RUNNING,
              0) == -1);
    CHECK(ec2("{\"type\":\"offhour\",\"offhour\":19,\"default_tz\":\"et\",\"skip-days\":"
              "[\"12/25/2026\"]}",
              RUNNING, 0) == -1);
    CHECK(at("aws.asg",
             "{\"type\":\"offhour\",\"offhour\":19,\"default_tz\":\"et\","
             "\"state-filter\":false}",
             "{}", 0) == -1);
    CHECK(at("aws.s3", "{\"type\":\"offhour\",\"offhour\":19,\"default_tz\":\"et\"}", "{}", 0) ==
          -1);
}

int main(void)
{
    A = arena_new(0);
    RUN(times);
    RUN(schedules);
    RUN(tag_values);
    RUN(zones);
    RUN(offhour_default);
    RUN(tag_schedules);
    RUN(onhour);
    RUN(refused);
    arena_free(A);
    T_EXIT();
}
