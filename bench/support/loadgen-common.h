/*
 * What the compiled load generators (loadgen.c, putgen.c) share: a monotonic clock, parsing an
 * HTTP/1.1 answer's head and reading one whole answer (its head, then a Content-Length body). Include it once, after <stdio.h>,
 * <stdlib.h>, <string.h>/<strings.h> and <time.h>.
 */
#ifndef MLA_BENCH_LOADGEN_COMMON_H
#define MLA_BENCH_LOADGEN_COMMON_H

/* Seconds on the monotonic clock. */
static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Parses an answer's head, `buf` up to `end` (where "\r\n\r\n" starts): its status (returned, or
 * -1), *clen its Content-Length (0 when none), *close_after whether the server will close.
 */
static int parse_head(const char *buf, const char *end, long *clen, int *close_after) {
    int status = 0;
    if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1) return -1;
    *clen = 0;
    *close_after = 0;
    for (const char *p = buf; p < end; p++) {
        if (strncasecmp(p, "\ncontent-length:", 16) == 0) *clen = strtol(p + 16, NULL, 10);
        if (strncasecmp(p, "\nconnection: close", 18) == 0) *close_after = 1;
    }
    return status;
}

/* Reads up to `len` bytes of the connection `ctx` into `buf`: the count, or 0 / -1 at its end. */
typedef int (*answer_read_fn)(void *ctx, char *buf, size_t len);

/*
 * Reads one whole answer from `ctx` through `rd`; returns its status, or -1. Sets *close_after
 * when the server says it will close the connection.
 */
static int read_answer_with(answer_read_fn rd, void *ctx, int *close_after) {
    char buf[16384];
    size_t have = 0;
    char *end = NULL;
    while (!end) {
        if (have >= sizeof buf - 1) return -1;
        int n = rd(ctx, buf + have, sizeof buf - 1 - have);
        if (n <= 0) return -1;
        have += (size_t)n;
        buf[have] = 0;
        end = strstr(buf, "\r\n\r\n");
    }
    long clen;
    int status = parse_head(buf, end, &clen, close_after);
    if (status < 0) return -1;
    for (long body = (long)(have - (size_t)(end + 4 - buf)); body < clen;) {
        int n = rd(ctx, buf, sizeof buf);
        if (n <= 0) return -1;
        body += n;
    }
    return status;
}

#endif
