/**
 * What every stack of the service shares, whichever executor runs it: the Pulumi project name,
 * the project file a workspace writes, and the stack config that turns default providers off.
 * Plain data: the operator executor writes the same settings into its Stack objects.
 */
import type { ProjectSettings } from "@pulumi/pulumi/automation";

/** The Pulumi project of every cluster and project stack. */
export const PROJECT = "mla";

/** Stack config every stack gets (as a `--path` list entry): no default Kubernetes provider. */
export const DISABLE_DEFAULT_PROVIDERS = { key: "pulumi:disable-default-providers[0]", value: "kubernetes" } as const;

/** Project stacks also get no default Grafana provider (it would read GRAFANA_URL/GRAFANA_AUTH from the environment). */
export const DISABLE_DEFAULT_GRAFANA_PROVIDER = {
    key: "pulumi:disable-default-providers[1]",
    value: "grafana",
} as const;

/** The project file a workspace writes: the Node.js runtime and the executor's backend. */
export function projectSettings(backendUrl: string): ProjectSettings {
    return { name: PROJECT, runtime: "nodejs", backend: { url: backendUrl } };
}
