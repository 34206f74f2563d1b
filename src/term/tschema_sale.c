/* tschema_sale: terminal schema version 2, the sales (owned by sale.c). */
#include "term/tschema.h"

const char *const tschema_v2[] = {
    "CREATE TABLE sale_placeholder (id INTEGER PRIMARY KEY)",
    NULL,
};
