import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import {
  SECRET,
  claim,
  configureSecret,
  enqueue,
  expectConvexError,
  mutate,
  newConvex,
  read,
  row,
  seedUserAndRepository,
  useClock,
  type TestConvex,
  resetSecret,
} from "./support";

beforeEach(() => configureSecret());
afterEach(() => {
  resetSecret();
  vi.restoreAllMocks();
});

type File = { slug: string; title: string; chapterIndex?: number; content: string; kind: string };

async function heldJob(t: TestConvex) {
  const id = await enqueue(t);
  const held = await claim(t);
  const lease = { jobId: id, workerId: "worker-a", leaseToken: held.leaseToken, workerSecret: SECRET };
  const save = (files: File[], extra: Record<string, unknown> = {}) => mutate(t, "queue:saveDocuments", { ...lease, files, ...extra });
  const complete = (extra: Record<string, unknown> = {}) => mutate(t, "queue:complete", { ...lease, ...extra });
  const listed = () => read(t, "queue:listDocuments", { jobId: id, workerSecret: SECRET });
  return { id, lease, save, complete, listed };
}

const chapter = (i: number, content = `# Chapter ${i}\n`): File => ({
  slug: `chapters/chapter_${i}_c${i}.md`,
  title: `Chapter ${i}`,
  chapterIndex: i,
  content,
  kind: "chapter",
});

