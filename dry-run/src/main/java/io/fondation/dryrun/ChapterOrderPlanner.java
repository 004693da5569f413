package io.fondation.dryrun;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Orders the chapters: the root files first (the overview), then every abstraction after the ones
 * it depends on (a topological order of the import graph), the most used first among those ready;
 * cycles are broken by taking the abstraction with the fewest unmet dependencies; the merged
 * "Other Files" group comes last.
 */
public final class ChapterOrderPlanner {

    /** Plans the chapters of {@code abstractions}. */
    public ChapterPlan plan(List<Topic> abstractions, List<Link> relationships) {
        Map<Integer, Set<Integer>> dependsOn = new HashMap<>();
        Map<Integer, Set<Integer>> usedBy = new HashMap<>();
        Map<Integer, Integer> incoming = LinkFinder.incomingDependencies(relationships);
        for (Link r : relationships) {
            if (r.isDependency()) {
                dependsOn.computeIfAbsent(r.from(), k -> new LinkedHashSet<>()).add(r.to());
                usedBy.computeIfAbsent(r.to(), k -> new LinkedHashSet<>()).add(r.from());
            }
        }
        Comparator<Topic> preference = Comparator.comparingInt((Topic a) -> -incoming.getOrDefault(a.index(), 0))
                .thenComparing(a -> -a.files().size())
                .thenComparing(Topic::name);

        List<Topic> ordered = new ArrayList<>();
        abstractions.stream().filter(a -> a.kind() == Topic.Kind.ROOT_FILES).forEach(ordered::add);
        List<Topic> remaining = new ArrayList<>(abstractions.stream()
                .filter(a -> a.kind() != Topic.Kind.ROOT_FILES && a.kind() != Topic.Kind.OTHER)
                .toList());
        Set<Integer> placed = new HashSet<>();
        ordered.forEach(a -> placed.add(a.index()));
        Set<Integer> cycleBreaks = new HashSet<>();
        while (!remaining.isEmpty()) {
            List<Topic> ready = remaining.stream()
                    .filter(a -> unmet(a, dependsOn, placed) == 0)
                    .sorted(preference)
                    .toList();
            Topic next;
            if (!ready.isEmpty()) {
                next = ready.get(0);
            } else {
                next = remaining.stream()
                        .min(Comparator.comparingInt((Topic a) -> unmet(a, dependsOn, placed))
                                .thenComparing(preference))
                        .orElseThrow();
                cycleBreaks.add(next.index());
            }
            ordered.add(next);
            placed.add(next.index());
            remaining.remove(next);
        }
        abstractions.stream().filter(a -> a.kind() == Topic.Kind.OTHER).forEach(ordered::add);

        Map<Integer, Integer> numberOf = new HashMap<>();
        for (int i = 0; i < ordered.size(); i++) {
            numberOf.put(ordered.get(i).index(), i + 1);
        }
        Map<Integer, String> names = abstractions.stream().collect(Collectors.toMap(Topic::index, Topic::name));
        Set<String> slugs = new HashSet<>();
        List<ChapterPlan.Chapter> chapters = new ArrayList<>();
        for (int i = 0; i < ordered.size(); i++) {
            Topic a = ordered.get(i);
            String slug = Slugs.of(a.name());
            String unique = slug;
            for (int n = 2; !slugs.add(unique); n++) {
                unique = slug + "_" + n;
            }
            String reasoning = reasoning(
                    a,
                    dependsOn.getOrDefault(a.index(), Set.of()),
                    usedBy.getOrDefault(a.index(), Set.of()),
                    cycleBreaks.contains(a.index()),
                    numberOf,
                    names,
                    incoming.getOrDefault(a.index(), 0));
            chapters.add(new ChapterPlan.Chapter(i + 1, a, unique, reasoning));
        }
        return new ChapterPlan(chapters);
    }

    private static int unmet(Topic a, Map<Integer, Set<Integer>> dependsOn, Set<Integer> placed) {
        return (int) dependsOn.getOrDefault(a.index(), Set.of()).stream()
                .filter(d -> d != a.index() && !placed.contains(d))
                .count();
    }

    private static String reasoning(
            Topic a,
            Set<Integer> deps,
            Set<Integer> users,
            boolean cycleBreak,
            Map<Integer, Integer> numberOf,
            Map<Integer, String> names,
            int incomingReferences) {
        if (a.kind() == Topic.Kind.ROOT_FILES) {
            String files = a.files().stream().limit(4).map(SourceFile::path).collect(Collectors.joining(", "));
            return "First: the files at the repository root (" + files
                    + (a.files().size() > 4 ? ", ..." : "") + ") give the overview and the build setup.";
        }
        if (a.kind() == Topic.Kind.OTHER) {
            return "Last: the smaller directories, merged so the course stays short.";
        }
        int own = numberOf.get(a.index());
        List<String> parts = new ArrayList<>();
        List<String> earlier = deps.stream()
                .filter(d -> numberOf.get(d) < own)
                .map(d -> names.get(d) + " (chapter " + numberOf.get(d) + ")")
                .toList();
        List<String> later = deps.stream()
                .filter(d -> numberOf.get(d) > own)
                .map(d -> names.get(d) + " (chapter " + numberOf.get(d) + ")")
                .toList();
        if (deps.isEmpty()) {
            parts.add("Depends on no other part of the repository, so it can be read early.");
        } else if (!earlier.isEmpty()) {
            parts.add("Builds on " + String.join(", ", earlier) + ", covered earlier.");
        }
        if (cycleBreak && !later.isEmpty()) {
            parts.add("Its imports form a cycle with " + String.join(", ", later)
                    + "; it comes first because it has the fewest dependencies still unread.");
        }
        if (!users.isEmpty()) {
            parts.add("Used by " + users.stream().map(names::get).sorted().collect(Collectors.joining(", ")) + " ("
                    + incomingReferences + (incomingReferences == 1 ? " import)." : " imports)."));
        } else {
            parts.add("No other part imports it.");
        }
        return String.join(" ", parts);
    }
}
