package io.fondation.engine.git;

import io.fondation.shared.FailureKind;
import io.fondation.shared.JobFailure;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * What both git clients share once they know the remote's branches or an error's text: the choice of branch, and
 * the classified failures, worded the same whichever client failed.
 */
final class CloneFailures {

    private static final String HEADS = "refs/heads/";

    private CloneFailures() {}

    /**
     * The branch to clone: the requested one when the remote has it, else the remote's {@code HEAD}, else
     * {@code main}, {@code master} or the first branch.
     *
     * @param refNames the remote's ref names ({@code refs/heads/x}, {@code HEAD}, ...)
     * @param headTarget what the remote's {@code HEAD} points to ({@code refs/heads/x}), or null when not advertised
     */
    static String chooseBranch(String requested, CloneTarget target, Collection<String> refNames, String headTarget)
            throws CloneException {
        List<String> branches = branchesOf(refNames);
        if (requested != null) {
            if (!branches.contains(requested)) {
                throw branchNotFound(requested, target, branches);
            }
            return requested;
        }
        if (branches.isEmpty()) {
            throw empty(target);
        }
        if (headTarget != null && headTarget.startsWith(HEADS)) {
            return headTarget.substring(HEADS.length());
        }
        // A server that does not advertise HEAD's target: take the usual default names, else the first branch.
        for (String usual : List.of("main", "master")) {
            if (branches.contains(usual)) {
                return usual;
            }
        }
        return branches.get(0);
    }

    static CloneException branchNotFound(String branch, CloneTarget target, List<String> branches) {
        return invalid("branch '" + branch + "' not found in " + target.display() + describeBranches(branches));
    }

    static CloneException empty(CloneTarget target) {
        return invalid("repository " + target.display() + " has no branches (it is empty)");
    }

    static CloneException canceled(Throwable cause) {
        return new CloneException(JobFailure.of(FailureKind.CANCELED, "clone canceled"), cause);
    }

    /** The branch names among {@code refNames}, sorted. */
    static List<String> branchesOf(Collection<String> refNames) {
        List<String> branches = new ArrayList<>();
        for (String name : refNames) {
            if (name.startsWith(HEADS)) {
                branches.add(name.substring(HEADS.length()));
            }
        }
        branches.sort(null);
        return branches;
    }

    /**
     * A failure classified from its text: a missing repository or refused credentials are the job's fault
     * ({@code INVALID_INPUT}), anything else (network trouble, a 5xx, a broken pack) is worth another attempt.
     *
     * @param missingRepository whether the client already knows the repository does not exist
     * @param detail the error's text, without credentials
     */
    static CloneException classify(
            String detail,
            boolean missingRepository,
            CloneTarget target,
            String branch,
            boolean sentCredentials,
            Throwable cause) {
        String lower = detail.toLowerCase(Locale.ROOT);
        FailureKind kind;
        String message;
        if (missingRepository || lower.contains("repository not found")) {
            kind = FailureKind.INVALID_INPUT;
            message = "repository " + target.display() + " not found"
                    + (sentCredentials ? " (or GITHUB_TOKEN cannot access it)" : "");
        } else if (lower.contains("authentication is required")
                || lower.contains("not authorized")
                || lower.contains("authentication not supported")
                || lower.contains("authentication failed")
                || lower.contains("could not read username")
                || lower.contains("not permitted")) {
            // why: the job's repository refused the credentials (or needs some): the job's fault, not the worker's.
            kind = FailureKind.INVALID_INPUT;
            message = "authentication failed for " + target.display() + ": "
                    + (sentCredentials
                            ? "the token was refused"
                            : "the repository needs credentials and none apply"
                                    + " (set GITHUB_TOKEN for repositories on GIT_BASE_URL)");
        } else if (branch != null && lower.contains("remote branch") && lower.contains("not found")) {
            kind = FailureKind.INVALID_INPUT;
            message = "branch '" + branch + "' not found in " + target.display();
        } else {
            kind = FailureKind.TRANSIENT;
            message = "could not clone " + target.display() + ": " + detail;
        }
        return new CloneException(JobFailure.of(kind, message), cause);
    }

    /** {@code text} with anything shaped like {@code //user:password@} removed. */
    static String withoutCredentials(String text) {
        return text.replaceAll("//[^/@\\s]*@", "//");
    }

    private static String describeBranches(List<String> branches) {
        if (branches.isEmpty()) {
            return " (the repository has no branches)";
        }
        List<String> shown = branches.size() > 10 ? branches.subList(0, 10) : branches;
        return " (branches: " + String.join(", ", shown) + (branches.size() > 10 ? ", ..." : "") + ")";
    }

    private static CloneException invalid(String message) {
        return new CloneException(JobFailure.of(FailureKind.INVALID_INPUT, message), null);
    }
}
