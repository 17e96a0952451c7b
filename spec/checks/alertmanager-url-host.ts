/**
 * Is a receiver URL aimed inside the seed? A pure, conservative check of one URL text, used by
 * the receiver egress checks (`alertmanager-egress.ts`).
 *
 * Two URL parsers read the same text: the Alertmanager's (Go `net/url`, then Go's or libc's
 * resolver) and ours. Where they could disagree, the URL is refused rather than guessed at:
 * userinfo (`http://public.example@10.0.0.1/`), backslashes, whitespace, percent-encoded hosts,
 * IPv6 zones, and IPv4 in any form but canonical dotted decimal (`http://2130706433/`,
 * `http://0x7f.1/`, `http://127.1/`, `http://0177.0.0.1/`; libc's `inet_aton` reads those as
 * 127.0.0.1). What is left is a host that is either a canonical IP literal, checked against the
 * blocked ranges, or a DNS name, checked against cluster-internal suffixes. A public-looking name
 * can still resolve inward (wildcard DNS, rebinding); the Cortex receiver firewall, which checks
 * every address the Alertmanager dials, is the layer for that (docs/tenant-isolation.md).
 */

/** A blocked address range: its CIDR and why it is blocked. */
export interface BlockedRange {
    cidr: string;
    why: string;
}

/** IPv4 ranges no receiver may name (RFC 6890 special-purpose space, plus cloud metadata addresses). */
export const BLOCKED_V4: readonly BlockedRange[] = [
    { cidr: "0.0.0.0/8", why: 'unspecified ("this network")' },
    { cidr: "10.0.0.0/8", why: "private (RFC 1918)" },
    { cidr: "100.64.0.0/10", why: "carrier-grade NAT (RFC 6598)" },
    { cidr: "127.0.0.0/8", why: "loopback" },
    { cidr: "169.254.169.254/32", why: "the cloud metadata address" },
    { cidr: "169.254.0.0/16", why: "link-local" },
    { cidr: "172.16.0.0/12", why: "private (RFC 1918)" },
    { cidr: "192.0.0.0/24", why: "IETF protocol assignments" },
    { cidr: "192.168.0.0/16", why: "private (RFC 1918)" },
    { cidr: "198.18.0.0/15", why: "benchmarking (RFC 2544)" },
    { cidr: "168.63.129.16/32", why: "the Azure platform (metadata) address" },
    { cidr: "224.0.0.0/4", why: "multicast" },
    { cidr: "240.0.0.0/4", why: "reserved" },
];

/** IPv6 ranges no receiver may name; IPv4-embedding prefixes are refused whole. */
export const BLOCKED_V6: readonly BlockedRange[] = [
    { cidr: "::/128", why: "unspecified" },
    { cidr: "::1/128", why: "loopback" },
    { cidr: "::ffff:0:0/96", why: "IPv4-mapped" },
    { cidr: "::/96", why: "IPv4-compatible" },
    { cidr: "64:ff9b::/96", why: "NAT64 (embeds an IPv4 address)" },
    { cidr: "64:ff9b:1::/48", why: "local-use NAT64" },
    { cidr: "2002::/16", why: "6to4 (embeds an IPv4 address)" },
    { cidr: "fd00:ec2::254/128", why: "the AWS metadata address" },
    { cidr: "fc00::/7", why: "unique local (ULA)" },
    { cidr: "fe80::/10", why: "link-local" },
    { cidr: "fec0::/10", why: "site-local" },
    { cidr: "ff00::/8", why: "multicast" },
];

/** Exact names that reach the node or the cloud's metadata service. */
const BLOCKED_NAMES = new Set(["localhost", "metadata.google.internal", "metadata", "instance-data.ec2.internal"]);

/**
 * Last labels that never name a public host: Kubernetes' own names, mDNS, private-use and
 * special-use suffixes. `<service>.<namespace>` names resolve through the pod's DNS search path,
 * so well-known namespaces are on the list too.
 */
