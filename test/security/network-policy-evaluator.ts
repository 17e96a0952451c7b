/**
 * A pure NetworkPolicy evaluator with Kubernetes semantics (networking.k8s.io/v1, as documented in
 * "Network Policies" and the API reference), to answer "would pod P reach pod Q on port X?" from
 * rendered policies:
 *
 * - a pod selected by no policy of a direction is open in that direction; once one policy with
 *   that policy type selects it, only traffic some rule of such a policy allows gets through
 *   (policies are additive: a union);
 * - `policyTypes` defaults to ["Ingress"], plus "Egress" when the policy has egress rules;
 * - a rule without `from`/`to` (or with an empty list) matches every peer; without `ports`
 *   (or empty) every port;
 * - a peer with only `podSelector` means pods of the policy's namespace; only `namespaceSelector`
 *   means every pod of the matching namespaces; both in ONE peer mean AND; several peers OR;
 *   `ipBlock` matches the pod IP inside `cidr` and outside every `except`;
 * - label selectors: `matchLabels` AND `matchExpressions` (In, NotIn, Exists, DoesNotExist; NotIn
 *   and DoesNotExist match a pod without the key); an empty selector matches everything;
 * - ports: a number or a named container port of the destination pod, protocol defaulting to TCP,
 *   `endPort` for ranges.
 * Traffic flows when the source's egress AND the destination's ingress allow it.
 */

/** A label selector as in the API. */
export interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: {
        key: string;
        operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | string;
        values?: string[];
    }[];
}

/** One peer of a rule. */
export interface Peer {
    podSelector?: LabelSelector;
    namespaceSelector?: LabelSelector;
    ipBlock?: { cidr: string; except?: string[] };
}

/** One port of a rule. */
export interface PolicyPort {
    port?: number | string;
    endPort?: number;
    protocol?: string;
}

/** A NetworkPolicy as rendered (plain values; namespace required). */
export interface NetworkPolicy {
    metadata: { name?: string; namespace: string };
    spec: {
        podSelector: LabelSelector;
        policyTypes?: string[];
        ingress?: { from?: Peer[]; ports?: PolicyPort[] }[];
        egress?: { to?: Peer[]; ports?: PolicyPort[] }[];
    };
}

/** A pod: where it is, its labels, its IP, and its named container ports. */
export interface Pod {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    ip?: string;
    namedPorts?: Record<string, { port: number; protocol?: string }>;
}

/** The world the policies apply to: namespaces with their labels, and the policies. */
export interface Cluster {
    namespaces: Record<string, Record<string, string>>;
    policies: NetworkPolicy[];
}

/** True when `labels` satisfy `selector` (an empty selector matches all). */
export function selectorMatches(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
    if (!selector) return true;
    for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
    for (const e of selector.matchExpressions ?? []) {
        const has = Object.prototype.hasOwnProperty.call(labels, e.key);
        const values = e.values ?? [];
        switch (e.operator) {
            case "In":
                if (!has || !values.includes(labels[e.key])) return false;
                break;
            case "NotIn":
                if (has && values.includes(labels[e.key])) return false;
                break;
            case "Exists":
                if (!has) return false;
                break;
            case "DoesNotExist":
                if (has) return false;
                break;
            default:
                throw new Error(`unknown selector operator ${e.operator}`);
        }
    }
    return true;
}

function ipv4(ip: string): number {
    const parts = ip.split(".").map(Number);
    if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255))
        throw new Error(`not an IPv4 address: ${ip}`);
    return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

function inCidr(ip: string, cidr: string): boolean {
    const [net, len] = cidr.split("/");
    const bits = Number(len);
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    return (ipv4(ip) & mask) >>> 0 === (ipv4(net) & mask) >>> 0;
}

/** True when `peer`, written in a policy of `policyNs`, matches pod `other`. */
export function peerMatches(cluster: Cluster, peer: Peer, policyNs: string, other: Pod): boolean {
    if (peer.ipBlock) {
        if (!other.ip) return false;
        return inCidr(other.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c) => inCidr(other.ip!, c));
    }
    if (peer.namespaceSelector === undefined && peer.podSelector === undefined) {
        throw new Error("a peer needs podSelector, namespaceSelector or ipBlock");
    }
    const nsLabels = cluster.namespaces[other.namespace];
    if (nsLabels === undefined) throw new Error(`namespace ${other.namespace} is not in the cluster`);
    const nsOk =
        peer.namespaceSelector === undefined
            ? other.namespace === policyNs
            : selectorMatches(peer.namespaceSelector, nsLabels);
    return nsOk && selectorMatches(peer.podSelector, other.labels);
}

/** True when a rule's `ports` admit `port`/`protocol` on `dest`. */
export function portMatches(ports: PolicyPort[] | undefined, dest: Pod, port: number, protocol: string): boolean {
    if (!ports || ports.length === 0) return true;
    return ports.some((p) => {
        if ((p.protocol ?? "TCP") !== protocol) return false;
        if (p.port === undefined) return true;
        if (typeof p.port === "string") {
            const named = dest.namedPorts?.[p.port];
            return named !== undefined && named.port === port && (named.protocol ?? "TCP") === protocol;
        }
        return p.endPort === undefined ? p.port === port : port >= p.port && port <= p.endPort;
    });
}

function types(p: NetworkPolicy): string[] {
    return p.spec.policyTypes ?? (p.spec.egress ? ["Ingress", "Egress"] : ["Ingress"]);
}

/** The policies of `direction` that select `pod`. */
function selecting(cluster: Cluster, pod: Pod, direction: "Ingress" | "Egress"): NetworkPolicy[] {
    return cluster.policies.filter(
        (p) =>
            p.metadata.namespace === pod.namespace &&
            types(p).includes(direction) &&
            selectorMatches(p.spec.podSelector, pod.labels),
    );
}

/** The question: may `from` open a connection to `to` on `port` (protocol TCP unless given)? */
export interface ReachQuery {
    from: Pod;
    to: Pod;
    port: number;
    protocol?: "TCP" | "UDP" | "SCTP";
}

/** Would the connection be allowed? Both the source's egress and the destination's ingress must allow it. */
export function canReach(cluster: Cluster, q: ReachQuery): boolean {
    const protocol = q.protocol ?? "TCP";
    const ingress = selecting(cluster, q.to, "Ingress");
    const ingressOk =
        ingress.length === 0 ||
        ingress.some((p) =>
            (p.spec.ingress ?? []).some(
                (r) =>
                    (!r.from ||
                        r.from.length === 0 ||
                        r.from.some((peer) => peerMatches(cluster, peer, p.metadata.namespace, q.from))) &&
                    portMatches(r.ports, q.to, q.port, protocol),
            ),
        );
    const egress = selecting(cluster, q.from, "Egress");
    const egressOk =
        egress.length === 0 ||
        egress.some((p) =>
            (p.spec.egress ?? []).some(
                (r) =>
                    (!r.to ||
                        r.to.length === 0 ||
                        r.to.some((peer) => peerMatches(cluster, peer, p.metadata.namespace, q.to))) &&
                    portMatches(r.ports, q.to, q.port, protocol),
            ),
        );
    return ingressOk && egressOk;
}
