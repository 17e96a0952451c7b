/** Every `mla` sub-command, in the order `mla --help` lists them. */
import type { Command } from "./command";
import { renderAlertmanager, renderLimits, renderRules } from "./render-tenant";
import { renderSeedValues } from "./render-seed-values";
import { renderCluster, renderSeed } from "./render-manifests";
import { renderGateway } from "./render-gateway";
import { renderAgent } from "./render-agent";
import { serveCommand } from "./serve";
import { previewFleetCommand } from "./preview-fleet";
import { statusCommand } from "./status";

export const commands: Command[] = [
    renderAlertmanager,
    renderRules,
    renderLimits,
    renderSeedValues,
    renderSeed,
    renderCluster,
    renderGateway,
    renderAgent,
    serveCommand,
    previewFleetCommand,
    statusCommand,
];
