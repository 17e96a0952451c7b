/**
 * The agents' small objects from their pure builders: each is valid against the Kubernetes schema
 * and holds exactly what the agents' pods and RBAC rely on.
 */
import { expect } from "chai";
import { agentConfigMapArgs, agentTlsSecretArgs } from "../../components/agents/agent-file-objects";
import { agentNamespaceArgs } from "../../components/agents/agent-namespaces";
import { clusterRoleArgs, logAgentRules, serviceAccountArgs } from "../../components/agents/rbac-objects";
import { podSecurityLabels } from "../../components/common/pod-security";
import { KIND, objectSchemaErrors } from "../support/object-schema";

describe("agent object builders (pure)", () => {
    it("labels an agents' namespace with its Pod Security level and as part of MLA", async () => {
        const ns = agentNamespaceArgs("mla-host-agents", podSecurityLabels("privileged", "baseline"));
        expect(await objectSchemaErrors(KIND.namespace, ns)).to.equal("");
        expect(ns.metadata).to.deep.equal({
            name: "mla-host-agents",
            labels: {
                "pod-security.kubernetes.io/enforce": "privileged",
                "pod-security.kubernetes.io/enforce-version": "latest",
                "pod-security.kubernetes.io/warn": "baseline",
                "pod-security.kubernetes.io/warn-version": "latest",
                "pod-security.kubernetes.io/audit": "baseline",
                "pod-security.kubernetes.io/audit-version": "latest",
                "app.kubernetes.io/part-of": "mla",
            },
        });
    });

    it("puts the client certificate, key and CA under the keys of a kubernetes.io/tls Secret", async () => {
        const secret = agentTlsSecretArgs({
            name: "mla-log-agent-tls",
            namespace: "mla-host-agents",
            caPem: "CA",
            certPem: "CERT",
            keyPem: "KEY",
        });
        expect(await objectSchemaErrors(KIND.secret, secret)).to.equal("");
        expect(secret).to.deep.equal({
            metadata: { name: "mla-log-agent-tls", namespace: "mla-host-agents" },
            type: "kubernetes.io/tls",
            stringData: { "ca.crt": "CA", "tls.crt": "CERT", "tls.key": "KEY" },
        });
    });

    it("holds the agent's config files by file name", async () => {
        const config = agentConfigMapArgs("mla-metrics-agent-config", "mla-system", { "vmagent.yaml": "a: 1\n" });
        expect(await objectSchemaErrors(KIND.configMap, config)).to.equal("");
        expect(config).to.deep.equal({
            metadata: { name: "mla-metrics-agent-config", namespace: "mla-system" },
            data: { "vmagent.yaml": "a: 1\n" },
        });
    });

    it("gives a service account its namespace, and a cluster-wide role only its rules", async () => {
        const sa = serviceAccountArgs("mla-log-agent", "mla-host-agents");
        const role = clusterRoleArgs("mla-log-agent", logAgentRules());
        expect(await objectSchemaErrors(KIND.serviceAccount, sa)).to.equal("");
        expect(await objectSchemaErrors(KIND.clusterRole, role)).to.equal("");
        expect(sa).to.deep.equal({ metadata: { name: "mla-log-agent", namespace: "mla-host-agents" } });
        expect(role).to.deep.equal({
            metadata: { name: "mla-log-agent" },
            rules: [{ apiGroups: [""], resources: ["pods", "nodes"], verbs: ["get", "list", "watch"] }],
        });
    });

    it("would catch a malformed object: the schema check rejects rules whose verbs are not a list", async () => {
        const bad = { metadata: { name: "x" }, rules: [{ apiGroups: [""], resources: ["pods"], verbs: "get" }] };
        expect(await objectSchemaErrors(KIND.clusterRole, bad)).to.include("verbs must be array");
    });
});
