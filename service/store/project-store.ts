/**
 * What the service remembers per project: its explicit Grafana org members, and the project
 * stacks (one per seed) it has applied, with the hash of the spec applied and the org id.
 *
 * One JSON file per project under `<dataDir>/projects/`, written atomically. Nothing secret:
 * logins, emails and roles (personal data, so the files are mode 0600 like the rest).
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { ProjectMember } from "../../spec/project-spec";
import { writeFileAtomic } from "./atomic-file";

/** One applied project stack. */
export interface AppliedProjectStack {
    /** The seed stack the org lives in. */
    seedStack: string;
    /** The Grafana URL the project program used (`seedApi.grafanaUrl` of the cluster that created it). */
    grafanaUrl?: string;
    /** Hash of the project spec last applied successfully. */
    hash: string;
    /** The org id the stack reported. */
    orgId?: number;
    /**
     * Set while an operation on the stack runs, cleared when it ends. Found set at start-up, it
     * means the service stopped mid-run: the stack may hold a stale lock (cleared before its next run).
     */
    running?: boolean;
}

/** A project as the service keeps it. */
export interface ProjectRecord {
    project: string;
    members: ProjectMember[];
    /** By project stack name. */
    stacks: Record<string, AppliedProjectStack>;
    updatedAt: string;
}

/** Project records under `<dataDir>/projects/`. */
export class ProjectStore {
    private readonly dir: string;

    constructor(dataDir: string) {
        this.dir = join(dataDir, "projects");
        mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    }

    private path(project: string): string {
        return join(this.dir, `${project}.json`);
    }

    /** The project's record; a fresh one (no members, no stacks) when none was stored. */
    get(project: string): ProjectRecord {
        if (!existsSync(this.path(project)))
            return { project, members: [], stacks: {}, updatedAt: new Date(0).toISOString() };
        return JSON.parse(readFileSync(this.path(project), "utf8")) as ProjectRecord;
    }

    put(record: ProjectRecord): void {
        writeFileAtomic(this.path(record.project), JSON.stringify({ ...record, updatedAt: new Date().toISOString() }));
    }

    /** Forgets a project that has neither members nor stacks. */
    removeIfEmpty(project: string): void {
        const record = this.get(project);
        if (record.members.length === 0 && Object.keys(record.stacks).length === 0)
            rmSync(this.path(project), { force: true });
    }
}
