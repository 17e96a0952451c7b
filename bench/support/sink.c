/*
 * The upstream of `npm run bench:gateway`: every gateway peer forwards to it. It answers 204 to
 * each request once it has read the whole body (an upstream that answers early makes nginx drop
 * the client connection), one thread per connection.
 *
 *   sink <port>
 *
 * Build: gcc -O2 -pthread sink.c (the benchmark does it).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static void *sink_thread(void *arg) {
    int fd = (int)(long)arg;
    static const char resp[] = "HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n\r\n";
    char *buf = malloc(1 << 16);
    size_t have = 0;
    for (;;) {
        char *end = NULL;
        while (!(end = memmem(buf, have, "\r\n\r\n", 4))) {
            if (have >= (1 << 16)) goto out;
            ssize_t n = read(fd, buf + have, (1 << 16) - have);
            if (n <= 0) goto out;
            have += (size_t)n;
        }
        long clen = 0;
        for (char *p = buf; p < end; p++)
            if (strncasecmp(p, "\ncontent-length:", 16) == 0) clen = strtol(p + 16, NULL, 10);
        size_t head = (size_t)(end + 4 - buf);
        long in_buf = (long)(have - head);
        long need = clen - (in_buf < clen ? in_buf : clen);
        size_t extra = in_buf > clen ? (size_t)(in_buf - clen) : 0;
        memmove(buf, buf + head + (size_t)(clen < in_buf ? clen : in_buf), extra);
        have = extra;
        while (need > 0) {
            ssize_t n = read(fd, buf + have, (1 << 16) - have);
            if (n <= 0) goto out;
            if (n <= need) {
                need -= n;
            } else {
                memmove(buf, buf + have + need, (size_t)(n - need));
                have = (size_t)(n - need);
                need = 0;
            }
        }
        if (write(fd, resp, sizeof resp - 1) != (ssize_t)(sizeof resp - 1)) goto out;
    }
out:
    free(buf);
    close(fd);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc == 2) {
        int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
        setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
        inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
        if (bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 1024) != 0) {
            perror("sink");
            return 1;
        }
        for (;;) {
            int fd = accept(ls, NULL, NULL);
            if (fd < 0) continue;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            pthread_t th;
            pthread_create(&th, NULL, sink_thread, (void *)(long)fd);
            pthread_detach(th);
        }
    }
    fprintf(stderr, "usage: sink <port>\n");
    return 2;
}
