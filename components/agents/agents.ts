/**
 * `Agents` (`mla:cluster:Agents`): everything MLA puts into a user cluster, in namespace
 * `mla-system`: the metrics agent (Prometheus in agent mode), the log agent DaemonSet (Alloy or
 * Promtail), optional node-exporter and kube-state-metrics, their RBAC and client-cert Secrets.
 *
 * The user-cluster provider reaches every child through `opts.provider`/`opts.providers` and
 * `parent: this`; the component never creates or assumes a provider. Turning monitoring or
 * logging off creates none of that agent's objects, so an update deletes them.
 */
import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { renderAgentConfigs, LOG_AGENT_CONFIG_FILE, METRICS_AGENT_CONFIG_FILE, type LogAgentKind } from "./agent-configs";
import { kubeStateMetricsDeploymentArgs, nodeExporterDaemonSetArgs } from "./exporter-objects";
import { logAgentDaemonSetArgs } from "./log-agent-objects";
import { metricsAgentDeploymentArgs } from "./metrics-agent-objects";
import { podSecurityLabels } from "../pod-security";
import { customScrapeConfigProblems } from "./prometheus-config";
import { clusterRoleBindingArgs, kubeStateMetricsRules, logAgentRules, metricsAgentRules } from "./rbac-objects";
import { isDnsLabel } from "../validation";

type Resources = k8s.types.input.core.v1.ResourceRequirements;

/** The metrics agent's reference defaults: requests 100m/256Mi, limits 1 CPU/4Gi. */
export const DEFAULT_METRICS_RESOURCES: Resources = { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "4Gi" } };
/** The log agent's defaults. */
export const DEFAULT_LOGS_RESOURCES: Resources = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "512Mi" } };

/** PEMs from the cluster's PKI (`ClusterPki` outputs). */
export interface AgentsTls {
    caCertPem: pulumi.Input<string>;
    metricsClientCertPem: pulumi.Input<string>;
    metricsClientKeyPem: pulumi.Input<string>;
    logsClientCertPem: pulumi.Input<string>;
    logsClientKeyPem: pulumi.Input<string>;
}

/** Arguments of {@link Agents}. */
export interface AgentsArgs {
    /** The cluster id (tenant); the metrics agent's external label `cluster`. A DNS-1123 label. */
    clusterId: string;
    /** The gateway's write listener base URL, `https://host[:port]`. */
    gatewayUrl: pulumi.Input<string>;
    /** Client certificates and the cluster CA. */
    tls: AgentsTls;
    /** The namespace for every agent. Defaults to "mla-system". */
    namespace?: string;
    monitoring: {
        enabled: boolean;
        /** Defaults to "30s". */
        scrapeInterval?: string;
        customScrapeConfigs?: Record<string, unknown>[];
        /** Defaults to {@link DEFAULT_METRICS_RESOURCES}. */
        resources?: Resources;
        /** Defaults to 1. More replicas scrape the same targets and send duplicates. */
        replicas?: number;
        /** Defaults to false. */
        nodeExporter?: boolean;
        /** Defaults to false. */
        kubeStateMetrics?: boolean;
    };
    logging: {
        enabled: boolean;
        /** Defaults to "alloy". */
        agent?: LogAgentKind;
        /** Defaults to {@link DEFAULT_LOGS_RESOURCES}. */
        resources?: Resources;
    };
}


/** Every problem with the args; empty when valid. */
export function agentsArgsProblems(args: AgentsArgs): string[] {
    const problems: string[] = [];
    if (!isDnsLabel(args.clusterId)) problems.push(`clusterId "${args.clusterId}" must be a DNS-1123 label`);
    if (args.namespace !== undefined && !isDnsLabel(args.namespace)) problems.push(`namespace "${args.namespace}" must be a DNS-1123 label`);
    if (typeof args.gatewayUrl === "string" && !/^https:\/\/[^/\s]+\/?$/.test(args.gatewayUrl)) {
        problems.push(`gatewayUrl "${args.gatewayUrl}" must be https://host[:port]`);
    }
    const replicas = args.monitoring.replicas;
    if (replicas !== undefined && !(Number.isInteger(replicas) && replicas >= 0)) problems.push(`monitoring.replicas ${replicas} must be a whole number >= 0`);
    problems.push(...customScrapeConfigProblems(args.monitoring.customScrapeConfigs ?? []).map((p) => `monitoring: ${p}`));
    const agent = args.logging.agent;
    if (agent !== undefined && !(agent in LOG_AGENT_CONFIG_FILE)) problems.push(`logging.agent "${agent}" must be alloy or promtail`);
    return problems;
}

function sha256(text: string): string {
    return createHash("sha256").update(text).digest("hex");
}

/** The user-cluster agents. */
export class Agents extends pulumi.ComponentResource {
    /** The agents' namespace. */
    readonly namespace: pulumi.Output<string>;
    /** The rendered config files (file name → text), as `mla render agent` writes them. */
    readonly configFiles: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: AgentsArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("mla:cluster:Agents", name, {}, opts);
        const problems = agentsArgsProblems(args);
        if (problems.length > 0) throw new pulumi.ResourceError(`invalid Agents args: ${problems.join("; ")}`, this);

        const m = args.monitoring;
        const l = args.logging;
        const agent = l.agent ?? "alloy";
        const hostAccess = l.enabled || (m.enabled && (m.nodeExporter ?? false));
        const ns = new k8s.core.v1.Namespace(
            `${name}-namespace`,
            { metadata: { name: args.namespace ?? "mla-system", labels: { ...podSecurityLabels(hostAccess), "app.kubernetes.io/part-of": "mla" } } },
            { parent: this },
        );
        const namespace = ns.metadata.name;
        this.namespace = namespace;

