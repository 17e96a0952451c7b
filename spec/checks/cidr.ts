/** CIDR checks (pure), as Go's `net.ParseCIDR` reads them (Cortex parses the receiver firewall's list so). */
const V4_CIDR = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;
const V6_CIDR = /^[0-9a-fA-F:.]*:[0-9a-fA-F:.]*\/(12[0-8]|1[01]\d|[1-9]?\d)$/;

/** Why `cidr` is not a CIDR Go's `net.ParseCIDR` takes, or undefined. */
export function cidrProblem(cidr: string): string | undefined {
    if (V4_CIDR.test(cidr)) return undefined;
    if (V6_CIDR.test(cidr) && (cidr.match(/::/g) ?? []).length <= 1) return undefined;
    return `"${cidr}" is not a CIDR such as 100.64.0.0/10 or fd00::/8`;
}
