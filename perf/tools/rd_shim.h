/* Stand-ins for the librdkafka-internal helpers that the packaged rdkafka_performance.c example
 * includes ("rd.h", "rdtime.h", "../src/rd.h"); the Debian package does not ship them. Only what
 * the example uses: a monotonic microsecond clock, min/max and snprintf. */
#ifndef RINGLOG_RD_SHIM_H
#define RINGLOG_RD_SHIM_H
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <getopt.h>
#include <unistd.h>
#include <stdlib.h>

typedef int64_t rd_ts_t;

static inline rd_ts_t rd_clock(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (rd_ts_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

#ifndef RD_MAX
#define RD_MAX(a, b) ((a) > (b) ? (a) : (b))
#define RD_MIN(a, b) ((a) < (b) ? (a) : (b))
#endif
#define rd_snprintf snprintf
#endif
