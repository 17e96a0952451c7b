/*
 * A compiled load generator for `npm run bench:gateway`, so that the client's TLS does not share
 * the gateway's bottleneck the way a Node client on the same cores did.
 *
 *   loadgen load <host> <port> <path> <ca|-> <cert|-> <key|-> <concurrency> <bytes> <seconds>
 *       Closed loop: `concurrency` threads, one kept-alive connection each, POST `bytes` of
 *       high-entropy payload (like a snappy-compressed remote-write body) with Content-Length.
 *       "-" for ca means plain HTTP. TLS 1.3, AES-128-GCM offered first, as Go clients do.
 *   loadgen handshake <host> <port> <ca> <cert> <key> <connections> <parallel>
 *       A reconnect storm: `connections` full mTLS handshakes (no session resumption), each
 *       followed by one tiny request so the server has verified the client certificate,
 *       `parallel` at a time.
 *
 *   loadgen idle <host> <port> <path> <ca> <cert> <key> <connections> <bytes>
 *       Many idle agents: opens `connections` mTLS connections one after another, sends one POST
 *       of `bytes` on each and keeps them all open; prints one JSON line once all are open, then
 *       holds them until standard input closes, and closes them all.
 *
 * Each prints one JSON line. The upstream the gateways forward to is sink.c.
 * Build: gcc -O2 -pthread loadgen.c -lssl -lcrypto (the benchmark does it).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "loadgen-common.h"

#define MAX_LAT (1 << 18)

static const char *g_host, *g_path;
static int g_port;
static SSL_CTX *g_ctx;
static char *g_req;
static size_t g_req_len;
static double g_deadline;
static atomic_long g_ok, g_errors, g_non2xx, g_next;
static long g_total;

typedef struct {
    int fd;
    SSL *ssl;
} conn_t;

static int conn_open(conn_t *c) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(g_port)};
    inet_pton(AF_INET, g_host, &a.sin_addr);
    c->ssl = NULL;
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (c->fd < 0) return -1;
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(c->fd);
        return -1;
    }
    if (g_ctx) {
        c->ssl = SSL_new(g_ctx);
        SSL_set_fd(c->ssl, c->fd);
        SSL_set_tlsext_host_name(c->ssl, "localhost");
        if (SSL_connect(c->ssl) != 1) {
            SSL_free(c->ssl);
            close(c->fd);
            return -1;
        }
    }
    return 0;
}

static void conn_close(conn_t *c) {
    if (c->ssl) {
        SSL_shutdown(c->ssl);
        SSL_free(c->ssl);
    }
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
    c->ssl = NULL;
}

static int conn_write(conn_t *c, const char *buf, size_t len) {
    while (len > 0) {
        int n = c->ssl ? SSL_write(c->ssl, buf, (int)len) : (int)write(c->fd, buf, len);
        if (n <= 0) return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static int conn_read(conn_t *c, char *buf, size_t len) {
    if (!c->ssl) return (int)read(c->fd, buf, len);
    int n = SSL_read(c->ssl, buf, (int)len);
    if (n <= 0 && getenv("LOADGEN_DEBUG")) {
        fprintf(stderr, "SSL_read: %d err %d\n", n, SSL_get_error(c->ssl, n));
        ERR_print_errors_fp(stderr);
    }
    return n;
}

static int conn_read_answer(void *c, char *buf, size_t len) { return conn_read(c, buf, len); }

/* Reads one response; returns the status, or -1. Sets *close_after when the server closes. */
static int read_response(conn_t *c, int *close_after) { return read_answer_with(conn_read_answer, c, close_after); }

typedef struct {
    double *lat;
    long n;
} thread_lat_t;

static void *load_thread(void *arg) {
    thread_lat_t *tl = arg;
    conn_t c = {.fd = -1};
    while (now() < g_deadline) {
        if (c.fd < 0 && conn_open(&c) != 0) {
            if (g_errors++ < 3) fprintf(stderr, "loadgen: connect failed (errno %d)\n", errno);
            usleep(10000);
            continue;
        }
        double t0 = now();
        int close_after = 0;
        int status = conn_write(&c, g_req, g_req_len) == 0 ? read_response(&c, &close_after) : -1;
        if (status < 0) {
            if (g_errors++ < 3) fprintf(stderr, "loadgen: request failed after %.1f ms (errno %d)\n", (now() - t0) * 1000.0, errno);
            conn_close(&c);
            continue;
        }
        if (status >= 200 && status < 300) {
            g_ok++;
            if (tl->n < MAX_LAT) tl->lat[tl->n++] = (now() - t0) * 1000.0;
        } else {
            g_non2xx++;
        }
        if (close_after) conn_close(&c);
    }
    conn_close(&c);
    return NULL;
}

