/**
 * Bounded polling and the small readers for the Cortex, Loki and Alertmanager HTTP APIs the kind
 * checks query. Readers throw with the response in the message, so a failed poll says what came
 * back last.
 */
import { describeOutcome, send } from "../gateway/https-client";

/**
 * Calls `attempt` until it resolves, every `intervalMs`, for at most `timeoutMs`; then rejects
 * with `what` and the last failure.
 */
export async function eventually<T>(
    what: string,
    timeoutMs: number,
    attempt: () => Promise<T>,
    intervalMs = 5_000,
): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: string;
    for (;;) {
        try {
            return await attempt();
        } catch (e) {
            last = (e as Error).message;
        }
        if (Date.now() + intervalMs > deadline)
            throw new Error(`${what}: not true within ${Math.round(timeoutMs / 1000)} s; last failure: ${last}`);
        await new Promise((r) => setTimeout(r, intervalMs));
    }
}

/** GET on a forwarded loopback port; resolves with the parsed JSON of a 200, rejects otherwise. */
export async function getJson(port: number, path: string, headers: Record<string, string> = {}): Promise<unknown> {
    const outcome = await send({ port, path, method: "GET", headers });
    if (outcome.kind !== "response" || outcome.status !== 200)
        throw new Error(`GET ${path}: ${describeOutcome(outcome)}`);
    try {
        return JSON.parse(outcome.body);
    } catch {
        throw new Error(`GET ${path}: not JSON: ${outcome.body.slice(0, 200)}`);
    }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function dataOf(json: unknown, what: string): Obj {
    if (!isObj(json) || json.status !== "success" || !isObj(json.data))
        throw new Error(`${what}: unexpected answer ${JSON.stringify(json).slice(0, 300)}`);
    return json.data;
}

/** The samples of a Prometheus instant-query vector result: labels and value. */
export function vectorSamples(json: unknown): { metric: Record<string, string>; value: number }[] {
    const data = dataOf(json, "instant query");
    if (data.resultType !== "vector" || !Array.isArray(data.result))
        throw new Error(`instant query: not a vector: ${JSON.stringify(data).slice(0, 300)}`);
    return data.result.map((r: Obj) => ({
        metric: r.metric as Record<string, string>,
        value: Number((r.value as [number, string])[1]),
    }));
}

/** The streams of a Loki query_range result: labels and line count. */
export function lokiStreams(json: unknown): { stream: Record<string, string>; lines: number }[] {
    const data = dataOf(json, "Loki query_range");
    if (data.resultType !== "streams" || !Array.isArray(data.result))
        throw new Error(`Loki query_range: not streams: ${JSON.stringify(data).slice(0, 300)}`);
    return data.result.map((r: Obj) => ({
        stream: r.stream as Record<string, string>,
        lines: Array.isArray(r.values) ? r.values.length : 0,
    }));
}

/** The rule-group names of a Prometheus-style `/api/v1/rules` answer (Cortex or Loki ruler). */
export function ruleGroupNames(json: unknown): string[] {
    const data = dataOf(json, "rules API");
    if (!Array.isArray(data.groups)) throw new Error(`rules API: no groups: ${JSON.stringify(data).slice(0, 300)}`);
    return data.groups.map((g: Obj) => String(g.name));
}

/** The running config (`config.original`) of an Alertmanager `/api/v2/status` answer. */
export function alertmanagerOriginalConfig(json: unknown): string {
    if (!isObj(json) || !isObj(json.config) || typeof json.config.original !== "string") {
        throw new Error(`Alertmanager status: no config.original: ${JSON.stringify(json).slice(0, 300)}`);
    }
    return json.config.original;
}

/** The `alertname` labels of an Alertmanager `/api/v2/alerts` answer. */
export function alertNames(json: unknown): string[] {
    if (!Array.isArray(json)) throw new Error(`Alertmanager alerts: not a list: ${JSON.stringify(json).slice(0, 300)}`);
    return json.map((a: Obj) => String(isObj(a.labels) ? a.labels.alertname : ""));
}

/** Query string from parameters, every value encoded. */
export function query(params: Record<string, string | number>): string {
    return Object.entries(params)
        .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
        .join("&");
}
