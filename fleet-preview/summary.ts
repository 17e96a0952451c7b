/**
 * Renders the fleet preview as one markdown comment: a summary table of every cluster first, then
 * per-cluster step tables while they fit GitHub's comment limit.
 */
import { type ClusterPreview, countChanges, flaggedSteps } from "./steps";

/** GitHub rejects issue comments longer than this many characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** The name part of a URN (`...::name`). */
function nameOf(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

function escapeCell(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function detailsOf(p: ClusterPreview): string {
    if (p.error !== undefined) {
        return `<details><summary><code>${p.clusterId}</code>: preview failed</summary>\n\n\`\`\`\n${p.error}\n\`\`\`\n</details>\n`;
    }
    const { byUrn } = countChanges(p.steps);
    if (byUrn.size === 0) return "";
    const flagged = new Set(flaggedSteps(p.steps).map((s) => s.urn));
    const rows = [...byUrn.values()]
        .sort((a, b) => a.category.localeCompare(b.category) || a.urn.localeCompare(b.urn))
        .map((s) => {
            const mark = flagged.has(s.urn) ? " :warning:" : "";
            const diffs = s.diffs && s.diffs.length > 0 ? escapeCell(s.diffs.join(", ")) : "";
            return `| ${s.category}${mark} | \`${escapeCell(s.type)}\` | ${escapeCell(nameOf(s.urn))} | ${diffs} |`;
        });
    return [
        `<details><summary><code>${p.clusterId}</code>: ${byUrn.size} change${byUrn.size === 1 ? "" : "s"}</summary>`,
        "",
        "| step | type | name | changed properties |",
        "| --- | --- | --- | --- |",
        ...rows,
        "</details>",
        "",
    ].join("\n");
}

/**
 * The markdown summary. It always contains the headline and the per-cluster count table; step
 * details are added in cluster order until `limit` would be exceeded, and the rest are named as
 * trimmed.
 */
export function renderFleetSummary(previews: readonly ClusterPreview[], limit = GITHUB_COMMENT_LIMIT): string {
    // Failed and flagged clusters first: if the table must be trimmed, they stay.
    const rank = (p: ClusterPreview): number => (p.error !== undefined ? 0 : flaggedSteps(p.steps).length > 0 ? 1 : 2);
    const sorted = [...previews].sort((a, b) => rank(a) - rank(b) || a.clusterId.localeCompare(b.clusterId));
    const rows = sorted.map((p) => {
        if (p.error !== undefined) return `| \`${p.clusterId}\` | – | – | – | – | :x: preview failed |`;
        const { counts } = countChanges(p.steps);
        const flagged = flaggedSteps(p.steps).length;
        const note = flagged > 0 ? `:warning: ${flagged} data-bearing replace/delete` : "";
        return `| \`${p.clusterId}\` | ${counts.create} | ${counts.update} | ${counts.replace} | ${counts.delete} | ${note} |`;
    });
    const changed = sorted.filter((p) => p.error === undefined && countChanges(p.steps).byUrn.size > 0).length;
    const flaggedClusters = sorted.filter((p) => flaggedSteps(p.steps).length > 0).length;
    const failed = sorted.filter((p) => p.error !== undefined).length;
    const headline = [
        "## Fleet preview",
        "",
        `${sorted.length} cluster stack${sorted.length === 1 ? "" : "s"}: ${changed} with changes, ` +
            `${flaggedClusters} with data-bearing replacements or deletions, ${failed} failed.`,
        "",
        "| cluster | create | update | replace | delete | notes |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ].join("\n");

    // Room kept for the trimming notes, so adding them never crosses the limit.
    const budget = limit - 200;
    let body = headline;
    let keptRows = 0;
    for (const row of rows) {
        if (body.length + row.length + 1 > budget) break;
        body += `\n${row}`;
        keptRows++;
    }
    if (keptRows < rows.length) {
        return `${body}\n\n_${rows.length - keptRows} more clusters trimmed to fit the comment limit; the failed or flagged ones are listed first._\n`;
    }
    body += "\n";
    const trimmed: string[] = [];
    for (const p of sorted) {
        const details = detailsOf(p);
        if (details === "") continue;
        if (trimmed.length === 0 && body.length + details.length + 1 <= budget) body += `\n${details}`;
        else trimmed.push(p.clusterId);
    }
    if (trimmed.length > 0) {
        body += `\n_Details of ${trimmed.length} cluster${trimmed.length === 1 ? "" : "s"} trimmed to fit the comment limit._\n`;
    }
    return body;
}
