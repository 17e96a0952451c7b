/*
 * Does the C library give back what closed connections held? A stand-in for a gateway worker's
 * heap, for bench/RESULTS.md: `n` connections each allocate a mix of small blocks (about 26 KB,
 * like an idle kept-alive mTLS connection in nginx), one small long-lived block is allocated after
 * each (as later allocations pin a heap), then every connection closes. Prints RssAnon at each step.
 *
 * It answers which allocator the gateway image's libc has, not what nginx itself allocates: the
 * bench runs Debian's nginx (glibc), the deployed image is Alpine's (musl).
 *
 *   gcc -O2 heap-retention.c -o heap-glibc && ./heap-glibc 900
 *   GLIBC_TUNABLES=glibc.malloc.trim_threshold=0 ./heap-glibc 900
 *   musl-gcc -O2 -static heap-retention.c -o heap-musl && ./heap-musl 900   (Debian: musl-tools)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long anon_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "RssAnon:", 8) == 0) kib = atol(line + 8);
    if (f) fclose(f);
    return kib;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 900;
    static const int sizes[] = {512, 1024, 4096, 2048, 96, 200, 64, 1500, 320, 48, 7000, 800, 128, 3000, 256, 4200};
    enum { K = sizeof sizes / sizeof sizes[0] };
    void ***conn = calloc((size_t)n, sizeof *conn);
    void **pins = calloc((size_t)n, sizeof *pins);
    printf("start          RssAnon %6ld KiB\n", anon_kib());
    for (int i = 0; i < n; i++) {
        conn[i] = calloc(K, sizeof(void *));
        for (int k = 0; k < K; k++) {
            conn[i][k] = malloc((size_t)sizes[k]);
            memset(conn[i][k], 1, (size_t)sizes[k]);
        }
        pins[i] = malloc(64);
        memset(pins[i], 1, 64);
    }
    printf("%4d open       RssAnon %6ld KiB\n", n, anon_kib());
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < K; k++) free(conn[i][k]);
        free(conn[i]);
    }
    printf("all closed     RssAnon %6ld KiB\n", anon_kib());
    return 0;
}
