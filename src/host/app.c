/* app: the table of posd's apps. */
#include "host/app.h"

#include <string.h>

const struct posd_app *app_get(const char *name)
{
    if (name == NULL || name[0] == '\0' || strcmp(name, "iso8583") == 0)
        return app_iso_get();
    if (strcmp(name, "echo") == 0)
        return app_echo_get();
    return NULL;
}
