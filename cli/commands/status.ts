/**
 * `mla status`: one table of the fleet from a running service's API: each cluster's health,
 * drift and first certificate expiry. `--json` prints the same rows as JSON.
 *
 * The token never goes on the command line (argv is visible to every user of the machine): it
 * comes from `--token-file`, `MLA_API_TOKEN`, `MLA_API_TOKEN_FILE`, or the service's generated
 * `<data dir>/api-token`.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseFlags } from "./args";
import { type Command, type CommandIo, UsageError } from "./command";

const usage = `Usage: mla status [--url URL] [--token-file FILE] [--data-dir DIR] [--probe] [--json]

Prints one line per cluster of a running \`mla serve\`: status, overall health, gateway, newest
metrics and logs, drift, first certificate expiry and the last operation.

  --url URL          the service; default MLA_URL, else http://<MLA_LISTEN>, else http://127.0.0.1:8080
  --token-file FILE  file holding the API token; else MLA_API_TOKEN, MLA_API_TOKEN_FILE, or
                     <data dir>/api-token (the token \`mla serve\` generates). Never on argv.
  --data-dir DIR     where to find api-token; default MLA_DATA_DIR, else .mla
  --probe            probe every cluster now (GET /v1/clusters/{id}/health) instead of showing
                     the service's last probe
  --json             print the rows as JSON

Exit status: 0 when every cluster is ok, 1 when one is warning or critical, 2 on usage errors,
3 when the service cannot be asked.
`;

/** One row of the table. */
export interface StatusRow {
    cluster: string;
    project: string;
    status: string;
    health: string;
    gateway: string;
    metrics: string;
    logs: string;
    drift: string;
    firstExpiry: string;
    lastOperation: string;
    /** The reasons of every part that is not ok. */
    problems: string[];
}

type Part = { state?: string; reason?: string; at?: string };
type Health = {
    state?: string;
    parts?: Record<string, Part>;
    reconcile?: { state?: string; changeSummary?: Record<string, number> };
};
type Listed = {
    id: string;
    project?: string;
    status?: string;
    health?: Health;
    lastOperation?: { kind?: string; state?: string };
};

const PART_NAMES = ["gateway", "metrics", "logs", "certificates", "drift", "lastOperation"] as const;

/** The table row for one listed cluster (pure). */
export function statusRow(c: Listed): StatusRow {
    const parts = c.health?.parts ?? {};
    const state = (name: string) => parts[name]?.state ?? "-";
    const reconcile = c.health?.reconcile;
    const changes = Object.entries(reconcile?.changeSummary ?? {})
        .map(([op, n]) => `${op} ${n}`)
        .join(", ");
    return {
        cluster: c.id,
        project: c.project ?? "-",
        status: c.status ?? "-",
        health: c.health?.state ?? "-",
        gateway: state("gateway"),
        metrics: parts.metrics?.at ? `${state("metrics")} ${parts.metrics.at}` : state("metrics"),
        logs: parts.logs?.at ? `${state("logs")} ${parts.logs.at}` : state("logs"),
        drift: reconcile?.state ? `${reconcile.state}${changes ? ` (${changes})` : ""}` : "not checked",
        firstExpiry: parts.certificates?.at ?? "-",
        lastOperation: c.lastOperation ? `${c.lastOperation.kind ?? "?"} ${c.lastOperation.state ?? "?"}` : "-",
        problems: PART_NAMES.filter((n) => parts[n] && parts[n].state !== "ok").map(
            (n) => `${n}: ${parts[n].reason ?? parts[n].state}`,
        ),
    };
}

const COLUMNS: [keyof StatusRow, string][] = [
    ["cluster", "CLUSTER"],
    ["project", "PROJECT"],
    ["status", "STATUS"],
    ["health", "HEALTH"],
    ["gateway", "GATEWAY"],
    ["metrics", "METRICS"],
    ["logs", "LOGS"],
    ["drift", "DRIFT"],
    ["firstExpiry", "FIRST EXPIRY"],
    ["lastOperation", "LAST OPERATION"],
];

