/**
 * The `ours-*` peers of `npm run bench:gateway`: the rendered gateway config with one setting
 * changed (or one environment variable set), to measure each tuning step against "ours" in the
 * same run. Each edit finds the exact line it changes and throws when the rendered config no
 * longer has it, so a variant never silently measures the unchanged config.
 */

/** One variant: an edit of the rendered nginx.conf and/or environment for the nginx master. */
export interface GatewayVariant {
    /** What it changes, for the benchmark's legend. */
    what: string;
    edit?: (config: string) => string;
    /** Set in the master's environment at start; the worker inherits it (as a container's `env`). */
    env?: Record<string, string>;
}

function must(config: string, pattern: RegExp, what: string): void {
    if (!pattern.test(config))
        throw new Error(`the rendered config has no ${what} any more; update bench/support/gateway-variants.ts`);
}

/** Sets `worker_processes`. */
function workers(config: string, n: number): string {
    must(config, /^worker_processes \d+;$/m, "worker_processes line");
    return config.replace(/^worker_processes \d+;$/m, `worker_processes ${n};`);
}

/** Replaces every `directive ...;` line (at any depth) with `directive value;`, or removes them (null). */
function directive(config: string, name: string, value: string | null): string {
    const line = new RegExp(`^( *)${name} [^\\n]*;\\n`, "gm");
    must(config, line, `${name} line`);
    return config.replace(line, value === null ? "" : `$1${name} ${value};\n`);
}

/** Adds `line` to the write server, next to `proxy_request_buffering off;`. */
function inWriteServer(config: string, line: string): string {
    const anchor = /^( *)proxy_request_buffering off;$/m;
    must(config, anchor, "proxy_request_buffering line in the write server");
    return config.replace(anchor, `$1proxy_request_buffering off;\n$1${line}`);
}

/** Adds `line` at the http level, next to `server_tokens off;`. */
function inHttp(config: string, line: string): string {
    const anchor = /^( *)server_tokens off;$/m;
    must(config, anchor, "server_tokens line");
    return config.replace(anchor, `$1server_tokens off;\n$1${line}`);
}

/** Sets the write server's body buffer (`null`: nginx's default, 16 KiB on x86-64). */
function bodyBuffer(config: string, size: string | null): string {
    const without = directive(config, "client_body_buffer_size", null);
    return size === null ? without : inWriteServer(without, `client_body_buffer_size ${size};`);
}

/**
 * glibc's malloc keeps freed memory below the heap top, and allocations under its (dynamic)
 * mmap threshold on the heap. With the threshold at 64 KiB, the 64 KiB body buffers and larger
 * blocks are mmapped and unmapped when freed; a 128 KiB trim threshold returns the heap top sooner.
 */
export const GLIBC_TRIM_TUNABLES = "glibc.malloc.mmap_threshold=65536:glibc.malloc.trim_threshold=131072";

function pcreJit(config: string): string {
    return `pcre_jit on;\n${config}`;
}

/**
 * Every location's `proxy_set_header` lines replaced by one set at the http level, which every
 * location inherits as none sets its own; the per-upstream Host comes from a map on the upstream
 * block's name. Each location's own header set is a hash and compiled scripts in memory.
 */
function inheritedHeaders(config: string): string {
    const hosts = [...config.matchAll(/^ *upstream (\S+) \{\n *server (\S+);$/gm)].map(([, name, host]) => [
        name,
        host,
    ]);
    const tenant = /proxy_set_header X-Scope-OrgID ("[^"]+");/.exec(config)?.[1];
    must(config, /^ *proxy_set_header /m, "proxy_set_header line");
    if (hosts.length === 0 || tenant === undefined) throw new Error("no upstream blocks or tenant header to move");
    const http = [
        "map $proxy_host $mla_upstream_host {",
        ...hosts.map(([name, host]) => `    ${name} "${host}";`),
        "}",
        `proxy_set_header X-Scope-OrgID ${tenant};`,
        "proxy_set_header Host $mla_upstream_host;",
        'proxy_set_header Connection "";',
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        'proxy_set_header X-MLA-Read-Token "";',
    ];
    return inHttp(directive(config, "proxy_set_header", null), http.join("\n"));
}

/** The variants by peer name. */
export const GATEWAY_VARIANTS: Record<string, GatewayVariant> = {
    "ours-today": {
        what: "the settings before tuning: two workers, nginx's 16 KiB body buffer",
        edit: (c) => workers(bodyBuffer(c, null), 2),
    },
    "ours-2w": { what: "two workers", edit: (c) => workers(c, 2) },
    "ours-16k": { what: "nginx's default body buffer (16 KiB)", edit: (c) => bodyBuffer(c, null) },
    "ours-32k": { what: "32 KiB body buffer", edit: (c) => bodyBuffer(c, "32k") },
    "ours-64k": { what: "64 KiB body buffer", edit: (c) => bodyBuffer(c, "64k") },
    "ours-128k": { what: "128 KiB body buffer", edit: (c) => bodyBuffer(c, "128k") },
    "ours-256k": { what: "256 KiB body buffer", edit: (c) => bodyBuffer(c, "256k") },
    "ours-noka": {
        what: "no upstream keepalive (a new upstream connection per push)",
        edit: (c) => directive(c, "keepalive", null),
    },
    "ours-trim": {
        what: `GLIBC_TUNABLES=${GLIBC_TRIM_TUNABLES} in nginx's environment`,
        env: { GLIBC_TUNABLES: GLIBC_TRIM_TUNABLES },
    },
    "ours-logunbuf": {
        what: "access log unbuffered (one write per request)",
        edit: (c) => c.replace(/^( *access_log \S+ mla) buffer=\S+ flush=\S+;$/m, "$1;"),
    },
    "ours-nolimit": { what: "no limit_req (what the limiter costs)", edit: (c) => directive(c, "limit_req", null) },
    "ours-jit": { what: "pcre_jit on (the certificate map's regexes compiled)", edit: pcreJit },
    "ours-kr10k": {
        what: "keepalive_requests 10000 on the write server (nginx's default 1000)",
        edit: (c) => inWriteServer(c, "keepalive_requests 10000;"),
    },
    "ours-sslbuf4k": { what: "ssl_buffer_size 4k (default 16k)", edit: (c) => inWriteServer(c, "ssl_buffer_size 4k;") },
    "ours-inherit-hdrs": {
        what: "proxy_set_header once at the http level, inherited by every location (Host from a map on $proxy_host)",
        edit: inheritedHeaders,
    },
    "ours-wc512": {
        what: "worker_connections 512 (nginx's default)",
        edit: (c) => directive(c, "worker_connections", "512"),
    },
    "ours-nodelay0": { what: "tcp_nodelay off", edit: (c) => inHttp(c, "tcp_nodelay off;") },
};

/** The rendered config with the variant's edit applied. */
export function variantConfig(config: string, variant: GatewayVariant): string {
    const edited = variant.edit ? variant.edit(config) : config;
    if (variant.edit && edited === config) throw new Error(`variant "${variant.what}" changed nothing`);
    return edited;
}
