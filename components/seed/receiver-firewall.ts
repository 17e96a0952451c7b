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
