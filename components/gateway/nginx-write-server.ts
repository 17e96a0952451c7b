/**
 * The write server of the gateway's nginx.conf: the mTLS listener the user cluster's agents push
 * to, and the map from their client certificate to their role.
 *
 * - A write route hit with another method answers 405 (with `Allow: POST`); unknown paths,
 *   including every read path, answer 404. Both happen before rate limiting and proxying.
 * - Least privilege: the client certificate's CN names the agent (`pki-profile.ts`), and each
 *   write route admits one agent only (403 for the other).
 */
import { indent, limitLine, proxyLines, serverBlock } from "./nginx-blocks";
import { type NginxConfigParams, formatListen } from "./nginx-config-params";
import { WRITE_ROUTES, type WriteRole } from "./read-routes";
import { pkiProfile } from "../pki/pki-profile";

/**
 * nginx regex for a certificate subject (RFC 2253, any RDN order) whose CN is `commonName`. An
 * RDN starts at the beginning or after an unescaped comma, so `O=x\,CN=...` cannot pose as a CN.
 */
function cnRegex(commonName: string): string {
    // \x5c is a backslash; a literal one would need two levels of escaping (nginx, then PCRE).
    return `~(^|[^\\x5c],)CN=${commonName.replace(/[.]/g, "\\.")}(,|$)`;
}

/** The map from a verified client certificate to its agent role (`$mla_client_role`). */
export function clientRoleMap(tenantId: string): string[] {
    const profile = pkiProfile(tenantId);
    const roles: Record<WriteRole, string> = {
        metrics: profile.metricsAgent.commonName,
        logs: profile.logAgent.commonName,
    };
    return [
        "# Which agent a verified client certificate belongs to (its CN, as ClusterPki issues it).",
        "map $ssl_client_s_dn $mla_client_role {",
        '    default "";',
        ...(Object.keys(roles) as WriteRole[]).map((role) => `    ${cnRegex(roles[role])} ${role};`),
        "}",
    ];
}

/** The write listener's `server` block. */
export function writeServer(p: NginxConfigParams): string[] {
    const locations = WRITE_ROUTES.flatMap((route) => {
        const body = p.suspended
            ? [`add_header Retry-After ${p.retryAfterSeconds} always;`, "return 503;"]
            : [limitLine(route.zone, p.limits[route.zone]), ...proxyLines(p, route.upstream, "")];
        return [
            `location = ${route.location} {`,
            ...indent(
                [
                    "if ($request_method != POST) {",
                    "    add_header Allow POST always;",
                    "    return 405;",
                    "}",
                    `# Only the ${route.role === "metrics" ? "metrics" : "log"} agent's certificate may push here.`,
                    `if ($mla_client_role != "${route.role}") {`,
                    "    return 403;",
                    "}",
                    "# Agents always send Content-Length; a chunked body could only be size-checked while",
                    "# it is already being streamed to the distributor.",
                    'if ($http_content_length = "") {',
                    "    return 411;",
                    "}",
                    ...body,
                ],
                1,
            ),
            "}",
        ];
    });
    return serverBlock("# Write listener: the only door from the user cluster. mTLS against this cluster's CA only.", [
        `listen ${formatListen(p.writeListen)} ssl;`,
        `ssl_certificate ${p.tls.certPath};`,
        `ssl_certificate_key ${p.tls.keyPath};`,
        "ssl_protocols TLSv1.3;",
        `ssl_client_certificate ${p.tls.caPath};`,
        "ssl_verify_client on;",
        "# Agent certificates are issued directly by the cluster CA; no intermediates (OpenSSL's depth",
        "# counts the CAs between the leaf and the trusted CA: 1, nginx's default, admits one).",
        "ssl_verify_depth 0;",
        "ssl_session_tickets off;",
        `client_max_body_size ${p.limits.maxBodySize};`,
        "# Stream each push to the distributor as it arrives instead of spooling it first: with",
        "# Content-Length required, nginx refuses an oversized body (413) before forwarding a byte.",
        "# bench/RESULTS.md measures what this gains over a buffering proxy.",
        "proxy_request_buffering off;",
        "# Read a real remote-write batch (35-280 KB) in 64 KiB chunks rather than 16 KiB ones: fewer",
        "# writes to the upstream per push. 128k cost more CPU per GiB at 280 KB (bench/RESULTS.md).",
        "# Still streamed, so the 413 check above holds.",
        "client_body_buffer_size 64k;",
        "",
        ...locations,
    ]);
}
