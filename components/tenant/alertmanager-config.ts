/**
 * The tenant's Alertmanager config: the owner's YAML, checked, or a default that routes every
 * alert to a receiver named "null" (which has no integrations, so nothing is sent).
 *
 * The multi-tenant Cortex Alertmanager loads it from the file `<clusterId>.yaml` that the chart
 * sidecar writes. The checks (`spec/checks/alertmanager-config.ts`) run before any object is made.
 */
import { alertmanagerConfigProblems } from "../../spec/checks/alertmanager-config";
import { withoutRedirects } from "../../spec/checks/alertmanager-egress";
import { throwIfProblems } from "./tenant-error";

/** The config used when the owner gives none: everything goes to "null". */
export const DEFAULT_ALERTMANAGER_CONFIG = ["route:", '  receiver: "null"', "receivers:", '  - name: "null"', ""].join(
    "\n",
);

/**
 * The config file content to deliver: the owner's text (checked), with redirects switched off on
 * every HTTP client (`withoutRedirects`), or the default.
 */
export function renderAlertmanagerConfig(ownerConfig?: string): string {
    if (ownerConfig === undefined || ownerConfig.trim() === "") return DEFAULT_ALERTMANAGER_CONFIG;
    throwIfProblems(alertmanagerConfigProblems(ownerConfig));
    return withoutRedirects(ownerConfig);
}
