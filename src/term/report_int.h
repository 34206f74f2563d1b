/* report_int: helpers shared by report.c (X and Z) and report_sales.c
 * (the sales report). Not part of the public contract. */
#ifndef POS_TERM_REPORT_INT_H
#define POS_TERM_REPORT_INT_H

#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "error.h"
#include "money.h"
#include "store/store.h"

/* *acc += v, POS_ERR_OVERFLOW (and *acc unchanged) when it does not fit. */
int report__add(int64_t *acc, int64_t v);

/* A JSON string of minor in cur's decimal form ("12.34"), NULL on no memory. */
json_t *report__money(int64_t minor, const struct currency *cur);

/* Local broken-down time of Unix ms (localtime_r). POS_ERR_RANGE when the
 * platform cannot convert it. */
int report__local(int64_t ms, struct tm *out);

/* Fills d from the store's last error and returns rc (rc unchanged). */
int report__dberr(struct store *db, int rc, struct pos_errdetail *d);

#endif
