/**
 * `Tenant`: one cluster's tenant configuration in the seed. Alertmanager config, metric and log
 * rules (owner + admin defaults), Cortex and Loki limits/retention fragments, Grafana datasources
 * in the project's org, and (opt-in) the purge of stored data on destroy.
 *
 * Everything is a labelled object in the seed's MLA namespace, loaded by the chart sidecars and
 * the overrides merger: the Alertmanager config is a Secret (it holds receiver credentials), the
 * rest are ConfigMaps. Only the purge calls an API (a dynamic provider). The project's Grafana org
 * is not the cluster's: it comes from the project stack (`programs/project.ts`) as `orgId`.
 * Give the seed's Kubernetes provider through `opts.providers`/`opts.provider`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { defaultLogRuleGroups, defaultMetricRuleGroups } from "../seed-defaults/default-rule-groups";
import { DEFAULT_SEED_NAMESPACE } from "./delivery";
import { DEFAULT_GATEWAY_READ, type GatewayReadEndpoint, renderDatasources } from "./grafana-datasources";
import {
    type TenantConfigMap,
    datasourceConfigMapMeta,
    tenantConfigMapArgs,
    tenantConfigMaps,
    tenantSecretArgs,
} from "./tenant-config-maps";
import { isDnsLabel } from "../../spec/validation";
import { throwIfProblems } from "./tenant-error";
import { tenantProblems } from "../../spec/checks/tenant-checks";
import { TenantPurge } from "./tenant-purge";
import { type RuleGroupSpec, type TenantSpec } from "../../spec/tenant-spec";

/** Backend endpoints for the purge (needs network reach to both). */
export interface TenantPurgeEndpoints {
    /** A Cortex component serving `/purger/*`. */
    cortexUrl: pulumi.Input<string>;
    /** The Loki compactor/backend serving `/loki/api/v1/delete`. */
    lokiUrl: pulumi.Input<string>;
    /** Loki stream selectors to delete. Defaults to every stream with a namespace label. */
    lokiSelectors?: string[];
}

/** Arguments of {@link Tenant}. */
export interface TenantArgs {
    /** The tenant id. */
    clusterId: string;
    /** The project (its Grafana org is `orgId`). */
    project: string;
    tenant: TenantSpec;
    /** The seed's MLA namespace (seed output `namespace`). Defaults to "mla". */
    namespace?: pulumi.Input<string>;
    /** The cluster's gateway read Service, which the datasources point at. Defaults to the Gateway component's. */
    gatewayRead?: GatewayReadEndpoint;
    /** Admin default metric groups (from the seed). Defaults to `defaultMetricRuleGroups()`. */
    adminMetricRuleGroups?: RuleGroupSpec[];
    /** Admin default log groups (from the seed). Defaults to `defaultLogRuleGroups()` (none). */
    adminLogRuleGroups?: RuleGroupSpec[];
    /** The project's Grafana org id (project stack output `grafanaOrgId`, or a known org). */
    orgId: pulumi.Input<number>;
    /** Required when `tenant.purgeOnDestroy` is true. */
    purge?: TenantPurgeEndpoints;
    /**
     * The gateway's read token (`ClusterPki.readToken`, secret). The datasources send it from
     * `secureJsonData`, and their file becomes a Secret. Without it they are a ConfigMap and the
     * gateway refuses them (401). Defaults to none.
     */
    readToken?: pulumi.Input<string>;
}

/** One cluster's tenant configuration in the seed. */
export class Tenant extends pulumi.ComponentResource {
    /** The ConfigMaps, by role (metric-rules, log-rules, cortex-overrides, loki-overrides, datasources). */
    readonly configMaps: Record<string, k8s.core.v1.ConfigMap>;
    /** The Secrets, by role (alertmanager; datasources when a read token is given). */
    readonly secrets: Record<string, k8s.core.v1.Secret>;
    /** The project's Grafana org id. */
    readonly orgId: pulumi.Output<number>;
    /** The purge resource, when purge is on. Make the gateway depend on it so writes stop first. */
    readonly purge?: TenantPurge;

