/**
 * Debian's `prometheus` package (2.42 here and in CI) is built WITHOUT Kubernetes service
 * discovery: any `kubernetes_sd_configs` key is a YAML error to its promtool and server. Upstream
 * binaries and the image the component deploys have it.
 *
 * So the real-binary tests probe the binary once. With Kubernetes SD they use the rendered text
 * unchanged. Without it they swap only each `kubernetes_sd_configs` block for an equivalent
 * `file_sd_configs` block (an empty target file), after checking the swapped-out blocks' shape
 * here; everything else (relabelling, TLS, remote write, intervals) still goes through the binary.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";

const ROLES = ["node", "pod", "service", "endpoints", "endpointslice", "ingress"];
const KEYS = ["role", "namespaces", "selectors", "api_server", "kubeconfig_file", "attach_metadata"];

const probed = new Map<string, boolean>();

/** Whether this promtool's Prometheus build includes Kubernetes service discovery. */
export function hasKubernetesSd(promtool: string): boolean {
    const known = probed.get(promtool);
    if (known !== undefined) return known;
    const dir = mkdtempSync(join(tmpdir(), "mla-sd-probe-"));
    try {
        const file = join(dir, "probe.yml");
        writeFileSync(file, "scrape_configs:\n  - job_name: probe\n    kubernetes_sd_configs: [{ role: pod }]\n");
        const r = spawnSync(promtool, ["check", "config", file], { encoding: "utf8" });
        const has = !/field kubernetes_sd_configs not found/.test(`${r.stdout}${r.stderr}`);
        probed.set(promtool, has);
        return has;
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

/** Shape problems of one `kubernetes_sd_configs` entry (the part a Debian binary cannot check). */
export function kubernetesSdProblems(job: string, sd: Record<string, unknown>): string[] {
    const problems: string[] = [];
    if (!ROLES.includes(String(sd.role))) problems.push(`${job}: unknown role ${JSON.stringify(sd.role)}`);
    for (const key of Object.keys(sd)) if (!KEYS.includes(key)) problems.push(`${job}: unknown key ${key}`);
    const ns = sd.namespaces as { names?: unknown } | undefined;
    if (ns !== undefined && !(Array.isArray(ns.names) && ns.names.every((n) => typeof n === "string"))) {
        problems.push(`${job}: namespaces.names must be a list of strings`);
    }
    return problems;
}

/**
 * Returns the config with every `kubernetes_sd_configs` replaced by `file_sd_configs` reading
 * `targetsFile`. Throws if a replaced block is malformed.
 */
export function withFileSdInsteadOfKubernetes(text: string, targetsFile: string): string {
    const config = parse(text);
    const problems: string[] = [];
    for (const job of config.scrape_configs ?? []) {
        const sds = job.kubernetes_sd_configs as Record<string, unknown>[] | undefined;
        if (sds === undefined) continue;
        for (const sd of sds) problems.push(...kubernetesSdProblems(job.job_name, sd));
        delete job.kubernetes_sd_configs;
        job.file_sd_configs = [{ files: [targetsFile] }];
    }
    if (problems.length > 0) throw new Error(`malformed kubernetes_sd_configs: ${problems.join("; ")}`);
    return stringify(config, { lineWidth: 0 });
}

/** The config text the local binary can load: unchanged, or with file SD standing in for Kubernetes SD. */
export function loadableBy(promtool: string, text: string, targetsFile: string): string {
    if (hasKubernetesSd(promtool)) return text;
    writeFileSync(targetsFile, "[]\n");
    return withFileSdInsteadOfKubernetes(text, targetsFile);
}
