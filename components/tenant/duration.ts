/**
 * Prometheus duration syntax (`1h30m`, `5m`, `168h`, `30d`), as Cortex, Loki, Alertmanager and
 * rule files accept it. Validated here so a typo fails before anything is created, not when a
 * backend reloads its config.
 */

const UNIT_MS: Record<string, number> = {
    ms: 1,
    s: 1_000,
    m: 60_000,
    h: 3_600_000,
    d: 86_400_000,
    w: 604_800_000,
    y: 31_536_000_000,
};

/** Units in descending order; Prometheus requires this order and each unit at most once. */
const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const ORDER = ["y", "w", "d", "h", "m", "s", "ms"];

/** Milliseconds of a Prometheus duration, or undefined if the text is not one. "0" is 0. */
export function parseDuration(text: string): number | undefined {
    if (text === "0") return 0;
    const m = DURATION.exec(text);
    if (!m || text === "") return undefined;
    return ORDER.reduce((sum, unit, i) => sum + Number(m[i + 1] ?? 0) * UNIT_MS[unit], 0);
}

/** Returns a problem message for `what` if `text` is not a Prometheus duration, else undefined. */
export function durationProblem(what: string, text: unknown): string | undefined {
    if (typeof text !== "string" || parseDuration(text) === undefined) {
        return `${what} must be a duration such as "5m" or "168h", got ${JSON.stringify(text)}`;
    }
    return undefined;
}
