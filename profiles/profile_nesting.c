/* The nesting bound checked before a profile file is composed into a document.
 *
 * Why a separate pass: libyaml's scanner keeps one possible "simple key" per open flow
 * collection and walks that whole stack for every token it reads, so scanning costs the
 * square of the nesting depth (a 200 KB file of 100,000 nested "[" took 89 s, and a user
 * profile like that stalled every doctor and up). yaml_parser_load offers no way to stop
 * part-way, so this pass reads events and gives up at the first collection past the
 * bound, while the stack is still short; only then is the file loaded for real. */
#include <stdio.h>

#include "profiles/profile_loader.h"

int rl_loader_check_nesting(FILE *f, const char *path, char *err, size_t errlen)
{
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    int depth = 0, rc = 0;
    for (;;) {
        yaml_event_t ev;
        /* A syntax error is not this pass's to report: the load stops at the same
         * place, with depth still within the bound, and words it with its mark. */
        if (!yaml_parser_parse(&parser, &ev))
            break;
        yaml_event_type_t type = ev.type;
        if (type == YAML_SEQUENCE_START_EVENT || type == YAML_MAPPING_START_EVENT) {
            if (++depth > RL_PROFILE_MAX_NESTING) {
                snprintf(err, errlen, "%s:%lu:%lu: nesting deeper than %d levels; a profile needs a handful "
                         "(top level, match, all/any groups): flatten the lists and mappings here",
                         path, (unsigned long)ev.start_mark.line + 1, (unsigned long)ev.start_mark.column + 1,
                         RL_PROFILE_MAX_NESTING);
                rc = -1;
            }
        } else if (type == YAML_SEQUENCE_END_EVENT || type == YAML_MAPPING_END_EVENT) {
            depth--;
        }
        yaml_event_delete(&ev);
        if (rc < 0 || type == YAML_STREAM_END_EVENT)
            break;
    }
    yaml_parser_delete(&parser);
    rewind(f);
    return rc;
}
