/**
 * Installs a pinned chart (`charts.ts`) with `helm.v4.Chart`: every rendered object becomes its
 * own resource in state, so `pulumi preview` shows per-object diffs (README, "The seed stack",
 * for the v4-versus-Release choice).
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { type PinnedChartArgs, pinnedChartArgs } from "./charts";

/** The chart release `name`, a child as `opts` says. */
export function pinnedChart(
    name: string,
    args: PinnedChartArgs,
    opts: pulumi.ComponentResourceOptions,
): k8s.helm.v4.Chart {
    return new k8s.helm.v4.Chart(name, pinnedChartArgs(args), opts);
}
