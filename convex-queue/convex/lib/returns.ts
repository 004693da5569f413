import { v } from "convex/values";
import schema, { docKind } from "../schema";

/*
 * Validators of what the functions return (`returns:`), built from the schema so that a stored field and
 * its returned copy cannot disagree. Convex checks every return value against them, and so does
 * convex-test in the tests.
 */

function systemFields<Table extends "jobs" | "docs" | "users" | "repositories">(table: Table) {
  return { _id: v.id(table), _creationTime: v.number() };
}

/** A job as readers return it: every stored field but the tokens, plus `id` (= `_id`). */
export const jobSnapshotValidator = schema.tables.jobs.validator
  .omit("callbackToken", "leaseToken", "claimToken", "completedBy")
  .extend({ ...systemFields("jobs"), id: v.id("jobs") });

/** A stored document, as the web-facing readers return it. */
export const docValidator = schema.tables.docs.validator.extend(systemFields("docs"));

/** A user without `githubAccessToken`: what every reader but `users:getGitHubToken` returns. */
export const publicUserValidator = schema.tables.users.validator.omit("githubAccessToken").extend(systemFields("users"));

export const repositoryValidator = schema.tables.repositories.validator.extend(systemFields("repositories"));

/** `{jobId, callbackToken}` of a job the web app created: the only place it gets the callback token. */
export const createdJobValidator = v.object({ jobId: v.id("jobs"), callbackToken: v.string() });

/** One document in reading order (`queue:listDocuments`): no chapter index for yaml/toc stored with 0. */
export const listedDocumentValidator = v.object({
  slug: v.string(),
  title: v.string(),
  chapterIndex: v.optional(v.number()),
  kind: docKind,
  content: v.string(),
});

/** What a cleanup run did: documents deleted, and whether it rescheduled itself for more. */
export const cleanupValidator = v.object({ deletedDocsCount: v.number(), more: v.boolean() });