static void *handshake_thread(void *arg) {
    (void)arg;
    static const char probe[] = "GET /mla-bench-probe HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    for (;;) {
        long i = g_next++;
        if (i >= g_total) break;
        conn_t c;
        int close_after = 0;
        if (conn_open(&c) != 0) {
            g_errors++;
            continue;
        }
        if (conn_write(&c, probe, sizeof probe - 1) == 0 && read_response(&c, &close_after) > 0) g_ok++;
        else g_errors++;
        conn_close(&c);
    }
    return NULL;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static SSL_CTX *make_ctx(const char *ca, const char *cert, const char *key) {
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
    /* Go's crypto/tls prefers AES-128-GCM on CPUs with AES instructions. */
    SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256");
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1 || SSL_CTX_use_certificate_file(ctx, cert, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
        ERR_print_errors_fp(stderr);
        exit(2);
    }
    return ctx;
}

/* The request every connection sends: a remote-write-like POST of `bytes` to g_path. */
static void build_request(size_t bytes) {
    char head[512];
    int hl = snprintf(head, sizeof head,
                      "POST %s HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-protobuf\r\n"
                      "Content-Encoding: snappy\r\nX-Prometheus-Remote-Write-Version: 0.1.0\r\nContent-Length: %zu\r\n\r\n",
                      g_path, bytes);
    g_req_len = (size_t)hl + bytes;
    g_req = malloc(g_req_len);
    memcpy(g_req, head, (size_t)hl);
    /* Compressed bodies are high-entropy: xorshift bytes, so nothing on the path compresses them. */
    unsigned long long s = 88172645463325252ULL;
    for (size_t i = 0; i < bytes; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        g_req[hl + i] = (char)(s >> 24);
    }
}

int main(int argc, char **argv) {
    if (argc == 11 && strcmp(argv[1], "load") == 0) {
        g_host = argv[2];
        g_port = atoi(argv[3]);
        g_path = argv[4];
        if (strcmp(argv[5], "-") != 0) g_ctx = make_ctx(argv[5], argv[6], argv[7]);
        int conc = atoi(argv[8]);
        size_t bytes = strtoul(argv[9], NULL, 10);
        double seconds = atof(argv[10]);
        build_request(bytes);
        pthread_t th[conc];
        thread_lat_t tl[conc];
        double start = now();
        g_deadline = start + seconds;
        for (int i = 0; i < conc; i++) {
            tl[i].lat = malloc(sizeof(double) * MAX_LAT);
            tl[i].n = 0;
            pthread_create(&th[i], NULL, load_thread, &tl[i]);
        }
        long total = 0;
        for (int i = 0; i < conc; i++) {
            pthread_join(th[i], NULL);
            total += tl[i].n;
        }
        double elapsed = now() - start;
        double *all = malloc(sizeof(double) * (size_t)(total > 0 ? total : 1));
        long k = 0;
        for (int i = 0; i < conc; i++)
            for (long j = 0; j < tl[i].n; j++) all[k++] = tl[i].lat[j];
        qsort(all, (size_t)total, sizeof(double), cmp);
        double p50 = total ? all[(long)(0.50 * total)] : 0, p99 = total ? all[(long)(0.99 * total)] : 0;
        printf("{\"requests\":%ld,\"errors\":%ld,\"non2xx\":%ld,\"seconds\":%.4f,\"p50Ms\":%.4f,\"p99Ms\":%.4f}\n", (long)g_ok,
               (long)g_errors, (long)g_non2xx, elapsed, p50, p99);
        return 0;
    }
    if (argc == 9 && strcmp(argv[1], "handshake") == 0) {
        g_host = argv[2];
        g_port = atoi(argv[3]);
        g_ctx = make_ctx(argv[4], argv[5], argv[6]);
        g_total = atol(argv[7]);
        int par = atoi(argv[8]);
        pthread_t th[par];
        double start = now();
        for (int i = 0; i < par; i++) pthread_create(&th[i], NULL, handshake_thread, NULL);
        for (int i = 0; i < par; i++) pthread_join(th[i], NULL);
        double elapsed = now() - start;
        printf("{\"handshakes\":%ld,\"errors\":%ld,\"seconds\":%.4f}\n", (long)g_ok, (long)g_errors, elapsed);
        return 0;
    }
    if (argc == 10 && strcmp(argv[1], "idle") == 0) {
        g_host = argv[2];
        g_port = atoi(argv[3]);
        g_path = argv[4];
        g_ctx = make_ctx(argv[5], argv[6], argv[7]);
        long n = atol(argv[8]);
        build_request(strtoul(argv[9], NULL, 10));
        conn_t *conns = calloc((size_t)n, sizeof *conns);
        long open = 0, errors = 0;
        for (long i = 0; i < n; i++) {
            int close_after = 0;
            conns[i].fd = -1;
            if (conn_open(&conns[i]) != 0) {
                errors++;
                continue;
            }
            int status = conn_write(&conns[i], g_req, g_req_len) == 0 ? read_response(&conns[i], &close_after) : -1;
            if (status < 200 || status >= 300 || close_after) {
                errors++;
                conn_close(&conns[i]);
                continue;
            }
            open++;
        }
        printf("{\"open\":%ld,\"errors\":%ld}\n", open, errors);
        fflush(stdout);
        char buf[64];
        while (read(0, buf, sizeof buf) > 0) {
        }
        for (long i = 0; i < n; i++)
            if (conns[i].fd >= 0) conn_close(&conns[i]);
        return 0;
    }
    fprintf(stderr, "usage: see the comment at the top of loadgen.c\n");
    return 2;
}
