/*
 * A compiled HTTP load generator for `npm run bench:service`, so that the client does not take
 * the cores the service needs (a `node:http` one cost 0.25-0.6 ms of CPU per request).
 *
 *   putgen <host> <port> <requests-file> <concurrency>
 *       The file holds whole HTTP/1.1 requests, each as "<bytes>\n" then the request: first a
 *       probe, then the burst. putgen opens `concurrency` kept-alive plain-TCP connections,
 *       sends the probe on each (as a client's kept-alive connections have served requests),
 *       prints {"ready":N} and waits for a line on standard input. Then, closed loop on one
 *       thread (epoll), each connection sends the next burst request and reads its whole answer
 *       until every one has been sent. It prints one JSON line: answers with status 202, others
 *       (and the first such status), connection errors, the wall time, p50 and p99 latency (send
 *       to whole answer) and its own CPU seconds during the burst. MLA_BENCH_LATENCIES=FILE
 *       also appends each answered request's send time into the burst and its latency to FILE.
 *
 * Build: gcc -O2 putgen.c (the benchmark does it).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "loadgen-common.h"

static char **g_req;
static size_t *g_len;
static long g_count;
static double *g_lat, *g_sent;
static long g_next, g_accepted, g_other, g_errors;
static int g_first_other;

static double cpu_seconds(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int connect_to(const char *host, int port) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, host, &a.sin_addr);
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    if (fd < 0) return -1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int write_all(int fd, const char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n <= 0) return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static int fd_read(void *ctx, char *buf, size_t len) { return (int)read(*(int *)ctx, buf, len); }

/* Records the answer `status` to request `i`, sent at `t0`. */
static void record(long i, double t0, int status) {
    g_lat[i] = (now() - t0) * 1000.0;
    g_sent[i] = t0;
    if (status == 202) {
        g_accepted++;
    } else if (g_other++ == 0) {
        g_first_other = status;
    }
}

/* A connection of the single-threaded burst: the request in flight and how far its answer is read. */
struct conn {
    int fd, want_out, status, close_after;
    long req;       /* the request in flight, -1 once the connection is done */
    size_t sent, have; /* bytes of the request written, of the answer's head read */
    long body_left; /* -1 while the head is read */
    double t0;
    char head[16384];
};

/* Writes what the socket takes of the request in flight; waits for EPOLLOUT for the rest. */
static int pump_write(int ep, struct conn *c) {
    while (c->sent < g_len[c->req]) {
        ssize_t n = write(c->fd, g_req[c->req] + c->sent, g_len[c->req] - c->sent);
        if (n > 0)
            c->sent += (size_t)n;
        else if (n < 0 && errno == EAGAIN)
            break;
        else
            return -1;
    }
    int want_out = c->sent < g_len[c->req];
    if (want_out != c->want_out) {
        struct epoll_event ev = {.events = EPOLLIN | (want_out ? EPOLLOUT : 0), .data.ptr = c};
        epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
        c->want_out = want_out;
    }
    return 0;
}

/* Sends the next request on `c`, or closes it when none is left. */
static int start_next(int ep, struct conn *c) {
    c->req = g_next++;
    if (c->req >= g_count) {
        close(c->fd);
        c->req = -1;
        return 0;
    }
    c->sent = 0;
    c->have = 0;
    c->body_left = -1;
    c->t0 = now();
    return pump_write(ep, c);
}

/* Reads what has arrived of the answer: 1 once it is whole, 0 for more to come, -1 on an error. */
static int pump_read(struct conn *c) {
    char body[16384];
    for (;;) {
        int head = c->body_left < 0;
        ssize_t n = head ? read(c->fd, c->head + c->have, sizeof c->head - 1 - c->have) : read(c->fd, body, sizeof body);
        if (n == 0) return -1;
        if (n < 0) return errno == EAGAIN ? 0 : -1;
        if (head) {
            c->have += (size_t)n;
            c->head[c->have] = 0;
            char *end = strstr(c->head, "\r\n\r\n");
            if (!end) {
                if (c->have >= sizeof c->head - 1) return -1;
                continue;
            }
            long clen;
            if ((c->status = parse_head(c->head, end, &clen, &c->close_after)) < 0) return -1;
            c->body_left = clen - (long)(c->have - (size_t)(end + 4 - c->head));
        } else {
            c->body_left -= n;
        }
        if (c->body_left <= 0) return 1;
    }
}

/*
 * The burst, on one thread with epoll. A thread per connection (before 2026-12) cost 3 times the
 * CPU on the cores the service shares, and each 202 woke a thread of its own (on loopback, the
 * service's write pays for that wake-up).
 */
/* Closes the open connection `c` for good, counting an error if `failed`. */
static void end_conn(struct conn *c, int failed, int *open) {
    if (failed) g_errors++;
    close(c->fd);
    c->req = -1;
    (*open)--;
}

