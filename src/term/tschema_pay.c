/* tschema_pay: terminal schema version 3, the payments (owned by payclient.c). */
#include "term/tschema.h"

const char *const tschema_v3[] = {
    "CREATE TABLE pay_placeholder (id INTEGER PRIMARY KEY)",
    NULL,
};
