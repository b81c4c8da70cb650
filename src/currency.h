/*
 * currency.h -- ISO 4217 currency codes (organization.currency).
 */
#ifndef DRGEN_CURRENCY_H
#define DRGEN_CURRENCY_H

#include <stdbool.h>

/* Whether code is an active ISO 4217 alphabetic code ("EUR"); exact case. */
bool currency_known(const char *code);

#endif