static void burst_epoll(int *fds, int conc) {
    int ep = epoll_create1(0), open = 0;
    struct conn *cs = calloc((size_t)conc, sizeof *cs);
    for (int i = 0; i < conc; i++) {
        cs[i].fd = fds[i];
        fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &cs[i]};
        epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
    }
    for (int i = 0; i < conc; i++) {
        int r = start_next(ep, &cs[i]);
        if (cs[i].req < 0) continue;
        open++;
        if (r < 0) end_conn(&cs[i], 1, &open);
    }
    struct epoll_event evs[256];
    while (open > 0) {
        int n = epoll_wait(ep, evs, 256, -1);
        for (int k = 0; k < n; k++) {
            struct conn *c = evs[k].data.ptr;
            if (c->req < 0) continue;
            int r = 0;
            if ((evs[k].events & EPOLLOUT) && c->sent < g_len[c->req]) r = pump_write(ep, c);
            /* Read whenever there is something to read: an answer may come before the whole request went. */
            if (r == 0 && (evs[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) r = pump_read(c);
            if (r == 1) {
                record(c->req, c->t0, c->status);
                /* The server closes this connection, or answered before the whole request went. */
                if (c->close_after || c->sent < g_len[c->req]) {
                    end_conn(c, 0, &open);
                    continue;
                }
                r = start_next(ep, c);
                if (c->req < 0) open--;
            }
            if (r < 0) end_conn(c, 1, &open);
        }
    }
    close(ep);
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Reads the requests file into g_req / g_len. */
static int read_requests(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    long cap = 1024;
    g_req = malloc(sizeof *g_req * (size_t)cap);
    g_len = malloc(sizeof *g_len * (size_t)cap);
    size_t len;
    /* Each record: its length in decimal, one newline, then exactly that many bytes. */
    while (fscanf(f, "%zu", &len) == 1 && fgetc(f) == '\n') {
        if (g_count == cap) {
            cap *= 2;
            g_req = realloc(g_req, sizeof *g_req * (size_t)cap);
            g_len = realloc(g_len, sizeof *g_len * (size_t)cap);
        }
        g_req[g_count] = malloc(len);
        if (fread(g_req[g_count], 1, len, f) != len) return -1;
        g_len[g_count++] = len;
    }
    int whole = feof(f) || fgetc(f) == EOF;
    fclose(f);
    return whole ? 0 : -1;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: putgen <host> <port> <requests-file> <concurrency>\n");
        return 2;
    }
    if (read_requests(argv[3]) != 0 || g_count < 2) {
        fprintf(stderr, "putgen: cannot read requests from %s\n", argv[3]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN); /* a write to a reset connection is an error to count, not the end */
    int conc = atoi(argv[4]);
    g_lat = calloc((size_t)g_count, sizeof *g_lat);
    g_sent = calloc((size_t)g_count, sizeof *g_sent);
    int *fds = malloc(sizeof *fds * (size_t)conc);
    for (int i = 0; i < conc; i++) {
        if ((fds[i] = connect_to(argv[1], atoi(argv[2]))) < 0) {
            perror("putgen: connect");
            return 1;
        }
    }
    /* The probe on every connection, then the burst is the rest of the file. */
    for (int i = 0; i < conc; i++) {
        int close_after, status = -1;
        if (write_all(fds[i], g_req[0], g_len[0]) == 0) status = read_answer_with(fd_read, &fds[i], &close_after);
        if (status < 200 || status >= 300) {
            fprintf(stderr, "putgen: the probe answered %d\n", status);
            return 1;
        }
    }
    g_req++;
    g_len++;
    g_count--;
    printf("{\"ready\":%d}\n", conc);
    fflush(stdout);
    char go[16];
    if (!fgets(go, sizeof go, stdin)) return 1;
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall); /* the burst's start, to line up with MLA_BENCH_GC_LOG */
    double cpu0 = cpu_seconds(), start = now();
    burst_epoll(fds, conc);
    double seconds = now() - start, cpu = cpu_seconds() - cpu0;
    /* MLA_BENCH_LATENCIES=FILE: each request's send time (ms into the burst) and latency, a burst per block. */
    const char *dump = getenv("MLA_BENCH_LATENCIES");
    FILE *d = dump ? fopen(dump, "a") : NULL;
    if (d) {
        fprintf(d, "# burst: sent_ms latency_ms start_epoch_ms %.0f\n", wall.tv_sec * 1e3 + wall.tv_nsec / 1e6);
        for (long i = 0; i < g_count; i++)
            if (g_lat[i] > 0) fprintf(d, "%.3f %.3f\n", (g_sent[i] - start) * 1000.0, g_lat[i]);
        fclose(d);
    }
    double *sorted = malloc(sizeof *sorted * (size_t)g_count);
    long k = 0;
    for (long i = 0; i < g_count; i++)
        if (g_lat[i] > 0) sorted[k++] = g_lat[i];
    qsort(sorted, (size_t)k, sizeof *sorted, cmp);
    printf("{\"accepted\":%ld,\"other\":%ld,\"firstOther\":%d,\"errors\":%ld,\"seconds\":%.4f,\"p50Ms\":%.3f,"
           "\"p99Ms\":%.3f,\"cpuSeconds\":%.4f}\n",
           g_accepted, g_other, g_first_other, g_errors, seconds,
           k ? sorted[(long)(0.50 * k)] : 0, k ? sorted[(long)(0.99 * k)] : 0, cpu);
    return g_accepted + g_other == g_count ? 0 : 1;
}
