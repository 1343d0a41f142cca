#include "cli/instance/recover.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/instance/conf.h"
#include "cli/sys/files.h"
#include "cli/instance/identity.h"

static void from_conf(struct rl_instance *in)
{
    char *conf = rl_file_read(in->conf, 1 << 20);
    if (!conf)
        return;
    char v[PATH_MAX];
    if (rl_conf_get(conf, "port", v, sizeof v) == 0)
        in->port = (int)strtol(v, NULL, 10);
    if (rl_conf_get(conf, "bind", v, sizeof v) == 0)
        snprintf(in->bind, sizeof in->bind, "%s", v);
    if (rl_conf_get(conf, "unixsocket", v, sizeof v) == 0)
        snprintf(in->socket, sizeof in->socket, "%s", v);
    in->persistent = rl_conf_persistent(conf);
    in->aof = strcmp(rl_conf_persist_mode(conf), "aof") == 0;
    free(conf);
}

int rl_recover_instance(struct rl_instance *in, char *why, size_t len)
{
    in->pid = 0;
    in->starttime = 0;
    from_conf(in);
    return rl_identity_from_pidfile(in, why, len);
}

int rl_recover_set_aside(const struct rl_instance *in, char *aside, size_t len)
{
    snprintf(aside, len, "%s.damaged", in->record);
    return rename(in->record, aside);
}
