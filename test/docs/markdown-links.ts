/**
 * Finds the relative links of a Markdown file and checks that each one resolves: the file exists,
 * and a `#fragment` names a heading of the target (GitHub's slug rules: lower case, punctuation
 * dropped, spaces to hyphens, repeated headings numbered).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** A link that does not resolve, with the reason. */
export interface BrokenLink {
    file: string;
    link: string;
    reason: string;
}

/** GitHub's anchor for a heading text. */
export function headingSlug(text: string): string {
    return text
        .trim()
        .toLowerCase()
        .replace(/<[^>]+>/g, "")
        .replace(/[^\p{L}\p{N}\s_-]/gu, "")
        .replace(/\s/g, "-");
}

/** Every anchor a Markdown text defines, numbered as GitHub numbers repeats. */
export function anchorsOf(markdown: string): Set<string> {
    const seen = new Map<string, number>();
    const anchors = new Set<string>();
    let fenced = false;
    for (const line of markdown.split("\n")) {
        if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
        const m = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
        if (!m) continue;
        const base = headingSlug(m[1]!.replace(/`/g, ""));
        const n = seen.get(base) ?? 0;
        seen.set(base, n + 1);
        anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    return anchors;
}

/** Relative link targets in a Markdown text, outside code fences and inline code. */
export function linksOf(markdown: string): string[] {
    const links: string[] = [];
    let fenced = false;
    for (const line of markdown.split("\n")) {
        if (/^\s*(```|~~~)/.test(line)) {
            fenced = !fenced;
            continue;
        }
        if (fenced) continue;
        const text = line.replace(/`[^`]*`/g, "");
        for (const m of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
            const target = m[1]!;
            if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) links.push(target);
        }
    }
    return links;
}

/** The links of `file` that do not resolve. */
export function brokenLinks(file: string): BrokenLink[] {
    const text = readFileSync(file, "utf8");
    const broken: BrokenLink[] = [];
    for (const link of linksOf(text)) {
        const [pathPart, fragment] = link.split("#", 2) as [string, string | undefined];
        const target = pathPart === "" ? file : resolve(dirname(file), decodeURIComponent(pathPart));
        if (!existsSync(target)) {
            broken.push({ file, link, reason: "no such file" });
            continue;
        }
        if (fragment === undefined || statSync(target).isDirectory() || !target.endsWith(".md")) continue;
        if (!anchorsOf(readFileSync(target, "utf8")).has(fragment)) {
            broken.push({ file, link, reason: `no heading #${fragment} in ${join(target)}` });
        }
    }
    return broken;
}
