/**
 * Turns a validated HTTP body into the cluster program's {@link ClusterSpec}: the same defaults and
 * semantic checks as a hand-run cluster stack (`resolveClusterSpec`), with every problem in one 400.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { resolveClusterSpec } from "../../spec/cluster-defaults";
import type { ClusterSpec, SeedApiUrls } from "../../spec/cluster-spec";
import type { ClusterBody } from "./cluster-body";
import { DomainError } from "./domain-errors";
import { yamlLimitProblems } from "../input/bounded-input";
import { kubeconfigProblems, rememberedKubeconfigProblems } from "./kubeconfig";
import { type ClusterSpecInput } from "../../spec/cluster-input";
import { ConfigError } from "../../spec/config-error";

/**
 * Returns the spec for cluster `clusterId`; `seedKubeconfig` is the body's or the configured
 * file's, `seedApi` the operator's addresses of the body's seed (`MLA_SEED_API_FILE`).
 */
export function toClusterSpec(
    clusterId: string,
    body: ClusterBody,
    seedKubeconfig: string,
    seedApi: SeedApiUrls = {},
): ClusterSpec {
    const input: ClusterSpecInput = {
        clusterId,
        project: body.project,
        seedStack: body.seed,
        seedKubeconfig,
        userKubeconfig: body.userKubeconfig,
        suspended: body.suspended,
        reconcilePolicy: body.reconcilePolicy,
        gateway: body.gateway,
        pki: body.pki,
        monitoring: body.monitoring,
        logging: body.logging,
        tenant: body.tenant,
        seedApi,
    };
    try {
        return resolveClusterSpec(input);
    } catch (e) {
        if (e instanceof ConfigError)
            throw new DomainError("invalid", `invalid cluster spec: ${e.problems.join("; ")}`);
        throw e;
    }
}

/**
 * The file a seed's default kubeconfig is read from: `<dir>/<seed stack name with "/" as "__">.yaml`
 * (`orgA/mla/eu1` -> `orgA__mla__eu1.yaml`). The whole name, so two organizations' seeds of the
 * same short name do not share a file. Names with `__`, or with `_` next to a `/`, can collide
 * (`a__b` and `a/b` both read `a__b.yaml`); a caller may name either seed anyway, so this gives it
 * nothing it could not ask for, but a fleet should not name seeds so.
 */
export function seedKubeconfigPath(dir: string, seed: string): string {
    return join(dir, `${seed.split("/").join("__")}.yaml`);
}

/**
 * The seed kubeconfig for a request: the body's, else the configured file's. Returns the text or
 * the problems (never the content). The file is read per request so it can be rotated in place.
 */
export async function resolveSeedKubeconfig(
    body: ClusterBody,
    seedKubeconfigDir: string,
): Promise<{ text?: string; problems: string[] }> {
    let text = body.seedKubeconfig;
    if (text === undefined) {
        const path = seedKubeconfigPath(seedKubeconfigDir, body.seed);
        text = await readFile(path, "utf8").catch(() => undefined);
        if (text === undefined) {
            return { problems: [`seedKubeconfig is required: send it in the body or store it in ${path}`] };
        }
    }
    return { text, problems: rememberedKubeconfigProblems("seedKubeconfig", text) };
}

/**
 * Every problem a schema cannot see: the user kubeconfig's structure, and the limits of the
 * other YAML fields (checked here, before the spec checks parse them).
 */
export function bodyProblems(body: ClusterBody): string[] {
    const alertmanager = body.tenant?.alertmanagerConfig;
    return [
        ...kubeconfigProblems("userKubeconfig", body.userKubeconfig),
        ...(alertmanager === undefined ? [] : yamlLimitProblems("tenant.alertmanagerConfig", alertmanager)),
    ];
}

/**
 * A cluster's stack is named after its id, in the project seed stacks use too: an id equal to a
 * seed's stack name would make the seed's stack the cluster's. The executor refuses any stack
 * that is not the cluster's (`ownedBy` in executor-automation.ts); this refuses, up front and
 * naming the field, an id equal to a seed the service knows: the request's own, one named in
 * `MLA_SEED_API_FILE`, or one a registered cluster is on. (The operator executor has only this.)
 */
export function seedNameProblems(clusterId: string, seeds: Iterable<string>): string[] {
    for (const seed of seeds) {
        if (seed.split("/").pop() === clusterId)
            return [`id ${clusterId} is the name of seed stack ${seed}: a cluster's stack is named after its id`];
    }
    return [];
}

/** Canonical JSON: object keys sorted, so equal specs hash equally. */
function canonical(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
        entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
    }
    return JSON.stringify(value);
}

/**
 * Identity of a request for idempotency: the same kind and spec (secrets included, so a rotated
 * kubeconfig is a new request) give the same hash. The hash lives in memory only.
 */
export function requestHash(kind: string, spec: ClusterSpec): string {
    return createHash("sha256").update(kind).update("\0").update(canonical(spec)).digest("hex");
}