describe("saveDocuments", () => {
  test("stores documents and lists them in reading order", async () => {
    useClock();
    const t = newConvex();
    const { id, save, complete, listed } = await heldJob(t);
    const files: File[] = [
      { slug: "tutorials/tutorial_1_t.md", title: "Tutorial: T", chapterIndex: 1, content: "# T\n", kind: "tutorial" },
      chapter(10),
      { slug: "reviewed-chapters/chapter_2_c2.md", title: "Reviewed: C2", chapterIndex: 2, content: "# R2\n", kind: "chapter" },
      chapter(2),
      { slug: "step3_order.yaml", title: "Chapter Order", content: "{}", kind: "yaml" },
      { slug: "step1_abstractions.yaml", title: "Abstractions", content: "[]", kind: "yaml" },
    ];
    expect(await save(files.slice(0, 3), { runId: "run-1" })).toEqual({ saved: 3, leaseHeld: true, skipped: [] });
    expect(await save(files.slice(3), { runId: "run-1" })).toEqual({ saved: 3, leaseHeld: true, skipped: [] });
    expect(await listed()).toEqual([]);
    await complete({ runId: "run-1", docsCount: 6 });

    const docs = await listed();
    expect(docs.map((d: any) => d.slug)).toEqual([
      "step1_abstractions.yaml",
      "step3_order.yaml",
      "chapters/chapter_2_c2.md",
      "chapters/chapter_10_c10.md",
      "reviewed-chapters/chapter_2_c2.md",
      "tutorials/tutorial_1_t.md",
    ]);
    expect(docs[0]).toEqual({ slug: "step1_abstractions.yaml", title: "Abstractions", kind: "yaml", content: "[]" });
    expect(docs[2]).toEqual({ slug: "chapters/chapter_2_c2.md", title: "Chapter 2", chapterIndex: 2, kind: "chapter", content: "# Chapter 2\n" });
    expect(await row(t, id)).toMatchObject({ docsCount: 6, runId: "run-1" });
  });

  test("saving a slug again replaces the document (a retried call)", async () => {
    useClock();
    const t = newConvex();
    const { id, save, complete, listed } = await heldJob(t);
    await save([chapter(1, "old")], { runId: "run-1" });
    await save([chapter(1, "new"), chapter(2)], { runId: "run-1" });
    await complete({ runId: "run-1", docsCount: 2 });
    expect((await listed()).map((d: any) => [d.slug, d.content])).toEqual([
      ["chapters/chapter_1_c1.md", "new"],
      ["chapters/chapter_2_c2.md", "# Chapter 2\n"],
    ]);
    expect((await row(t, id)).docsCount).toBe(2);
  });

  test("documents staged by an attempt that did not complete never show, and are dropped", async () => {
    const clock = useClock();
    const t = newConvex();
    const id = await enqueue(t);
    const first = await claim(t, "worker-a", { leaseMs: 60_000 });
    await mutate(t, "queue:saveDocuments", {
      jobId: id, workerId: "worker-a", leaseToken: first.leaseToken, runId: first.leaseToken,
      files: [chapter(1, "crashed"), chapter(7, "only in the crashed run")], workerSecret: SECRET,
    });
    expect(await read(t, "queue:listDocuments", { jobId: id, workerSecret: SECRET })).toEqual([]);
    clock.advance(61_000); // the first worker died before completing
    const second = await claim(t, "worker-b", { leaseMs: 60_000 });
    expect(second.id).toBe(id);
    await mutate(t, "queue:saveDocuments", {
      jobId: id, workerId: "worker-b", leaseToken: second.leaseToken, runId: second.leaseToken,
      files: [chapter(1, "final")], workerSecret: SECRET,
    });
    await mutate(t, "queue:complete", {
      jobId: id, workerId: "worker-b", leaseToken: second.leaseToken, runId: second.leaseToken,
      docsCount: 1, progress: "Étape 6/6", currentStep: 6, totalSteps: 6, workerSecret: SECRET,
    });
    const docs = await read(t, "queue:listDocuments", { jobId: id, workerSecret: SECRET });
    expect(docs.map((d: any) => [d.slug, d.content])).toEqual([["chapters/chapter_1_c1.md", "final"]]);
    expect((await read(t, "docs:listByJobId", { jobId: id })).map((d: any) => d.content)).toEqual(["final"]);
    await t.finishAllScheduledFunctions(() => {});
    const stored = await t.run(async (ctx: any) => await ctx.db.query("docs").collect());
    expect(stored.map((d: any) => d.content)).toEqual(["final"]);
    expect(await row(t, id)).toMatchObject({
      status: "completed", attempts: 2, docsCount: 1, progress: "Étape 6/6", currentStep: 6, runId: second.leaseToken,
    });
  });

  test("documents of a web job carry its repository, as the web app reads them", async () => {
    useClock();
    const t = newConvex();
    const { userId, repositoryId } = await seedUserAndRepository(t);
    const { jobId } = await mutate(t, "jobs:create", { userId, repositoryId, prompt: "p" });
    const held = await claim(t);
    await mutate(t, "queue:saveDocuments", {
      jobId,
      workerId: "worker-a",
      leaseToken: held.leaseToken,
      files: [chapter(1)],
      workerSecret: SECRET,
    });
    await mutate(t, "queue:complete", { jobId, workerId: "worker-a", leaseToken: held.leaseToken, workerSecret: SECRET });
    const docs = await read(t, "docs:listByRepository", { repositoryId });
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({ jobId, repositoryId, slug: "chapters/chapter_1_c1.md", chapterIndex: 1 });
  });

  test("a document over 900 KiB of UTF-8 is refused, naming it, and nothing of the call is stored", async () => {
    useClock();
    const t = newConvex();
    const { save, listed } = await heldJob(t);
    // 470,000 characters but 940,000 UTF-8 bytes: the limit counts bytes, not characters.
    const big = "é".repeat(470_000);
    const error = await expectConvexError(save([chapter(1), { ...chapter(2), content: big }]), "DOCUMENT_TOO_LARGE");
    expect(error.message).toContain("chapters/chapter_2_c2.md");
    expect(error.message).toContain("940000");
    expect(await listed()).toEqual([]);
    // Just under the limit is fine.
    expect(await save([{ ...chapter(3), content: "a".repeat(900 * 1024) }])).toMatchObject({ saved: 1 });
  });

  test("a call over the batch limits is refused with BATCH_TOO_LARGE", async () => {
    useClock();
    const t = newConvex();
    const { save } = await heldJob(t);
    const files = Array.from({ length: 10 }, (_, i) => ({ ...chapter(i + 1), content: "b".repeat(850 * 1024) }));
    const error = await expectConvexError(save(files), "BATCH_TOO_LARGE");
    expect(error.message).toContain("split the batch");
    const many = Array.from({ length: 1_001 }, (_, i) => chapter(i + 1));
    await expectConvexError(save(many), "BATCH_TOO_LARGE");
  });

  test("duplicate slugs in one call are refused; empty chapters are skipped", async () => {
    useClock();
    const t = newConvex();
    const { save, complete, listed } = await heldJob(t);
    const dup = await expectConvexError(save([chapter(1), chapter(1)]), "INVALID_ARGUMENT");
    expect(dup.message).toContain("chapters/chapter_1_c1.md");
    expect(await save([chapter(1), { ...chapter(2), content: "  \n" }])).toEqual({
      saved: 1,
      leaseHeld: true,
      skipped: ["chapters/chapter_2_c2.md"],
    });
    await complete();
    expect(await listed()).toHaveLength(1);
  });

  test("completing a new generation deletes the documents of the repository's older generation", async () => {
    useClock();
    const t = newConvex();
    const { userId, repositoryId } = await seedUserAndRepository(t);
    const generation = async (n: number) => {
      const { jobId } = await mutate(t, "jobs:regenerate", { repositoryId, userId });
      const held = await claim(t);
      const lease = { jobId, workerId: "worker-a", leaseToken: held.leaseToken, workerSecret: SECRET };
      const files = Array.from({ length: n }, (_, i) => chapter(i + 1));
      await mutate(t, "queue:saveDocuments", { ...lease, files });
      await mutate(t, "queue:complete", lease);
      return jobId;
    };
    const first = await generation(30);
    await t.finishAllScheduledFunctions(() => {});
    const second = await generation(2);
    await t.finishAllScheduledFunctions(() => {});
    const remaining = await t.run(async (ctx) => await ctx.db.query("docs").collect());
    expect(remaining.map((d) => d.jobId)).toEqual([second, second]);
    expect(await read(t, "docs:listByJobId", { jobId: first })).toEqual([]);
  });
});

