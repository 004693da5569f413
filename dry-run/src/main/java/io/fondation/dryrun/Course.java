package io.fondation.dryrun;

import java.util.List;

/**
 * Everything the dry-run analyzer found, which the chapters and tutorials are written from.
 *
 * @param inventory the scanned files
 * @param abstractions step 1
 * @param relationships step 2
 * @param plan step 3
 */
public record Course(
        RepositoryInventory inventory, List<Topic> abstractions, List<Link> relationships, ChapterPlan plan) {

    public Course {
        abstractions = List.copyOf(abstractions);
        relationships = List.copyOf(relationships);
    }

    List<Link> outgoing(int index) {
        return relationships.stream().filter(r -> r.from() == index).toList();
    }

    List<Link> incoming(int index) {
        return relationships.stream().filter(r -> r.to() == index).toList();
    }

    /** "Shared (chapter 2)" */
    String reference(int abstractionIndex) {
        ChapterPlan.Chapter chapter = plan.chapterOf(abstractionIndex);
        return "**" + chapter.abstraction().name() + "** (chapter " + chapter.number() + ")";
    }
}