const BLOCKED_LAST_LABELS = new Set([
    "local",
    "localhost",
    "localdomain",
    "internal",
    "intranet",
    "lan",
    "home",
    "corp",
    "private",
    "arpa",
    "svc",
    "cluster",
    "default",
    "mla",
    "test",
    "invalid",
    "example",
]);

/** Wildcard DNS services that resolve names like `10.0.0.1.nip.io` to the embedded address. */
const WILDCARD_DNS_SUFFIXES = ["nip.io", "sslip.io", "xip.io", "localtest.me", "lvh.me", "traefik.me", "local.gd"];

/** The receiver-URL schemes the Alertmanager speaks. */
const SCHEMES = new Set(["http", "https"]);

/** Parses a dotted-decimal IPv4 address in canonical form (no leading zeros); undefined otherwise. */
function canonicalV4(text: string): number[] | undefined {
    const parts = text.split(".");
    if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p))) return undefined;
    const bytes = parts.map(Number);
    return bytes.every((b) => b <= 255) ? bytes : undefined;
}

/** Parses an IPv6 literal (no brackets, no zone) into 16 bytes; undefined when malformed. */
export function parseV6(text: string): number[] | undefined {
    let s = text.toLowerCase();
    const lastColon = s.lastIndexOf(":");
    if (lastColon < 0) return undefined;
    const lastPart = s.slice(lastColon + 1);
    if (lastPart.includes(".")) {
        // An embedded dotted quad (`::ffff:10.0.0.1`) stands for the last two groups.
        const v4 = canonicalV4(lastPart);
        if (!v4) return undefined;
        s = `${s.slice(0, lastColon + 1)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
    }
    const halves = s.split("::");
    if (halves.length > 2) return undefined;
    const group = (h: string) => (h === "" ? [] : h.split(":"));
    const head = group(halves[0]);
    const rest = halves.length === 2 ? group(halves[1]) : [];
    if (![...head, ...rest].every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
    const missing = 8 - head.length - rest.length;
    if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
    const words = [...head, ...Array<string>(Math.max(missing, 0)).fill("0"), ...rest].map((g) => parseInt(g, 16));
    return words.flatMap((w) => [w >> 8, w & 0xff]);
}

function inRange(bytes: number[], cidr: string): boolean {
    const [net, lenText] = cidr.split("/");
    const netBytes = net.includes(":") ? parseV6(net) : canonicalV4(net);
    if (!netBytes || netBytes.length !== bytes.length) return false;
    let bits = Number(lenText);
    for (let i = 0; i < bytes.length && bits > 0; i++, bits -= 8) {
        const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
        if ((bytes[i] & mask) !== (netBytes[i] & mask)) return false;
    }
    return true;
}

/** Why an IP literal is refused, or undefined when it is a public unicast address. */
export function blockedAddressReason(bytes: number[]): string | undefined {
    const ranges = bytes.length === 4 ? BLOCKED_V4 : BLOCKED_V6;
    const hit = ranges.find((r) => inRange(bytes, r.cidr));
    return hit ? `an address in ${hit.cidr} (${hit.why})` : undefined;
}

/** True when `text` could be read as an IPv4 address by some parser (decimal, octal, hex, short forms). */
function looksNumeric(host: string): boolean {
    const last = host.split(".").pop() ?? "";
    return /^(0x[0-9a-f]*|\d+)$/i.test(last);
}

/** Why a DNS name is refused, or undefined when it may name a public host. */
export function blockedNameReason(name: string): string | undefined {
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(name)) {
        return "is not a valid DNS name (letters, digits, '-' and '.' only)";
    }
    if (BLOCKED_NAMES.has(name)) return "names the node itself or the cloud metadata service";
    const labels = name.split(".");
    if (labels.length === 1) return "is a single-label name, which resolves through the cluster's DNS search path";
    if (labels.includes("svc")) return "is a Kubernetes Service name (it has a `svc` label)";
    const last = labels[labels.length - 1];
    if (BLOCKED_LAST_LABELS.has(last)) return `ends in ".${last}", which is cluster-internal or special-use`;
    // Top-level domains are letters (or punycode); a last label with a digit or a '-' is a namespace.
    if (!/^([a-z]{2,63}|xn--[a-z0-9-]+)$/.test(last)) {
        return `ends in ".${last}", which is no top-level domain (a <service>.<namespace> name resolves inside the cluster)`;
    }
    if (labels.some((l) => l.startsWith("kube-"))) return "names a kube-* namespace";
    const wildcard = WILDCARD_DNS_SUFFIXES.find((s) => name === s || name.endsWith(`.${s}`));
    if (wildcard) return `is under ${wildcard}, a wildcard DNS service that resolves to any address named in it`;
    return undefined;
}

/**
 * The URL as a message may quote it: scheme and host, never userinfo, a path past `/`, a query or
 * a fragment. The Alertmanager config is a secret field, and a receiver's credentials often sit
 * in its URL (`user:password@`, a Slack webhook's path, a token in the query).
 */
function shownUrl(url: string): string {
    const m = /^([a-zA-Z][a-zA-Z0-9+.-]*:)?\/\/([^/?#]*)([\s\S]*)$/.exec(url);
    if (!m) return "(URL not shown)";
    const authority = m[2].includes("@") ? `…@${m[2].slice(m[2].lastIndexOf("@") + 1)}` : m[2];
    const shortened = authority.length > 100 ? `${authority.slice(0, 100)}…` : authority;
    return `${m[1] ?? ""}//${shortened}${m[3] === "" || m[3] === "/" ? m[3] : "/…"}`;
}

/**
 * Why the URL text may not be a receiver endpoint, or undefined when it names a public host over
 * http(s). `what` is the field path, for the message, which quotes the URL without its secrets.
 */
export function receiverUrlProblem(url: string, what: string): string | undefined {
    const refuse = (why: string) => `${what} ${JSON.stringify(shownUrl(url))} ${why}`;
    if (url.includes("{{"))
        return refuse("is a template; receiver endpoints must be literal URLs so they can be checked");
    const control = [...url].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
    if (control || /[\s\\]/.test(url)) return refuse("contains whitespace, a backslash or a control character");
    const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)/.exec(url);
    if (!m) return refuse("is not an absolute http(s) URL");
    if (!SCHEMES.has(m[1].toLowerCase())) return refuse(`uses the scheme "${m[1]}"; only http and https are allowed`);
    const authority = m[2];
    if (authority.includes("@"))
        return refuse("carries userinfo (user@host); put credentials in http_config.basic_auth");
    if (authority.includes("%")) return refuse("has a percent-encoded host or an IPv6 zone");
    if (authority.startsWith("[")) {
        const end = authority.indexOf("]");
        if (end < 0 || !/^(:\d{1,5})?$/.test(authority.slice(end + 1))) return refuse("has a malformed bracketed host");
        const bytes = parseV6(authority.slice(1, end));
        if (!bytes) return refuse("has a malformed IPv6 address");
        const why = blockedAddressReason(bytes);
        return why ? refuse(`names ${why}`) : undefined;
    }
    const colon = authority.lastIndexOf(":");
    let host = colon >= 0 ? authority.slice(0, colon) : authority;
    if (colon >= 0 && !/^\d{1,5}$/.test(authority.slice(colon + 1))) return refuse("has a malformed port");
    host = host.toLowerCase();
    if (host === "") return refuse("has no host");
    // One trailing dot marks an absolute name; it does not change the host (`localhost.` is localhost).
    if (host.endsWith(".")) host = host.slice(0, -1);
    const v4 = canonicalV4(host);
    if (v4) {
        const why = blockedAddressReason(v4);
        return why ? refuse(`names ${why}`) : undefined;
    }
    if (looksNumeric(host)) {
        return refuse(
            "writes an IP address in a non-canonical form (decimal, octal, hex or short); use dotted decimal",
        );
    }
    const why = blockedNameReason(host);
    return why ? refuse(`has a host that ${why}`) : undefined;
}
