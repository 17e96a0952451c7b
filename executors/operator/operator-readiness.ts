/**
 * The operator executor's readiness checks, as `/readyz` lists them: the management cluster's
 * API accepts the credentials, serves PKO's `Stack` CRD, and lets the service list Stacks in the
 * operator namespace.
 */
import type { ReadyCheck } from "../executor";
import type { KubeClient } from "./kube-client";

/** What to tell an operator whose management cluster lacks PKO. */
export const INSTALL_PKO =
    "the Stack CRD (pulumi.com/v1) is not installed in the management cluster: install the Pulumi Kubernetes Operator v2 " +
    "(helm install -n pulumi-kubernetes-operator --create-namespace pulumi-kubernetes-operator oci://ghcr.io/pulumi/helm-charts/pulumi-kubernetes-operator)";

/** What {@link operatorReadiness} asks. */
export interface OperatorReadinessInput {
    client: KubeClient;
    /** The API server URL, for the messages. */
    server: string;
    /** The operator namespace the Stacks go to. */
    namespace: string;
}

/** The checks, in order; the namespace is checked only when the CRD is served. */
export async function operatorReadiness({ client, server, namespace }: OperatorReadinessInput): Promise<ReadyCheck[]> {
    const signal = AbortSignal.timeout(10_000);
    const host = new URL(server).host;
    let group;
    try {
        group = await client.request("GET", "/apis/pulumi.com/v1", { signal });
    } catch (e) {
        return [{ name: "kubernetes-api", ok: false, detail: e instanceof Error ? e.message : String(e) }];
    }
    const checks: ReadyCheck[] = [
        group.status === 401 || group.status === 403
            ? {
                  name: "kubernetes-api",
                  ok: false,
                  detail: `the Kubernetes API at ${host} refused the credentials (${group.status})`,
              }
            : { name: "kubernetes-api", ok: true, detail: `reachable at ${host}` },
    ];
    const resources = Array.isArray(group.body?.resources) ? (group.body.resources as Record<string, unknown>[]) : [];
    const crd = group.status === 200 && resources.some((r) => r.name === "stacks");
    checks.push(
        crd
            ? { name: "stack-crd", ok: true, detail: "pulumi.com/v1 Stack is served" }
            : { name: "stack-crd", ok: false, detail: INSTALL_PKO },
    );
    if (crd) {
        const list = await client
            .request("GET", `/apis/pulumi.com/v1/namespaces/${encodeURIComponent(namespace)}/stacks?limit=1`, {
                signal,
            })
            .catch(() => undefined);
        checks.push(
            list?.status === 200
                ? { name: "operator-namespace", ok: true, detail: `can list Stacks in ${namespace}` }
                : {
                      name: "operator-namespace",
                      ok: false,
                      detail: `cannot list Stacks in namespace ${namespace} (${list?.status ?? "unreachable"}): create it and grant the service's identity get/list/patch/delete on stacks and secrets there`,
                  },
        );
    }
    return checks;
}