describe("docs:upsertFromJob (existing argument shape, worker secret required)", () => {
  test("normalises, rejects empty chapters and reports stats", async () => {
    useClock();
    const t = newConvex();
    const { userId, repositoryId } = await seedUserAndRepository(t);
    const { jobId } = await mutate(t, "jobs:create", { userId, repositoryId, prompt: "p" });
    const args = {
      jobId,
      repositoryId,
      files: [
        { slug: "chapters/chapter_1_a.md", title: "A", chapterIndex: 1, content: "# A\r\n```js", kind: "chapter" },
        { slug: "chapters/chapter_2_b.md", title: "B", chapterIndex: 2, content: "", kind: "chapter" },
        { slug: "step1_abstractions.yaml", title: "Abstractions", content: "[]", kind: "yaml" },
      ],
      summary: { chaptersCount: 2, tutorialsCount: 0, generatedAt: Date.now() },
    };
    await expectConvexError(mutate(t, "docs:upsertFromJob", args), "UNAUTHORIZED");
    const result = await mutate(t, "docs:upsertFromJob", { ...args, workerSecret: SECRET });
    expect(result.stats).toEqual({ inserted: 2, updated: 0, skipped: 0, rejected: 1, deleted: 0 });
    const docs = await read(t, "docs:listByJobId", { jobId });
    const a = docs.find((d: any) => d.title === "A");
    expect(a.content).toBe("# A\n```js\n```\n");
    expect(docs.find((d: any) => d.kind === "yaml").chapterIndex).toBe(0);
  });
});
