/**
 * The live half of a cluster's health, read through the cluster's own read path (its gateway's
 * read listener, with the cluster's read token, so the backends answer for this tenant only):
 * - does the gateway answer `/healthz` on its read listener;
 * - the newest metric sample of the tenant: PromQL `max(max_over_time(timestamp(up)[1h:1m]))`
 *   through the Prometheus API (`/api/prom/api/v1/query`). Every metrics agent scrapes itself,
 *   so `up` arrives every scrape interval while data flows;
 * - the newest log line of the tenant: LogQL `{job=~".+"}` backwards, limit 1, over the last
 *   hour through the Loki API (`/loki/api/v1/query_range`).
 *
 * The backends' own per-tenant figures (`cortex_distributor_received_samples_total{user}`,
 * `loki_distributor_lines_received_total{tenant}`) live in the seed's monitoring, not in the
 * tenant, so the tenant's read path cannot see them; the tenant's newest data is what it can see.
 */
import { READ_TOKEN_HEADER } from "../../components/gateway/read-routes";

/** One probe's answer. */
export type ProbeResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** How far back the data queries look. */
export const DATA_LOOKBACK_MS = 3600_000;

/** The metrics query: the newest `up` sample's timestamp within the lookback. */
export const METRICS_LAST_SEEN_QUERY = "max(max_over_time(timestamp(up)[1h:1m]))";

/** The logs query: any stream (the log agent sets `job` on every line). */
export const LOGS_SELECTOR = '{job=~".+"}';

/** Where and how to probe one cluster. */
export interface ProbeTarget {
    /** The read listener's base URL (`gatewayReadUrl` output). */
    readUrl: string;
    /** The cluster's read token; undefined when not known (the queries are then skipped). */
    readToken?: string;
    /** Per request. */
    timeoutMs: number;
}

async function get(
    url: string,
    target: ProbeTarget,
    auth: boolean,
): Promise<ProbeResult<{ status: number; text: string }>> {
    try {
        const headers: Record<string, string> =
            auth && target.readToken ? { [READ_TOKEN_HEADER]: target.readToken } : {};
        const res = await fetch(url, { headers, signal: AbortSignal.timeout(target.timeoutMs), redirect: "error" });
        return { ok: true, value: { status: res.status, text: await res.text() } };
    } catch (e) {
        const err = e as Error & { cause?: { code?: string } };
        return {
            ok: false,
            error:
                err.name === "TimeoutError"
                    ? `no answer within ${target.timeoutMs} ms`
                    : (err.cause?.code ?? err.message),
        };
    }
}

const base = (url: string) => url.replace(/\/+$/, "");

/** GET `<readUrl>/healthz`: ok when it answers 200. */
export async function probeGateway(target: ProbeTarget): Promise<ProbeResult<string>> {
    const r = await get(`${base(target.readUrl)}/healthz`, target, false);
    if (!r.ok) return r;
    return r.value.status === 200
        ? { ok: true, value: "answers /healthz on the read listener" }
        : { ok: false, error: `/healthz answered ${r.value.status}` };
}

function apiError(status: number, text: string): string {
    try {
        const body = JSON.parse(text) as { error?: unknown };
        if (typeof body.error === "string") return `${status}: ${body.error.slice(0, 200)}`;
    } catch {
        // not JSON
    }
    return `answered ${status}`;
}

/**
 * Parses a Prometheus API instant-query answer whose result is one scalar-valued vector
 * element: the value as a number, or undefined for an empty result.
 */
export function parsePromVectorValue(text: string): number | undefined {
    const body = JSON.parse(text) as { status?: string; data?: { resultType?: string; result?: unknown } };
    if (body.status !== "success" || !body.data) throw new Error("not a successful Prometheus API answer");
    const { resultType, result } = body.data;
    if (resultType === "scalar" && Array.isArray(result)) return Number(result[1]);
    if (resultType !== "vector" || !Array.isArray(result))
        throw new Error(`unexpected result type ${String(resultType)}`);
    const values = result
        .map((r) => Number((r as { value?: [number, string] }).value?.[1]))
        .filter((v) => Number.isFinite(v));
    return values.length === 0 ? undefined : Math.max(...values);
}

/** Parses a Loki `query_range` answer of streams: the newest entry's time in ms, or undefined when empty. */
export function parseLokiNewest(text: string): number | undefined {
    const body = JSON.parse(text) as { status?: string; data?: { resultType?: string; result?: unknown } };
    if (body.status !== "success" || !body.data) throw new Error("not a successful Loki API answer");
    if (body.data.resultType !== "streams" || !Array.isArray(body.data.result))
        throw new Error(`unexpected result type ${String(body.data.resultType)}`);
    let newest: bigint | undefined;
    for (const stream of body.data.result as { values?: [string, string][] }[]) {
        for (const [ns] of stream.values ?? []) {
            const t = BigInt(ns);
            if (newest === undefined || t > newest) newest = t;
        }
    }
    return newest === undefined ? undefined : Number(newest / 1_000_000n);
}

/** The newest metric sample of the tenant (epoch ms), undefined when none in the lookback. */
export async function lastMetricsSeen(target: ProbeTarget, nowMs: number): Promise<ProbeResult<number | undefined>> {
    const q = new URLSearchParams({ query: METRICS_LAST_SEEN_QUERY, time: (nowMs / 1000).toFixed(3) });
    const r = await get(`${base(target.readUrl)}/api/prom/api/v1/query?${q}`, target, true);
    if (!r.ok) return r;
    if (r.value.status !== 200) return { ok: false, error: `metrics query ${apiError(r.value.status, r.value.text)}` };
    try {
        const seconds = parsePromVectorValue(r.value.text);
        return { ok: true, value: seconds === undefined ? undefined : Math.round(seconds * 1000) };
    } catch (e) {
        return { ok: false, error: `metrics query: ${(e as Error).message}` };
    }
}

/** The newest log line of the tenant (epoch ms), undefined when none in the lookback. */
export async function lastLogsSeen(target: ProbeTarget, nowMs: number): Promise<ProbeResult<number | undefined>> {
    const ns = (ms: number) => `${BigInt(Math.round(ms)) * 1_000_000n}`;
    const q = new URLSearchParams({
        query: LOGS_SELECTOR,
        limit: "1",
        direction: "backward",
        start: ns(nowMs - DATA_LOOKBACK_MS),
        end: ns(nowMs),
    });
    const r = await get(`${base(target.readUrl)}/loki/api/v1/query_range?${q}`, target, true);
    if (!r.ok) return r;
    if (r.value.status !== 200) return { ok: false, error: `logs query ${apiError(r.value.status, r.value.text)}` };
    try {
        return { ok: true, value: parseLokiNewest(r.value.text) };
    } catch (e) {
        return { ok: false, error: `logs query: ${(e as Error).message}` };
    }
}
