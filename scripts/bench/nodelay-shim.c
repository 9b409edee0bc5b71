/* LD_PRELOAD shim: turns on TCP_NODELAY on every TCP socket a program connects or accepts.
 * Debian's DCMTK leaves Nagle's algorithm on, which stalls each small DIMSE message by
 * about 40 ms (delayed ACK); benchmarks force it off so they compare protocol work, not timers.
 * Build: cc -shared -fPIC -O2 -o nodelay-shim.so nodelay-shim.c -ldl */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

static void set_nodelay(int fd) {
    int one = 1;
    /* Fails harmlessly (ENOPROTOOPT/ENOTSOCK) on non-TCP descriptors. */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

int connect(int fd, const struct sockaddr *addr, socklen_t len) {
    static int (*real_connect)(int, const struct sockaddr *, socklen_t);
    if (!real_connect) real_connect = dlsym(RTLD_NEXT, "connect");
    set_nodelay(fd);
    return real_connect(fd, addr, len);
}

int accept(int fd, struct sockaddr *addr, socklen_t *len) {
    static int (*real_accept)(int, struct sockaddr *, socklen_t *);
    if (!real_accept) real_accept = dlsym(RTLD_NEXT, "accept");
    int client = real_accept(fd, addr, len);
    if (client >= 0) set_nodelay(client);
    return client;
}

int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) {
    static int (*real_accept4)(int, struct sockaddr *, socklen_t *, int);
    if (!real_accept4) real_accept4 = dlsym(RTLD_NEXT, "accept4");
    int client = real_accept4(fd, addr, len, flags);
    if (client >= 0) set_nodelay(client);
    return client;
}
