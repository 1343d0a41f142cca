/* cli/util: sizes, JSON writer, option parser. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/util/args.h"
#include "cli/util/json.h"
#include "cli/util/size.h"
#include "tap.h"

static void sizes(void)
{
    uint64_t v;
    char err[200];
    OK(rl_parse_size("64mb", &v, err, sizeof err) == 0 && v == 64ULL << 20, "64mb");
    OK(rl_parse_size("1gb", &v, err, sizeof err) == 0 && v == 1ULL << 30, "1gb");
    OK(rl_parse_size("1GB", &v, err, sizeof err) == 0 && v == 1ULL << 30, "1GB");
    OK(rl_parse_size("1g", &v, err, sizeof err) == 0 && v == 1000000000ULL, "1g is decimal as in redis.conf");
    OK(rl_parse_size("100", &v, err, sizeof err) == 0 && v == 100, "bytes");
    OK(rl_parse_size("256 MiB", &v, err, sizeof err) == 0 && v == 256ULL << 20, "256 MiB");
    OK(rl_parse_size("-1mb", &v, err, sizeof err) < 0 && strstr(err, "negative"), "negative: %s", err);
    OK(rl_parse_size("1.5gb", &v, err, sizeof err) < 0 && strstr(err, "fraction"), "fraction: %s", err);
    OK(rl_parse_size("17179869184gb", &v, err, sizeof err) < 0 && strstr(err, "too large"), "overflow: %s", err);
    OK(rl_parse_size("99999999999999999999", &v, err, sizeof err) < 0 && strstr(err, "too large"), "overflow digits");
    OK(rl_parse_size("12xb", &v, err, sizeof err) < 0 && strstr(err, "unknown unit"), "unit: %s", err);
    OK(rl_parse_size("", &v, err, sizeof err) < 0, "empty");
    OK(rl_parse_size("mb", &v, err, sizeof err) < 0, "no number");
    double p;
    OK(rl_parse_percent("25%", &p, err, sizeof err) == 0 && p == 25, "25%%");
    OK(rl_parse_percent("12.5%", &p, err, sizeof err) == 0 && p == 12.5, "12.5%%");
    OK(rl_parse_percent("101%", &p, err, sizeof err) < 0, "101%% rejected");
    OK(rl_parse_percent("-1%", &p, err, sizeof err) < 0, "-1%% rejected");
    OK(rl_parse_percent("x%", &p, err, sizeof err) < 0, "x%% rejected");
    OK(rl_parse_percent("64mb", &p, err, sizeof err) == 1, "not a percentage");
    char b[32];
    EQ_STR(rl_fmt_size(64ULL << 20, b, sizeof b), "64 MiB");
    EQ_STR(rl_fmt_size(1536ULL << 20, b, sizeof b), "1.5 GiB");
    EQ_STR(rl_fmt_size(100, b, sizeof b), "100 B");
    EQ_STR(rl_fmt_size_conf(64ULL << 20, b, sizeof b), "64mb");
    EQ_STR(rl_fmt_size_conf(2ULL << 30, b, sizeof b), "2gb");
    EQ_STR(rl_fmt_size_conf(1000, b, sizeof b), "1000");
}

static void json(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct rl_json w;
    rl_json_init(&w, f, false);
    rl_json_obj(&w);
    rl_json_key(&w, "a");
    rl_json_u64(&w, 1);
    rl_json_key(&w, "s");
    rl_json_str(&w, "q\"\\\n\x01");
    rl_json_key(&w, "l");
    rl_json_arr(&w);
    rl_json_null(&w);
    rl_json_bool(&w, true);
    rl_json_dbl(&w, 1.5);
    rl_json_dbl(&w, 0.0 / 0.0);
    rl_json_obj(&w);
    rl_json_end_obj(&w);
    rl_json_end_arr(&w);
    rl_json_end_obj(&w);
    fclose(f);
    EQ_STR(buf, "{\"a\":1,\"s\":\"q\\\"\\\\\\n\\u0001\",\"l\":[null,true,1.5,null,{}]}");
    free(buf);
}

static void args(void)
{
    static const struct rl_opt opts[] = {
        {"port", 'p', "N", "port", false},
        {"set", 0, "K=V", "set", true},
        {"detach", 0, NULL, "detach", false},
        {NULL, 0, NULL, NULL, false},
    };
    struct rl_args a;
    char err[200];
    char *v1[] = {"-p", "6380", "--set", "a=1", "--set=b=2", "--detach", "pos", "-q", "--", "-x"};
    OK(rl_args_parse(&a, opts, 10, v1, err, sizeof err) == 0, "parse: %s", err);
    EQ_STR(rl_args_get(&a, "port"), "6380");
    OK(rl_args_count(&a, "set") == 2, "two --set");
    EQ_STR(rl_args_nth(&a, "set", 1), "b=2");
    OK(rl_args_has(&a, "detach") && rl_args_has(&a, "quiet"), "flags");
    OK(a.npos == 2 && strcmp(a.pos[1], "-x") == 0, "positionals after --");
    long long n = 0;
    OK(rl_args_int(&a, "port", 1, 65535, &n, err, sizeof err) == 0 && n == 6380, "int");
    char *v2[] = {"-p70000"};
    rl_args_parse(&a, opts, 1, v2, err, sizeof err);
    OK(rl_args_int(&a, "port", 1, 65535, &n, err, sizeof err) < 0 && strstr(err, "between"), "range: %s", err);
    char *v3[] = {"--nope"};
    OK(rl_args_parse(&a, opts, 1, v3, err, sizeof err) < 0 && strstr(err, "--nope"), "unknown: %s", err);
    char *v4[] = {"--port"};
    OK(rl_args_parse(&a, opts, 1, v4, err, sizeof err) < 0 && strstr(err, "needs a value"), "missing value");
    char *v5[] = {"--detach=yes"};
    OK(rl_args_parse(&a, opts, 1, v5, err, sizeof err) < 0 && strstr(err, "takes no value"), "flag with value");
    char *v6[] = {"-p", "abc"};
    rl_args_parse(&a, opts, 2, v6, err, sizeof err);
    OK(rl_args_int(&a, "port", 1, 65535, &n, err, sizeof err) < 0 && strstr(err, "whole number"), "not a number");
}

int main(void)
{
    sizes();
    json();
    args();
    return tap_done();
}