        this.configFiles = pulumi.output(args.gatewayUrl).apply((gatewayUrl) =>
            renderAgentConfigs({
                clusterId: args.clusterId,
                gatewayUrl,
                agentNamespace: args.namespace,
                monitoring: { ...m, enabled: m.enabled },
                logging: { enabled: l.enabled, agent },
            }),
        );

        if (m.enabled) {
            const file = METRICS_AGENT_CONFIG_FILE;
            const { dependsOn, ...parts } = this.agentBasics(name, "metrics", namespace, metricsAgentRules(), file, args.tls.metricsClientCertPem, args.tls.metricsClientKeyPem, args.tls.caCertPem);
            new k8s.apps.v1.Deployment(
                `${name}-metrics`,
                metricsAgentDeploymentArgs({
                    name: "mla-metrics-agent",
                    namespace,
                    replicas: m.replicas ?? 1,
                    resources: m.resources ?? DEFAULT_METRICS_RESOURCES,
                    ...parts,
                    configChecksum: this.configFiles.apply((files) => sha256(files[file])),
                }),
                { parent: this, dependsOn },
            );
            if (m.nodeExporter) {
                const sa = this.serviceAccount(name, "node-exporter", namespace);
                new k8s.apps.v1.DaemonSet(`${name}-node-exporter`, nodeExporterDaemonSetArgs("mla-node-exporter", namespace, "mla-node-exporter"), {
                    parent: this,
                    dependsOn: [sa],
                });
            }
            if (m.kubeStateMetrics) {
                const sa = this.serviceAccount(name, "kube-state-metrics", namespace);
                const role = this.clusterRole(name, "kube-state-metrics", namespace, kubeStateMetricsRules());
                new k8s.apps.v1.Deployment(
                    `${name}-kube-state-metrics`,
                    kubeStateMetricsDeploymentArgs("mla-kube-state-metrics", namespace, "mla-kube-state-metrics"),
                    { parent: this, dependsOn: [sa, role] },
                );
            }
        }

        if (l.enabled) {
            const file = LOG_AGENT_CONFIG_FILE[agent];
            const { dependsOn, ...parts } = this.agentBasics(name, "logs", namespace, logAgentRules(), file, args.tls.logsClientCertPem, args.tls.logsClientKeyPem, args.tls.caCertPem);
            new k8s.apps.v1.DaemonSet(
                `${name}-logs`,
                logAgentDaemonSetArgs({
                    name: "mla-log-agent",
                    namespace,
                    agent,
                    resources: l.resources ?? DEFAULT_LOGS_RESOURCES,
                    ...parts,
                    configChecksum: this.configFiles.apply((files) => sha256(files[file])),
                }),
                { parent: this, dependsOn },
            );
        }

        this.registerOutputs({ namespace: this.namespace, configFiles: this.configFiles });
    }

    /** The service account, ClusterRole + binding, client-cert Secret and config ConfigMap of one agent. */
    private agentBasics(
        name: string,
        role: "metrics" | "logs",
        namespace: pulumi.Output<string>,
        rules: k8s.types.input.rbac.v1.PolicyRule[],
        file: string,
        certPem: pulumi.Input<string>,
        keyPem: pulumi.Input<string>,
        caPem: pulumi.Input<string>,
    ) {
        const app = role === "metrics" ? "metrics-agent" : "log-agent";
        const sa = this.serviceAccount(name, app, namespace);
        const binding = this.clusterRole(name, app, namespace, rules);
        const secret = new k8s.core.v1.Secret(
            `${name}-${role}-tls`,
            {
                metadata: { name: `mla-${app}-tls`, namespace },
                type: "kubernetes.io/tls",
                stringData: { "ca.crt": caPem, "tls.crt": certPem, "tls.key": pulumi.secret(keyPem) },
            },
            { parent: this },
        );
        const config = new k8s.core.v1.ConfigMap(
            `${name}-${role}-config`,
            { metadata: { name: `mla-${app}-config`, namespace }, data: this.configFiles.apply((files) => ({ [file]: files[file] })) },
            { parent: this },
        );
        return {
            serviceAccountName: `mla-${app}`,
            configMapName: `mla-${app}-config`,
            tlsSecretName: `mla-${app}-tls`,
            dependsOn: [sa, binding, secret, config],
        };
    }

    private serviceAccount(name: string, app: string, namespace: pulumi.Output<string>): k8s.core.v1.ServiceAccount {
        return new k8s.core.v1.ServiceAccount(`${name}-${app}-sa`, { metadata: { name: `mla-${app}`, namespace } }, { parent: this });
    }

    /** A ClusterRole with `rules`, bound to the app's service account; returns the binding. */
    private clusterRole(name: string, app: string, namespace: pulumi.Output<string>, rules: k8s.types.input.rbac.v1.PolicyRule[]): k8s.rbac.v1.ClusterRoleBinding {
        const role = new k8s.rbac.v1.ClusterRole(`${name}-${app}-role`, { metadata: { name: `mla-${app}` }, rules }, { parent: this });
        return new k8s.rbac.v1.ClusterRoleBinding(
            `${name}-${app}-binding`,
            clusterRoleBindingArgs(`mla-${app}`, `mla-${app}`, `mla-${app}`, namespace),
            { parent: this, dependsOn: [role] },
        );
    }
}