    constructor(name: string, args: TenantArgs, opts: pulumi.ComponentResourceOptions = {}) {
        // Renamed from mla:cluster:Tenant when the folders were aligned with the type tokens; the alias keeps
        // existing stacks' resources in place instead of replacing them.
        super(
            "mla:tenant:Tenant",
            name,
            {},
            { ...opts, aliases: [...(opts.aliases ?? []), { type: "mla:cluster:Tenant" }] },
        );
        const adminMetric = args.adminMetricRuleGroups ?? defaultMetricRuleGroups();
        const adminLog = args.adminLogRuleGroups ?? defaultLogRuleGroups();
        const problems = tenantProblems({
            clusterId: args.clusterId,
            tenant: args.tenant,
            adminMetricRuleGroups: adminMetric,
            adminLogRuleGroups: adminLog,
        });
        if (!isDnsLabel(args.project)) {
            problems.push(`project ${JSON.stringify(args.project)} must be a DNS-1123 label`);
        }
        if (args.orgId === undefined) problems.push("orgId (the project's Grafana org) is required");
        if (args.tenant.purgeOnDestroy === true && args.purge === undefined) {
            problems.push("tenant.purgeOnDestroy needs purge endpoints (cortexUrl, lokiUrl)");
        }
        const gatewayRead = args.gatewayRead ?? DEFAULT_GATEWAY_READ;
        if (!Number.isInteger(gatewayRead.port) || gatewayRead.port < 1 || gatewayRead.port > 65535) {
            problems.push(`gatewayRead.port ${gatewayRead.port} must be 1-65535`);
        }
        throwIfProblems(problems);

        const id = args.clusterId;
        const namespace = args.namespace ?? DEFAULT_SEED_NAMESPACE;
        type Spec = Omit<TenantConfigMap, "data"> & { data: pulumi.Input<Record<string, string>> };
        const configMap = (o: Spec) =>
            new k8s.core.v1.ConfigMap(`${name}-${o.role}`, tenantConfigMapArgs(o, namespace, o.data), { parent: this });

        this.configMaps = {};
        this.secrets = {};
        for (const o of tenantConfigMaps({
            clusterId: id,
            tenant: args.tenant,
            adminMetricRuleGroups: adminMetric,
            adminLogRuleGroups: adminLog,
        })) {
            if (o.kind === "ConfigMap") this.configMaps[o.role] = configMap(o);
            else {
                // pulumi.secret: the text is encrypted in the state and masked in previews and logs.
                this.secrets[o.role] = new k8s.core.v1.Secret(
                    `${name}-${o.role}`,
                    tenantSecretArgs(o, namespace, pulumi.secret(o.data)),
                    { parent: this },
                );
            }
        }

        this.orgId = pulumi.output(args.orgId);
        const meta = datasourceConfigMapMeta(id);
        if (args.readToken === undefined) {
            this.configMaps[meta.role] = configMap({
                ...meta,
                data: this.orgId.apply((orgId) => ({
                    [meta.dataKey]: renderDatasources({ clusterId: id, orgId, gateway: gatewayRead }),
                })),
            });
        } else {
            // The file holds the read token: a Secret (same name and labels; the sidecar loads both kinds).
            const data = pulumi.all([this.orgId, args.readToken]).apply(([orgId, readToken]) => ({
                [meta.dataKey]: renderDatasources({ clusterId: id, orgId, gateway: gatewayRead, readToken }),
            }));
            this.secrets[meta.role] = new k8s.core.v1.Secret(
                `${name}-${meta.role}`,
                tenantSecretArgs(meta, namespace, pulumi.secret(data)),
                { parent: this },
            );
        }

        if (args.tenant.purgeOnDestroy) {
            const purge = args.purge as TenantPurgeEndpoints;
            this.purge = new TenantPurge(
                `${name}-purge`,
                {
                    tenantId: id,
                    cortexUrl: purge.cortexUrl,
                    lokiUrl: purge.lokiUrl,
                    lokiSelectors: purge.lokiSelectors,
                },
                // No dependency on the Loki fragment: the seed sets deletion_mode for every tenant.
                { parent: this },
            );
        }

        this.registerOutputs({ orgId: this.orgId });
    }
}
