/**
 * The Cortex Alertmanager's receiver firewall, set for every tenant (the defence in depth behind
 * the tenant checks of `spec/checks/alertmanager-egress.ts`).
 *
 * Cortex checks every address a receiver integration dials, after DNS resolution and on every
 * redirect hop (pkg/util/net/firewall_dialer.go, a `net.Dialer` Control hook), so it also stops
 * public names that resolve inward (wildcard DNS, rebinding) and redirects the static checks
 * cannot see. `alertmanager_receivers_firewall_block_private_addresses` covers RFC 1918, RFC 4193
 * (fc00::/7), loopback and link-local; the CIDR list adds what that leaves open. Both are `limits`
 * keys (pkg/util/validation/limits.go), so the config's `limits` block makes them the default of
 * every tenant; a tenant's runtime overrides come only from `renderCortexOverrides`, which never
 * writes them, so no tenant can switch the firewall off.
 */

/** The address ranges `block_private_addresses` leaves open, which no receiver may reach either. */
export const DEFAULT_RECEIVER_FIREWALL_CIDRS: readonly string[] = [
    "0.0.0.0/8", // "this network": 0.0.0.0 reaches the node itself on Linux
    "100.64.0.0/10", // carrier-grade NAT, used by some clusters for pods and Services
    "169.254.169.254/32", // cloud metadata (already link-local; named for the reader)
    "168.63.129.16/32", // the Azure platform address (wireserver, metadata)
    "192.0.0.0/24", // IETF protocol assignments
    "198.18.0.0/15", // benchmarking
    "240.0.0.0/4", // reserved
    "::/128", // unspecified
    "64:ff9b::/96", // NAT64: embeds any IPv4 address, private ones included
    "fd00:ec2::254/128", // the AWS IPv6 metadata address (already ULA; named for the reader)
];

/** The Cortex `limits` keys (Cortex 1.21 `limits_config`). */
export const RECEIVER_FIREWALL_KEYS = {
    blockPrivateAddresses: "alertmanager_receivers_firewall_block_private_addresses",
    blockCidrNetworks: "alertmanager_receivers_firewall_block_cidr_networks",
} as const;

/**
 * The `limits` entries that switch the firewall on. Cortex reads the CIDR list as one
 * comma-separated string (`flagext.CIDRSliceCSV`), parsed by Go's `net.ParseCIDR`.
 */
export function receiverFirewallLimits(blockCidrNetworks: readonly string[]): Record<string, boolean | string> {
    return {
        [RECEIVER_FIREWALL_KEYS.blockPrivateAddresses]: true,
        [RECEIVER_FIREWALL_KEYS.blockCidrNetworks]: blockCidrNetworks.join(","),
    };
}

const V4_CIDR = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;
const V6_CIDR = /^[0-9a-fA-F:.]*:[0-9a-fA-F:.]*\/(12[0-8]|1[01]\d|[1-9]?\d)$/;

/** Why `cidr` is not a CIDR Go's `net.ParseCIDR` takes, or undefined. */
export function cidrProblem(cidr: string): string | undefined {
    if (V4_CIDR.test(cidr)) return undefined;
    if (V6_CIDR.test(cidr) && (cidr.match(/::/g) ?? []).length <= 1) return undefined;
    return `"${cidr}" is not a CIDR such as 100.64.0.0/10 or fd00::/8`;
}
