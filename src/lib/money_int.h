/* money_int: what money.c and currency_table.c share (not public API). */
#ifndef POS_MONEY_INT_H
#define POS_MONEY_INT_H

#include <stddef.h>

#include "money.h"

/* The ISO 4217 list, sorted by alpha code (currency_table.c). */
extern const struct currency money__currencies[];
extern const size_t money__currency_count;

#endif
