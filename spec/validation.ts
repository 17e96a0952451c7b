/**
 * The one set of validation patterns for cluster and tenant inputs (pure). The cluster spec
 * checks, the Tenant component and the HTTP body schema all take their patterns from here, so a
 * value one of them accepts is never refused by another. Patterns are exported as source text too
 * (`*_PATTERN`), for JSON Schema `pattern` keywords.
 */

/** A DNS-1123 label: lower-case letters, digits and "-", at most 63 characters. */
export const DNS_LABEL_PATTERN = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";
const DNS_LABEL = new RegExp(DNS_LABEL_PATTERN);

/** Whether `text` is a DNS-1123 label. */
export function isDnsLabel(text: unknown): boolean {
    return typeof text === "string" && DNS_LABEL.test(text);
}

/** The cluster's namespace `cluster-<id>` must itself be a DNS-1123 label: 63 - 8 = 55. */
export const MAX_CLUSTER_ID_LENGTH = 63 - "cluster-".length;

/** Whether `id` can be a cluster (tenant) id: a DNS-1123 label short enough for `cluster-<id>`. */
export function isClusterId(id: unknown): boolean {
    return isDnsLabel(id) && (id as string).length <= MAX_CLUSTER_ID_LENGTH;
}

/**
 * Prometheus duration syntax (`30s`, `1h30m`, `168h`): units in descending order, each at most
 * once, as Cortex, Loki, Alertmanager and rule files parse it. "0" alone is also a duration.
 */
export const DURATION_PATTERN =
    "^(0|(?=[0-9])([0-9]+y)?([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?)$";
const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_MS = [31_536_000_000, 604_800_000, 86_400_000, 3_600_000, 60_000, 1_000, 1];

/** Milliseconds of a Prometheus duration, or undefined if `text` is not one. "0" is 0. */
export function parseDuration(text: unknown): number | undefined {
    if (typeof text !== "string" || text === "") return undefined;
    if (text === "0") return 0;
    const m = DURATION.exec(text);
    if (!m) return undefined;
    return UNIT_MS.reduce((sum, ms, i) => sum + Number(m[i + 1] ?? 0) * ms, 0);
}

/** Whether `text` is a duration longer than zero. */
export function isPositiveDuration(text: unknown): boolean {
    return (parseDuration(text) ?? 0) > 0;
}

/** Shortest tenant retention: Loki's compactor does not apply retention below 24h. */
export const MIN_RETENTION_MS = 24 * 3_600_000;

/** A byte size as Loki parses it for per-stream limits ("3MB", "512KiB", "1.5GB"); a unit is required. */
export const LOKI_SIZE_PATTERN = "^[0-9]+(\\.[0-9]+)?(B|[KMGT]i?B)$";
/** {@link LOKI_SIZE_PATTERN} as a RegExp. */
export const LOKI_SIZE = new RegExp(LOKI_SIZE_PATTERN);

/** An nginx size for `client_max_body_size` as the gateway accepts it ("512k", "16m"); never 0 (= unlimited). */
export const NGINX_SIZE_PATTERN = "^[1-9][0-9]*[kKmM]?$";
/** {@link NGINX_SIZE_PATTERN} as a RegExp. */
export const NGINX_SIZE = new RegExp(NGINX_SIZE_PATTERN);
