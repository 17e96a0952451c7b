/**
 * The cluster stack's config (`mla:*` keys) → {@link ClusterSpec}, for `pulumi up` by hand (pure:
 * it reads only through the given {@link ConfigReader}).
 *
 * Keys: `mla:clusterId`, `mla:project`, `mla:seedStack`, the secrets `mla:seedKubeconfig` and
 * `mla:userKubeconfig`, `mla:suspended`, and the objects `mla:gateway`, `mla:pki`,
 * `mla:monitoring`, `mla:logging`, `mla:tenant`, `mla:seedApi`. Their fields, types and bounds are
 * the spec's schema (`spec/cluster-input.ts`), the one the HTTP body uses too. Unknown keys, type
 * problems and semantic problems are reported together in one ConfigError.
 */
import { type Static, Type } from "@sinclair/typebox";
import type { ConfigReader } from "./config-reader";
import { fromCliStrings, withoutPaths } from "./config-values";
import { applyClusterDefaults } from "../spec/cluster-defaults";
import { ClusterStackSettings, type ClusterSpecInput } from "../spec/cluster-input";
import { ClusterSpec } from "../spec/cluster-spec";
import { clusterSpecProblems } from "../spec/checks/cluster-checks";
import { type SchemaProblem, schemaProblems } from "../spec/schema-problems";

/** The plain (non-secret) keys of the cluster stack's config. */
const ClusterConfig = Type.Object(
    {
        clusterId: ClusterSpec.properties.clusterId,
        project: ClusterSpec.properties.project,
        seedStack: ClusterSpec.properties.seedStack,
        ...ClusterStackSettings,
    },
    { additionalProperties: true },
);
type ClusterConfig = Static<typeof ClusterConfig>;

const SECRETS = ["seedKubeconfig", "userKubeconfig"] as const;

/** Reads the cluster stack's config; throws one ConfigError listing every problem. */
export function loadClusterSpec(r: ConfigReader): ClusterSpec {
    const raw: Record<string, unknown> = {};
    for (const key of Object.keys(ClusterConfig.properties)) {
        const value = r.raw(key);
        // An empty string is how `pulumi config set mla:x ""` leaves a key: absent.
        if (value !== undefined && value !== "") raw[key] = value;
    }
    // The CLI stores scalars as strings ("3", "true"); the schema says what each one is.
    const values = fromCliStrings(ClusterConfig, raw) as Record<string, unknown>;
    const problems = schemaProblems(ClusterConfig, values);
    const first = (kind: SchemaProblem["kind"]) => problems.filter((p) => p.kind === kind);
    for (const p of [...first("unknown"), ...first("required")]) r.problem(p.path, p.message);
    const hint = (key: string) => `pulumi config set --secret mla:${key} < kubeconfig.yaml`;
    const [seedKubeconfig, userKubeconfig] = SECRETS.map((key) => r.secret(key, { required: true, hint: hint(key) }));
    for (const p of first("value")) r.problem(p.path, p.message);
    const config = withoutPaths(
        values,
        problems.map((p) => p.path),
    ) as ClusterConfig;
    const input: ClusterSpecInput = {
        ...config,
        clusterId: config.clusterId ?? "",
        project: config.project ?? "",
        seedStack: config.seedStack ?? "",
        seedKubeconfig: seedKubeconfig ?? "",
        userKubeconfig: userKubeconfig ?? "",
    };
    const spec = applyClusterDefaults(input);
    const reported = new Set(problems.map((p) => p.path));
    for (const p of clusterSpecProblems(spec)) {
        // Identity that is missing was reported as required above.
        const missing = [...SECRETS, "clusterId", "project", "seedStack"].includes(p.path) && !has(input, p.path);
        if (!missing && !reported.has(p.path) && ![...reported].some((r) => p.path.startsWith(`${r}.`)))
            r.problem(p.path, p.message);
    }
    r.done();
    return spec;
}

function has(input: ClusterSpecInput, key: string): boolean {
    const value = (input as unknown as Record<string, unknown>)[key];
    return value !== "" && value !== undefined;
}
