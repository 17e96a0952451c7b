/**
 * The values of every seed chart, by chart name: what `SeedMla` passes and what
 * `mla render seed-values` writes, from the same renderers.
 */
import { cortexValues } from "./cortex-values";
import { grafanaValues } from "./grafana-values";
import { lokiValues } from "./loki-values";
import { minioValues } from "./minio-values";
import type { SeedChartName } from "./charts";
import { type MinioPlan, type SeedPlan } from "../../spec/seed-plan";

/** The values per chart; MinIO only when the plan bundles it. */
export function seedChartValues(plan: SeedPlan): Partial<Record<SeedChartName, Record<string, unknown>>> {
    return {
        cortex: cortexValues(plan),
        loki: lokiValues(plan),
        grafana: grafanaValues(plan),
        ...(plan.objectStore.kind === "minio"
            ? { minio: minioValues({ ...plan, objectStore: plan.objectStore as MinioPlan }) }
            : {}),
    };
}
