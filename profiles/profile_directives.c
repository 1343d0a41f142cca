/* What may go into a rendered redis.conf, shared by the profile loader (config: keys)
 * and the renderer (--set, --policy), so a profile file and the command line are held
 * to the same rules. Redis reads one directive per line and splits it on spaces, so a
 * newline or control character in a value would smuggle in a second directive. */
#include <ctype.h>
#include <string.h>

#include "profiles/profile_internal.h"

static const char *const policies[] = {"noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random",
                                       "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", NULL};

const char rl_profile_policies_text[] = "noeviction, allkeys-lru, allkeys-lfu, allkeys-random, "
                                        "volatile-lru, volatile-lfu, volatile-random, volatile-ttl";

bool rl_profile_policy_valid(const char *s)
{
    for (int i = 0; policies[i]; i++)
        if (strcmp(s, policies[i]) == 0)
            return true;
    return false;
}

bool rl_profile_directive_name_valid(const char *s)
{
    if (!islower((unsigned char)*s))
        return false;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '-'))
            return false;
    return true;
}

const char *rl_profile_refused_directive(const char *key)
{
    /* include and rename-command change what the rest of the file means; the instance
     * ones are the part `up` writes (and must stay where its records say). */
    static const char *const smuggle[] = {"include", "rename-command", NULL};
    static const char *const instance[] = {"port", "bind", "dir", "logfile", "pidfile", "unixsocket",
                                           "unixsocketperm", "daemonize", "supervised", NULL};
    for (int i = 0; smuggle[i]; i++)
        if (strcmp(key, smuggle[i]) == 0)
            return "it could pull in or hide other directives";
    for (int i = 0; instance[i]; i++)
        if (strcmp(key, instance[i]) == 0)
            return "redis-light writes it per instance; use the up option for it (--port, --bind, --socket, --name)";
    /* A module is a shared library Redis runs inside the server with the server's rights:
     * one config line must not be the way arbitrary code gets in. */
    if (strcmp(key, "loadmodule") == 0)
        return "a module is native code Redis would run inside the server; redis-light does not load "
               "modules (run redis-server with your own redis.conf to use one)";
    return NULL;
}

bool rl_profile_value_has_control(const char *v)
{
    for (; *v; v++)
        if ((unsigned char)*v < 0x20 || *v == 0x7f)
            return true;
    return false;
}