/** The rows as an aligned text table, then one line per problem (pure). */
export function renderStatusTable(rows: StatusRow[]): string {
    const cells = [COLUMNS.map(([, title]) => title), ...rows.map((r) => COLUMNS.map(([key]) => String(r[key])))];
    const widths = COLUMNS.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
    const lines = cells.map((row) =>
        row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join("  "),
    );
    const problems = rows.flatMap((r) => r.problems.map((p) => `${r.cluster}: ${p}`));
    return `${lines.join("\n")}\n${problems.length > 0 ? `\n${problems.join("\n")}\n` : ""}`;
}

/** Where the token comes from; never argv. */
function readToken(flags: { "token-file"?: string; "data-dir"?: string }, env: NodeJS.ProcessEnv): string {
    const fromFile = (path: string) => readFileSync(path, "utf8").trim();
    if (flags["token-file"]) return fromFile(flags["token-file"]);
    if (env.MLA_API_TOKEN) return env.MLA_API_TOKEN;
    if (env.MLA_API_TOKEN_FILE) return fromFile(env.MLA_API_TOKEN_FILE);
    const generated = join(flags["data-dir"] ?? env.MLA_DATA_DIR ?? ".mla", "api-token");
    if (existsSync(generated)) return fromFile(generated);
    throw new UsageError("no API token: pass --token-file, or set MLA_API_TOKEN or MLA_API_TOKEN_FILE");
}

function serviceUrl(flag: string | undefined, env: NodeJS.ProcessEnv): string {
    const url = flag ?? env.MLA_URL ?? (env.MLA_LISTEN ? `http://${env.MLA_LISTEN}` : "http://127.0.0.1:8080");
    if (!/^https?:\/\/[^\s/]+/.test(url)) throw new UsageError(`--url must be an http(s) URL, got "${url}"`);
    return url.replace(/\/+$/, "");
}

/** Runs `mla status` with an explicit environment (tests pass their own). */
export async function runStatus(args: string[], io: CommandIo, env: NodeJS.ProcessEnv): Promise<number> {
    const flags = parseFlags(args, {
        url: { type: "string" },
        "token-file": { type: "string" },
        "data-dir": { type: "string" },
        probe: { type: "boolean" },
        json: { type: "boolean" },
    });
    const url = serviceUrl(flags.url, env);
    const token = readToken(flags, env);
    const get = async (path: string): Promise<unknown> => {
        const res = await fetch(`${url}${path}`, {
            headers: { authorization: `Bearer ${token}` },
            signal: AbortSignal.timeout(60_000),
        });
        const text = await res.text();
        if (!res.ok) {
            let message = text.slice(0, 300);
            try {
                message = (JSON.parse(text) as { error?: string }).error ?? message;
            } catch {
                // not JSON
            }
            throw new Error(`GET ${path} answered ${res.status}: ${message}`);
        }
        return JSON.parse(text);
    };
    let clusters: Listed[];
    try {
        clusters = ((await get("/v1/clusters")) as { clusters: Listed[] }).clusters;
        if (flags.probe) {
            clusters = await Promise.all(
                clusters.map(async (c) => ({
                    ...c,
                    health: (await get(`/v1/clusters/${encodeURIComponent(c.id)}/health`)) as Health,
                })),
            );
        }
    } catch (e) {
        const err = e as Error & { cause?: { code?: string } };
        io.err(`mla status: cannot read ${url}: ${err.cause?.code ?? err.message}\n`);
        return 3;
    }
    const rows = clusters.map(statusRow);
    io.out(
        flags.json
            ? `${JSON.stringify({ clusters: rows }, null, 2)}\n`
            : rows.length === 0
              ? "no clusters\n"
              : renderStatusTable(rows),
    );
    return rows.every((r) => r.health === "ok") ? 0 : 1;
}

/** The `status` command. */
export const statusCommand: Command = {
    name: "status",
    summary: "Show the fleet's health, drift and certificate expiry from a running service",
    usage,
    run: (args, io) => runStatus(args, io, process.env),
};
